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
 * The browser build gets a stand-in for the Realtime client supabase-js builds in its constructor
 * (src/lib/supabase/lazy-realtime.ts): it loads realtime-js on demand, so the Phoenix socket and
 * the channel code are not part of any page's first download. Only supabase-js's own import is
 * replaced; the stand-in's dynamic import reaches the real package.
 */
function browserWithLazyRealtime(): Plugin {
	const standIn = fileURLToPath(new URL('./src/lib/supabase/lazy-realtime.ts', import.meta.url));
	return {
		name: 'spotter:browser-with-lazy-realtime',
		apply: 'build',
		enforce: 'pre',
		resolveId(id, importer, options) {
			if (options?.ssr || id !== '@supabase/realtime-js') return null;
			return importer?.includes('/@supabase/supabase-js/') ? standIn : null;
		}
	};
}

/**
 * The browser build gets a stand-in for the Auth client supabase-js builds in its constructor
 * (src/lib/supabase/lazy-auth.ts): it answers for a live session from the session cookie and loads
 * auth-js on demand, so GoTrueClient is not part of any page's first download. Only supabase-js's
 * own import is replaced; the stand-in's dynamic import reaches the real package.
 */
function browserWithLazyAuth(): Plugin {
	const standIn = fileURLToPath(new URL('./src/lib/supabase/lazy-auth.ts', import.meta.url));
	return {
		name: 'spotter:browser-with-lazy-auth',
		apply: 'build',
		enforce: 'pre',
		resolveId(id, importer, options) {
			if (options?.ssr || id !== '@supabase/auth-js') return null;
			return importer?.includes('/@supabase/supabase-js/') ? standIn : null;
		}
	};
}

export default defineConfig({
	plugins: [
		browserWithoutUnusedSupabaseClients(),
		browserWithLazyRealtime(),
		browserWithLazyAuth(),
		sveltekit()
	],
	server: { host: '127.0.0.1', port: 5173, strictPort: true },
	preview: { host: '127.0.0.1', port: 4173, strictPort: true }
});
