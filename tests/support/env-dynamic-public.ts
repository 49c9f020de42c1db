// `$env/dynamic/public` for the tests that run the app's modules outside SvelteKit (vitest.config.ts):
// the process's PUBLIC_* variables, as SvelteKit's own module gives them to the app, so
// src/lib/supabase/env.ts falls back to the local stand-in's defaults when none is set.
export const env: Record<string, string | undefined> = Object.fromEntries(
	Object.entries(process.env).filter(([name]) => name.startsWith('PUBLIC_'))
);
