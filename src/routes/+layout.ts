// One Supabase client per side: the browser singleton (session in cookies) or, while rendering
// on the server, a read-only client over the request's cookies.
import { createBrowserClient, createServerClient, isBrowser } from '@supabase/ssr';
import { reportingFetch } from '$lib/auth/session-watch';
import { supabaseKey, supabaseUrl } from '$lib/supabase/env';
import type { Database } from '$lib/supabase/types';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ data, depends, fetch }) => {
	depends('supabase:auth');

	if (!isBrowser()) {
		// On the server the hooks checked the session with the Auth server: use that, never the
		// cookie's own copy of the user.
		const supabase = createServerClient<Database>(supabaseUrl, supabaseKey, {
			global: { fetch },
			cookies: { getAll: () => data.cookies }
		});
		return { session: data.session, supabase, user: data.user };
	}

	// The API answers a signed-out session with errors the session watch recognises.
	const supabase = createBrowserClient<Database>(supabaseUrl, supabaseKey, {
		global: { fetch: reportingFetch(fetch) }
	});
	const {
		data: { session }
	} = await supabase.auth.getSession();
	// The server confirmed data.user with the Auth server for its request; when the session has
	// changed since (signed in by a form action), ask the Auth server again.
	let user = session && data.user?.id === session.user.id ? data.user : null;
	if (session && !user) user = (await supabase.auth.getUser()).data.user;
	return { session, supabase, user };
};
