import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The browser build gets stand-ins for supabase-js's Storage and Functions clients, which
 * Spotter never uses in the browser (the server build keeps the real ones).
 */
function browserWithoutUnusedSupabaseClients(): Plugin {
	const stub = fileURLToPath(new URL('./src/lib/supabase/unused-clients.ts', import.meta.url));
	const unused = new Set(['@supabase/storage-js', '@supabase/functions-js']);
	return {
		name: 'spotter:browser-without-unused-supabase-clients',
		apply: 'build',
		enforce: 'pre',
		resolveId(id, _importer, options) {
			if (options?.ssr || !unused.has(id)) return null;
			return stub;
		}
	};
}

export default defineConfig({
	plugins: [browserWithoutUnusedSupabaseClients(), sveltekit()],
	server: { host: '127.0.0.1', port: 5173, strictPort: true },
	preview: { host: '127.0.0.1', port: 4173, strictPort: true }
});
