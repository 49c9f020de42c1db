// One Supabase client per side: the browser singleton (session in cookies) or, while rendering
// on the server, a read-only client over the request's cookies.
import { browser } from '$app/environment';
import { createBrowserClient, createServerClient } from '@supabase/ssr';
import { isAuthRetryableFetchError, type User } from '@supabase/supabase-js';
import { reportingFetch } from '$lib/auth/session-watch';
import { supabaseKey, supabaseUrl } from '$lib/supabase/env';
import type { Database } from '$lib/supabase/types';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ data, depends, fetch }) => {
	depends('supabase:auth');

	// `browser` (not @supabase/ssr's isBrowser()) is a build-time constant: the browser build leaves
	// this branch and createServerClient out.
	if (!browser) {
		// On the server the hooks checked the session with the Auth server: use that, never the
		// cookie's own copy of the user. `data.server` exists only here: the browser gets undefined
		// (src/lib/server-only.ts).
		const { session, cookies } = data.server.value;
		const supabase = createServerClient<Database>(supabaseUrl, supabaseKey, {
			global: { fetch },
			cookies: { getAll: () => cookies }
		});
		return { session, supabase, user: data.user, offline: false };
	}

	// The API answers a signed-out session with errors the session watch recognises.
	const supabase = createBrowserClient<Database>(supabaseUrl, supabaseKey, {
		global: { fetch: reportingFetch(fetch) }
	});
	const {
		data: { session },
		error
	} = await supabase.auth.getSession();
	// Opened offline from the app shell, the server's data is not there (data is null); an expired
	// session cannot be refreshed without the network either (getSession answers a retryable error).
	let offline = isAuthRetryableFetchError(error);
	// The server confirmed data.user with the Auth server for its request; when the session has
	// changed since (signed in by a form action), ask the Auth server again.
	let user: User | null = session && data?.user?.id === session.user.id ? data.user : null;
	if (session && !user) {
		const verified = await supabase.auth.getUser();
		user = verified.data.user;
		// Offline the Auth server cannot confirm it: the stored session's user then only chooses
		// which of this device's copies to show ((app)/+layout.ts checks it is the user this device
		// last confirmed); every request to the server still needs the token to be valid.
		if (isAuthRetryableFetchError(verified.error)) {
			offline = true;
			user = session.user;
		}
	}
	return { session, supabase, user, offline };
};
