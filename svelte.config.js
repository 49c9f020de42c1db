import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		// Absolute asset paths: the service worker serves one app shell (src/routes/app-shell) for
		// every address offline, and relative paths would resolve against each address differently.
		paths: { relative: false },
		// The page's CSS in its HTML: a page kept by the service worker (src/service-worker.ts) then
		// starts without a request per stylesheet, which at 4× CPU held the parser up by ~150 ms.
		inlineStyleThreshold: Infinity
	}
};

export default config;
