// All auth wiring, as in Supabase's SvelteKit guide: a per-request server client reading and
// writing the session cookies, and a guard that trusts only a session the Auth server confirms.
import path from 'node:path';
import { createServerClient } from '@supabase/ssr';
import { building, dev } from '$app/environment';
import { error as kitError, redirect, type Handle, type ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import WebSocket from 'ws';
import { PAGE_USER_HEADER } from '$lib/device/kept-pages';
import { supabaseKey, supabaseUrl } from '$lib/supabase/env';
import { rejectedByAuth } from '$lib/supabase/session-check';
import type { Database } from '$lib/supabase/types';

export const init: ServerInit = async () => {
	// Every supabase-js client builds a Realtime client, which needs a WebSocket constructor even
	// though it never connects on the server; Node 20 has no global one.
	globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
	// `npm run dev` (scripts/dev.ts) runs its own dispatcher; the production server runs one here.
	if (!dev && !building) await startPushDispatcher();
};

async function startPushDispatcher(): Promise<void> {
	const { serverSkipReason, startPush } = await import('$lib/server/push/start');
	const skipped = serverSkipReason(process.env);
	if (skipped) {
		console.info(`[push] no dispatcher in this server (${skipped})`);
		return;
	}
	// Throws in production without the VAPID keys: the server must not run without sending pushes.
	const running = await startPush({
		env: process.env,
		devKeysFile: path.resolve('.vapid-development.json'),
		browserPublicKey: process.env.PUBLIC_VAPID_PUBLIC_KEY
	});
	console.info(
		`[push] dispatcher running in this server${running.devKeysFile ? ` with the development keys in ${running.devKeysFile} (NODE_ENV is not production)` : ''}`
	);
	// adapter-node emits this on SIGINT/SIGTERM once requests are finished.
	process.once('sveltekit:shutdown' as 'beforeExit', () => void running.stop());
}

const supabase: Handle = async ({ event, resolve }) => {
	event.locals.supabase = createServerClient<Database>(supabaseUrl, supabaseKey, {
		cookies: {
			getAll: () => event.cookies.getAll(),
			setAll: (cookiesToSet, headers) => {
				for (const { name, value, options } of cookiesToSet) {
					event.cookies.set(name, value, { ...options, path: '/' });
				}
				// Cache-Control: private, no-store…: a response that sets a session cookie must never be
				// cached by a CDN or proxy and served to someone else.
				event.setHeaders(headers);
			}
		}
	});

	event.locals.safeGetSession = async () => {
		const {
			data: { session }
		} = await event.locals.supabase.auth.getSession();
		if (!session) return { session: null, user: null, ended: false };
		// getSession() only decodes the cookie; the user comes from the Auth server (getUser), which
		// checks the token's signature and expiry and — unlike a local check of the claims — that its
		// session was not signed out elsewhere. The cookie's own copy of the user is never read (it is
		// what supabase-js warns must not be trusted): the session handed on carries the checked one.
		const {
			data: { user },
			error
		} = await event.locals.supabase.auth.getUser();
		if (error || !user) {
			// A token the Auth server rejects means the session ended (signed out on another device,
			// the account deleted); an Auth server that cannot answer is an outage to show, not a
			// reason to send the user to the sign-in page.
			if (!error || rejectedByAuth(error)) return { session: null, user: null, ended: true };
			console.error('[auth] could not verify the session:', error);
			kitError(503, 'Spotter cannot reach its sign-in service right now. Try again in a moment.');
		}
		return { session: { ...session, user }, user, ended: false };
	};

	return resolve(event, {
		filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version'
	});
};

/** Set when a request found its session ended elsewhere (see authGuard). */
const ENDED_COOKIE = 'spotter-session-ended';

const authGuard: Handle = async ({ event, resolve }) => {
	const { session, user, ended } = await event.locals.safeGetSession();
	event.locals.session = session;
	event.locals.user = user;

	const group = event.route.id?.split('/')[1];
	// The first request that finds the session ended also clears its cookies, and that may be the
	// service worker refreshing a kept page rather than the page the person sees: the next signed-out
	// request of this browser within a minute is still told.
	if (ended) event.cookies.set(ENDED_COOKIE, '1', { path: '/', maxAge: 60, httpOnly: true, sameSite: 'lax' });
	if (!session && group === '(app)') {
		const back = event.url.pathname + event.url.search;
		const query: Record<string, string> = { redirectTo: back };
		// A session that ended elsewhere is said so on the sign-in page.
		if (ended || event.cookies.get(ENDED_COOKIE)) {
			query.ended = '1';
			if (!ended) event.cookies.delete(ENDED_COOKIE, { path: '/' });
		}
		redirect(303, `/sign-in?${new URLSearchParams(query)}`);
	}
	if (session && group === '(public)') {
		redirect(303, '/messages');
	}
	// The app found no session and sent its page here itself (a kept page, started while the
	// worker's refresh ended the session): the sign-in page still says why.
	if (!session && event.url.pathname === '/sign-in' && !event.url.searchParams.has('ended')) {
		if (event.cookies.get(ENDED_COOKIE)) {
			event.cookies.delete(ENDED_COOKIE, { path: '/' });
			const told = new URL(event.url);
			told.searchParams.set('ended', '1');
			redirect(303, told.pathname + told.search);
		}
	}
	const response = await resolve(event);
	// A signed-in page says whose it is: the service worker keeps it for a warm start of that user
	// only (src/service-worker.ts).
	if (
		user &&
		group === '(app)' &&
		!event.isDataRequest &&
		response.status === 200 &&
		response.headers.get('content-type')?.startsWith('text/html')
	) {
		response.headers.set(PAGE_USER_HEADER, user.id);
	}
	return response;
};

export const handle: Handle = sequence(supabase, authGuard);
