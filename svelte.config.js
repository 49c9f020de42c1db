import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		// Absolute asset paths: the service worker serves one app shell (src/routes/app-shell) for
		// every address offline, and relative paths would resolve against each address differently.
		paths: { relative: false }
	}
};

export default config;
