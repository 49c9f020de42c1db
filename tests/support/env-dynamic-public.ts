// `$env/dynamic/public` for the unit tests, which run outside SvelteKit: the process's PUBLIC_*
// variables, as SvelteKit's own module gives them to the app (so src/lib/supabase/env.ts falls back
// to the local stand-in's defaults when none is set).
export const env: Record<string, string | undefined> = Object.fromEntries(
	Object.entries(process.env).filter(([name]) => name.startsWith('PUBLIC_'))
);
