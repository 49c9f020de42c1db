// One Supabase client per side: the browser singleton (session in cookies) or, while rendering
// on the server, a read-only client over the request's cookies.
import { createBrowserClient, createServerClient, isBrowser } from '@supabase/ssr';
import { supabaseKey, supabaseUrl } from '$lib/supabase/env';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ data, depends, fetch }) => {
	depends('supabase:auth');

	const supabase = isBrowser()
		? createBrowserClient(supabaseUrl, supabaseKey, { global: { fetch } })
		: createServerClient(supabaseUrl, supabaseKey, {
				global: { fetch },
				cookies: { getAll: () => data.cookies }
			});

	const {
		data: { session }
	} = await supabase.auth.getSession();
	// The user was confirmed by the Auth server in hooks.server.ts for this request.
	return { session, supabase, user: session ? data.user : null };
};
