// Where the Supabase APIs are: the environment's PUBLIC_* values, else the local stand-in's
// well-known development defaults (the same ones `supabase start` prints).
import { env } from '$env/dynamic/public';

export const supabaseUrl = env.PUBLIC_SUPABASE_URL || 'http://127.0.0.1:54321';
export const supabaseKey =
	env.PUBLIC_SUPABASE_PUBLISHABLE_KEY || 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
