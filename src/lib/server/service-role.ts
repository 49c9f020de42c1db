// The privileged Supabase client, for the few things a user may not do with their own session
// (deleting their auth user). Server-only; the key comes from the environment and never reaches
// the browser.
//
// The key: SUPABASE_SECRET_KEY (an `sb_secret_…` key) or SUPABASE_SERVICE_ROLE_KEY (the legacy
// JWT). A Supabase on this machine (localbase, or `supabase start`) has the well-known local
// secret key, which is public and used when neither is set; a remote project never gets a
// fallback.
import { createClient } from '@supabase/supabase-js';
import type { Supabase } from '$lib/supabase/types';

/** `supabase start`'s and localbase's published development secret key: not a secret. */
const localSecretKey = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

type Env = Record<string, string | undefined>;

function isOnThisMachine(url: string): boolean {
	const host = new URL(url).hostname;
	return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The service-role key for `url`, or null when none is configured for a remote project. */
export function serviceRoleKey(url: string, env: Env): string | null {
	const configured = env.SUPABASE_SECRET_KEY || env.SUPABASE_SERVICE_ROLE_KEY;
	if (configured) return configured;
	return isOnThisMachine(url) ? localSecretKey : null;
}

/** A client acting as service_role (it bypasses RLS): no session of its own, none stored. */
export function supabaseServiceRole(url: string, key: string): Supabase {
	return createClient(url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}
