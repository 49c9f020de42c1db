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

/**
 * The browser build puts everything the messages pages load up front into one chunk. Left to
 * itself, the bundler splits that code by which set of pages shares each module: the messages
 * page's first load was 53 files, most of a few hundred bytes, each compressed (and requested)
 * alone. One file compresses ~10 kB better (gzip), and on a phone's 150 ms round trips its few
 * requests do not queue behind one another. The messages pages (the list and a conversation) are
 * where everyone lands after signing in; the other pages then load this chunk too, from the cache.
 *
 * Which modules: the static imports of the messages routes' own files and of SvelteKit's client
 * entry, followed transitively (`moduleParsed` records each module's static imports; the chunking
 * asks `test` only once every module is parsed). What these load on demand (`import()`) stays in
 * chunks of its own.
 */
function firstLoadInOneChunk(): Plugin {
	const roots = [
		/[\\/]src[\\/]routes[\\/]\+layout\.(svelte|ts)$/,
		/[\\/]src[\\/]routes[\\/]\(app\)[\\/]\+layout\.(svelte|ts)$/,
		/[\\/]src[\\/]routes[\\/]\(app\)[\\/]messages[\\/](\[conversationId\][\\/])?\+(layout|page)\.(svelte|ts)$/,
		/[\\/]generated[\\/]client-optimized[\\/]app\.js$/,
		/[\\/]@sveltejs[\\/]kit[\\/]src[\\/]runtime[\\/]client[\\/]entry\.js$/
	];
	const staticImports = new Map<string, readonly string[]>();
	let ssr = true;
	let firstLoad: Set<string> | undefined;
	function reachable(): Set<string> {
		const found = new Set<string>();
		const pending = [...staticImports.keys()].filter((id) => roots.some((root) => root.test(id)));
		for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
			if (found.has(id)) continue;
			found.add(id);
			pending.push(...(staticImports.get(id) ?? []));
		}
		return found;
	}
	return {
		name: 'spotter:first-load-in-one-chunk',
		apply: 'build',
		configResolved(config) {
			ssr = Boolean(config.build.ssr);
		},
		moduleParsed(info) {
			staticImports.set(info.id, info.importedIds);
		},
		outputOptions(options) {
			if (ssr) return null;
			const test = (id: string) => (firstLoad ??= reachable()).has(id);
			return { ...options, codeSplitting: { groups: [{ name: 'first-load', test }] } };
		}
	};
}

export default defineConfig({
	plugins: [
		browserWithoutUnusedSupabaseClients(),
		browserWithLazyClient('@supabase/realtime-js', './src/lib/supabase/lazy-realtime.ts'),
		browserWithLazyClient('@supabase/auth-js', './src/lib/supabase/lazy-auth.ts'),
		firstLoadInOneChunk(),
		sveltekit()
	],
	// Imported only on demand in ways Vite's start-up scan does not follow: pre-bundled at start, so
	// the dev server does not find them on first use and reload the page (losing what was typed).
	optimizeDeps: { include: ['linkifyjs', 'qrcode'] },
	server: { host: '127.0.0.1', port: 5173, strictPort: true },
	preview: { host: '127.0.0.1', port: 4173, strictPort: true }
});
