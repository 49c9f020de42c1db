// Tells this device when its session was ended somewhere else (signed out of all devices, a
// password change, the account deleted) so it can say "You were signed out" and go to sign-in.
//
// Where Auth ends sessions at once (here), the API refuses the old token: 401 PGRST301/PGRST303.
// On a hosted project an access token stays valid until it expires, so reads go on working and
// only writes are refused — with SP006, the database's "this session is not live" refusal, which
// is also what an admin's impersonation token gets. The two are told apart by asking Auth
// (getUser): an ended session is unknown to it, an impersonation is not the app's case at all.
// Auth's own answers (a refused refresh, session_not_found) make supabase-js drop the session and
// emit SIGNED_OUT, which is the one signal the app acts on.
import type { Session } from '@supabase/supabase-js';
import { rejectedByAuth } from '$lib/supabase/session-check';
import type { Supabase } from '$lib/supabase/types';

/** API error codes that can mean "this session is gone". */
const SUSPECT_CODES = new Set(['SP006', 'PGRST301', 'PGRST303']);

const suspects = new EventTarget();

/** Whether an API error body names a code that can mean the session ended. */
export function isSuspect(code: unknown): boolean {
	return typeof code === 'string' && SUSPECT_CODES.has(code);
}

/**
 * A fetch for the browser's Supabase client that notices API answers which can mean the session
 * ended. The caller gets the response untouched; the check runs beside it.
 */
export function reportingFetch(base: typeof fetch): typeof fetch {
	return async (input, init) => {
		const response = await base(input, init);
		if (response.status >= 400 && response.status < 500 && isRestRequest(input)) {
			void response
				.clone()
				.json()
				.then(
					(body: { code?: unknown }) => {
						if (isSuspect(body?.code)) suspects.dispatchEvent(new Event('suspect'));
					},
					// Not JSON: not an answer from the database, nothing to check.
					() => undefined
				);
		}
		return response;
	};
}

function isRestRequest(input: RequestInfo | URL): boolean {
	const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
	return url.includes('/rest/v1/');
}

/** Whether Auth still knows this session; when it does not, supabase-js is made to drop it. */
export async function sessionIsGone(supabase: Supabase): Promise<boolean> {
	const { data, error } = await supabase.auth.getUser();
	if (!error && data.user) return false;
	if (error && !rejectedByAuth(error)) return false; // Auth unreachable: nothing is known.
	// session_not_found has already removed it (and emitted SIGNED_OUT); a deleted user
	// (user_not_found) or a bad token has not: remove it here, on this device only.
	const { data: current } = await supabase.auth.getSession();
	if (current.session) await supabase.auth.signOut({ scope: 'local' });
	return true;
}

let signingOutHere = false;

/** Called by this device's own sign-out, so that it is not reported as "signed out elsewhere". */
export function expectSignOut(): () => void {
	signingOutHere = true;
	return () => (signingOutHere = false);
}

export interface WatchOptions {
	/** The session this page was rendered with (null: nobody is signed in, nothing to watch). */
	signedIn: boolean;
	/** The session ended without this device signing out. */
	onEnded: () => void;
	/** Any other change of session (signed in, token refreshed, signed out here). */
	onChange: (session: Session | null) => void;
}

/**
 * Loads the Auth client: in the browser build supabase-js holds a stand-in until then, which answers
 * for a live session from the cookie (src/lib/supabase/lazy-auth.ts); elsewhere (server, tests)
 * the real client is already there.
 */
export async function loadAuth(supabase: Supabase): Promise<void> {
	const auth = supabase.auth as unknown as { load?: () => Promise<unknown> };
	await auth.load?.();
}

/**
 * Watches the session until the returned function is called. The page is interactive by then, so
 * this is when the Auth client loads: it refreshes the token before it expires and hears another
 * tab's sign-out, neither of which the stand-in does.
 */
export function watchSession(supabase: Supabase, options: WatchOptions): () => void {
	let stopped = false;
	let retrying = false;
	const load = () => {
		retrying = false;
		loadAuth(supabase).catch((error: unknown) => {
			if (stopped) return;
			// Offline before the service worker kept the chunk: once back online, try again (a call
			// that needs Auth before then loads it itself).
			console.warn('The Auth client did not load; trying again when back online', error);
			retrying = true;
			window.addEventListener('online', load, { once: true });
		});
	};
	load();
	let checking = false;
	const check = async () => {
		if (checking || !options.signedIn) return;
		checking = true;
		try {
			await sessionIsGone(supabase);
		} finally {
			checking = false;
		}
	};
	const {
		data: { subscription }
	} = supabase.auth.onAuthStateChange((event, session) => {
		if (event === 'SIGNED_OUT' && options.signedIn && !signingOutHere) options.onEnded();
		else options.onChange(session);
	});
	const onSuspect = () => void check();
	// Coming back to the app is when a session ended elsewhere matters: ask once then.
	const onVisible = () => {
		if (document.visibilityState === 'visible') void check();
	};
	suspects.addEventListener('suspect', onSuspect);
	document.addEventListener('visibilitychange', onVisible);
	return () => {
		subscription.unsubscribe();
		suspects.removeEventListener('suspect', onSuspect);
		document.removeEventListener('visibilitychange', onVisible);
		stopped = true;
		if (retrying) window.removeEventListener('online', load);
	};
}
