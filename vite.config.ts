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
 * The browser build puts the code the messages pages load up front into four chunks, one for each
 * family of pages that loads it: every page (the root layout and SvelteKit's client), the
 * signed-out pages as well, the other signed-in pages as well, and the messages pages alone. Left
 * to itself the bundler makes a chunk for each set of pages that shares a module: a conversation's
 * first load was 53 files, most of a few hundred bytes, each gzipped and asked for alone. Fewer,
 * larger files compress better together, and on a phone's 150 ms round trips fewer requests wait
 * behind one another. Each module goes to the widest family that loads it, so no page loads a
 * chunk of code that only another family's pages need. A page's own files (`+page.svelte`,
 * `+page.ts`) stay in its node's chunk, which only that page loads. What the messages pages do not
 * load up front (the other pages' own code, everything imported on demand) is chunked as before.
 *
 * `moduleParsed` records each module's static imports; the chunking asks `test` only once every
 * module is parsed. The server build and the service worker's are left alone.
 */
type Family = 'every' | 'public' | 'app' | 'messages';

function chunksByPageFamily(): Plugin {
	const sep = String.raw`[\\/]`;
	const routes = String.raw`${sep}src${sep}routes${sep}`;
	const routeFile = new RegExp(`${routes}(.*${sep})?\\+(layout|page|error)\\.(svelte|ts)$`);
	const pageFile = new RegExp(`${routes}(.*${sep})?\\+page\\.(svelte|ts)$`);
	const appRoute = new RegExp(`${routes}\\(app\\)${sep}`);
	const messagesRoute = new RegExp(`${routes}\\(app\\)${sep}messages${sep}`);
	const appLayout = new RegExp(`${routes}\\(app\\)${sep}\\+layout\\.(svelte|ts)$`);
	// SvelteKit's app.js imports every page's node on demand. It stays in its own entry chunk (what
	// it imports up front goes with every page's): SvelteKit's preload list (find_deps) follows a
	// chunk's dynamic imports with the same `seen` set as its static ones, so with app.js in a
	// group, a chunk that a node imports both ways would be left out of the page's preload list.
	const appJs = new RegExp(`${sep}generated${sep}client-optimized${sep}app\\.js$`);
	const everyPage = [
		new RegExp(`${routes}\\+layout\\.(svelte|ts)$`),
		appJs,
		new RegExp(`${sep}@sveltejs${sep}kit${sep}src${sep}runtime${sep}client${sep}entry\\.js$`)
	];
	const staticImports = new Map<string, readonly string[]>();
	let ssr = true;
	let families: Record<Family, Set<string>> | undefined;

	/** The modules `roots` load up front: themselves and their static imports, followed through. */
	function load(roots: string[]): Set<string> {
		const found = new Set<string>();
		const pending = [...roots];
		for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
			if (found.has(id)) continue;
			found.add(id);
			pending.push(...(staticImports.get(id) ?? []));
		}
		return found;
	}

	function divide(): Record<Family, Set<string>> {
		const ids = [...staticImports.keys()];
		const pages = ids.filter((id) => routeFile.test(id));
		const every = load(ids.filter((id) => everyPage.some((r) => r.test(id))));
		for (const id of every) if (appJs.test(id)) every.delete(id);
		const loadWithEvery = (roots: string[]) => load([...roots, ...every]);
		const messages = loadWithEvery(pages.filter((id) => messagesRoute.test(id) || appLayout.test(id)));
		const publicPages = loadWithEvery(pages.filter((id) => !appRoute.test(id)));
		const appPages = loadWithEvery(pages.filter((id) => appRoute.test(id) && !messagesRoute.test(id)));
		const notEvery = [...messages].filter((id) => !every.has(id));
		const signedIn = notEvery.filter((id) => !publicPages.has(id));
		return {
			every,
			public: new Set(notEvery.filter((id) => publicPages.has(id))),
			app: new Set(signedIn.filter((id) => appPages.has(id))),
			messages: new Set(signedIn.filter((id) => !appPages.has(id)))
		};
	}

	return {
		name: 'spotter:chunks-by-page-family',
		apply: 'build',
		configResolved(config) {
			ssr = Boolean(config.build.ssr);
		},
		moduleParsed(info) {
			staticImports.set(info.id, info.importedIds);
		},
		outputOptions(options) {
			if (ssr) return null;
			const order: Family[] = ['every', 'public', 'app', 'messages'];
			// The sets do not overlap; the widest family comes first, so that a narrower family's chunk
			// never takes in, as a dependency, a module that a wider family's pages need too.
			const groups = order.map((family, i) => ({
				name: family,
				test: (id: string) => !pageFile.test(id) && (families ??= divide())[family].has(id),
				priority: order.length - i
			}));
			return { ...options, codeSplitting: { groups } };
		}
	};
}

export default defineConfig({
	plugins: [
		browserWithoutUnusedSupabaseClients(),
		browserWithLazyClient('@supabase/realtime-js', './src/lib/supabase/lazy-realtime.ts'),
		browserWithLazyClient('@supabase/auth-js', './src/lib/supabase/lazy-auth.ts'),
		chunksByPageFamily(),
		sveltekit()
	],
	// Imported only on demand in ways Vite's start-up scan does not follow: pre-bundled at start, so
	// the dev server does not find them on first use and reload the page (losing what was typed).
	// The message menu's icons come with MessageMenu.svelte, itself imported on demand.
	optimizeDeps: {
		include: [
			'linkifyjs',
			'qrcode',
			...['ellipsis', 'reply', 'copy', 'pencil', 'trash-2'].map((icon) => `@lucide/svelte/icons/${icon}`)
		]
	},
	server: { host: '127.0.0.1', port: 5173, strictPort: true },
	preview: { host: '127.0.0.1', port: 4173, strictPort: true }
});
