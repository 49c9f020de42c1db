// A Vitest environment for unit tests of Svelte runes as the browser runs them: Node's globals, but
// modules transformed for the client, so `$state` makes real reactive proxies (compiled for the
// server it is the plain value, and would hide bugs such as handing a proxy to IndexedDB).
// The unit-client project (vitest.config.ts) runs `src/**/*.svelte.test.ts` in it.
import type { Environment } from 'vitest/environments';

export default {
	name: 'svelte-client',
	viteEnvironment: 'client',
	setup() {
		return { teardown() {} };
	}
} satisfies Environment;
