// Test projects: unit tests beside their source, and one folder per kind of integration test.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/** What SvelteKit resolves for the app's modules, for the tests that run them outside it. */
const appAliases = {
	$lib: new URL('./src/lib', import.meta.url).pathname,
	'$env/dynamic/public': new URL('./tests/support/env-dynamic-public.ts', import.meta.url).pathname
};

export default defineConfig({
	test: {
		projects: [
			{
				plugins: [svelte()],
				test: {
					name: 'unit',
					include: ['src/**/*.test.ts', 'localbase/**/*.test.ts', 'scripts/**/*.test.ts'],
					exclude: ['src/**/*.svelte.test.ts'],
					environment: 'node'
				},
				resolve: { alias: appAliases }
			},
			{
				// Unit tests of runes as the browser runs them (`$state` is a real proxy there).
				plugins: [svelte()],
				test: {
					name: 'unit-client',
					include: ['src/**/*.svelte.test.ts'],
					environment: './tests/support/svelte-client-environment.ts'
				},
				resolve: { alias: appAliases }
			},
			{
				test: {
					name: 'db',
					include: ['tests/db/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				test: {
					name: 'localbase',
					include: ['tests/localbase/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				test: {
					name: 'push',
					include: ['tests/push/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				test: {
					name: 'cli',
					include: ['tests/cli/**/*.test.ts'],
					environment: 'node',
					testTimeout: 120_000,
					fileParallelism: false
				}
			},
			{
				// Faults injected into localbase on a Postgres server (npm test runs it when DATABASE_URL is set).
				resolve: { alias: appAliases },
				test: {
					name: 'faults',
					include: ['tests/faults/**/*.test.ts'],
					environment: 'node',
					testTimeout: 90_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				resolve: { alias: appAliases },
				test: {
					name: 'app',
					include: ['tests/app/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			}
		]
	}
});
