import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The browser build gets stand-ins for the Storage and Functions clients supabase-js builds in its
 * constructor (the server build keeps the real ones): Spotter never uses Functions, and reaches
 * Storage through its own client, imported on demand by src/lib/data/attachments.ts — so only
 * supabase-js's own import is replaced, and pages that never show media do not carry it. Likewise
 * auth-js's passkey (WebAuthn) and Sign in with Ethereum helpers, which GoTrueClient imports but
 * Spotter never calls (src/lib/supabase/unused-auth-parts.ts).
 */
function browserWithoutUnusedSupabaseClients(): Plugin {
	const stub = fileURLToPath(new URL('./src/lib/supabase/unused-clients.ts', import.meta.url));
	const authStub = fileURLToPath(new URL('./src/lib/supabase/unused-auth-parts.ts', import.meta.url));
	const unused = new Set(['@supabase/storage-js', '@supabase/functions-js']);
	const unusedAuthParts = new Set(['./lib/webauthn', './lib/web3/ethereum']);
	return {
		name: 'spotter:browser-without-unused-supabase-clients',
		apply: 'build',
		enforce: 'pre',
		resolveId(id, importer, options) {
			if (options?.ssr) return null;
			if (
				unusedAuthParts.has(id) &&
				importer?.replaceAll('\\', '/').endsWith('/@supabase/auth-js/dist/module/GoTrueClient.js')
			)
				return authStub;
			if (!unused.has(id)) return null;
			if (id === '@supabase/storage-js' && !importer?.includes('/@supabase/supabase-js/')) return null;
			return stub;
		}
	};
}

/**
 * The browser build gets a stand-in for a client supabase-js builds in its constructor, which loads
 * the real package on demand, so that no page's first download carries it:
 * - Realtime (src/lib/supabase/lazy-realtime.ts): realtime-js and its Phoenix socket (~15 kB gzip)
 *   load when the first channel is joined (`loadRealtime`);
 * - Auth (src/lib/supabase/lazy-auth.ts): GoTrueClient (~22 kB gzip) loads once the page is
 *   interactive (`loadAuth`); until then the stand-in answers for a live session from the cookie.
 * Only supabase-js's own import is replaced; the stand-in's dynamic import reaches the real package.
 */
function browserWithLazyClient(pkg: string, standInFile: string): Plugin {
	const standIn = fileURLToPath(new URL(standInFile, import.meta.url));
	return {
		name: `spotter:browser-with-lazy-${pkg.slice(pkg.indexOf('/') + 1)}`,
		apply: 'build',
		enforce: 'pre',
		resolveId(id, importer, options) {
			if (options?.ssr || id !== pkg) return null;
			return importer?.includes('/@supabase/supabase-js/') ? standIn : null;
		}
	};
}

export default defineConfig({
	plugins: [
		browserWithoutUnusedSupabaseClients(),
		browserWithLazyClient('@supabase/realtime-js', './src/lib/supabase/lazy-realtime.ts'),
		browserWithLazyClient('@supabase/auth-js', './src/lib/supabase/lazy-auth.ts'),
		sveltekit()
	],
	// Imported only on demand in ways Vite's start-up scan does not follow: pre-bundled at start, so
	// the dev server does not find them on first use and reload the page (losing what was typed).
	optimizeDeps: { include: ['linkifyjs', 'qrcode'] },
	server: { host: '127.0.0.1', port: 5173, strictPort: true },
	preview: { host: '127.0.0.1', port: 4173, strictPort: true }
});
