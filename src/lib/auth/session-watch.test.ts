import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Supabase } from '$lib/supabase/types';
import { expectSignOut, reportingFetch, sessionIsGone, watchSession } from './session-watch';

type Listener = (event: string, session: { expires_at: number } | null) => void;

/**
 * A supabase-js client as the watch sees it. `auth` answers getUser as Auth would for a live
 * session (`live`), an ended one (403 session_not_found, which makes supabase-js drop the session
 * and emit SIGNED_OUT), or an outage; signOut({scope:'local'}) drops it too.
 */
function fakeClient(answer: 'live' | 'ended' | 'deleted' | 'outage') {
	const listeners: Listener[] = [];
	let session: { expires_at: number } | null = { expires_at: 1 };
	const calls: string[] = [];
	const drop = () => {
		session = null;
		for (const l of listeners) l('SIGNED_OUT', null);
	};
	const supabase = {
		auth: {
			onAuthStateChange: (listener: Listener) => {
				listeners.push(listener);
				return {
					data: { subscription: { unsubscribe: () => listeners.splice(listeners.indexOf(listener), 1) } }
				};
			},
			getUser: async () => {
				calls.push('getUser');
				if (answer === 'live') return { data: { user: { id: 'me' } }, error: null };
				if (answer === 'outage')
					return { data: { user: null }, error: { status: 503, code: 'unexpected_failure' } };
				if (answer === 'ended') drop();
				return {
					data: { user: null },
					error: { status: 403, code: answer === 'ended' ? 'session_not_found' : 'user_not_found' }
				};
			},
			getSession: async () => ({ data: { session } }),
			signOut: async ({ scope }: { scope: string }) => {
				calls.push(`signOut ${scope}`);
				drop();
				return { error: null };
			}
		}
	} as unknown as Supabase;
	return { supabase, calls, emit: (event: string) => listeners.forEach((l) => l(event, session)) };
}

/** A fetch that answers every request with `status` and a PostgREST-style error body. */
function answering(status: number, body: unknown): typeof fetch {
	return async () =>
		new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

afterEach(() => vi.unstubAllGlobals());

function watched(answer: Parameters<typeof fakeClient>[0]) {
	vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
	const client = fakeClient(answer);
	const ended = vi.fn();
	const changed = vi.fn();
	const stop = watchSession(client.supabase, { signedIn: true, onEnded: ended, onChange: changed });
	return { ...client, ended, changed, stop };
}

describe('whether Auth still knows the session', () => {
	it('is yes for a live session, and nothing is removed', async () => {
		const { supabase, calls } = fakeClient('live');
		expect(await sessionIsGone(supabase)).toBe(false);
		expect(calls).toEqual(['getUser']);
	});

	it('is no for an ended session or a deleted user; a deleted user’s session is removed here too', async () => {
		expect(await sessionIsGone(fakeClient('ended').supabase)).toBe(true);
		const deleted = fakeClient('deleted');
		expect(await sessionIsGone(deleted.supabase)).toBe(true);
		expect(deleted.calls).toEqual(['getUser', 'signOut local']);
	});

	it('is unknown (treated as still signed in) when Auth cannot be reached', async () => {
		const { supabase, calls } = fakeClient('outage');
		expect(await sessionIsGone(supabase)).toBe(false);
		expect(calls).toEqual(['getUser']);
	});
});

describe('the session watch', () => {
	it('turns a read-only refusal (SP006) of an ended session into "signed out", as on a hosted project', async () => {
		const { ended, stop } = watched('ended');
		const fetch = reportingFetch(answering(400, { code: 'SP006', message: 'read-only' }));
		const response = await fetch('https://x.supabase.co/rest/v1/rpc/send_message', { method: 'POST' });
		// The caller gets the answer untouched.
		expect((await response.json()).code).toBe('SP006');
		await settle();
		expect(ended).toHaveBeenCalledTimes(1);
		stop();
	});

	it('leaves SP006 alone when Auth still knows the session (a real read-only session)', async () => {
		const { ended, calls, stop } = watched('live');
		await reportingFetch(answering(400, { code: 'SP006' }))('http://127.0.0.1:54321/rest/v1/rpc/x');
		await settle();
		expect(calls).toEqual(['getUser']);
		expect(ended).not.toHaveBeenCalled();
		stop();
	});

	it('asks Auth on a refused token (PGRST301) but not on other refusals, nor on answers from Auth itself', async () => {
		const { ended, calls, stop } = watched('ended');
		await reportingFetch(answering(400, { code: 'SP005' }))('http://h/rest/v1/rpc/send_message');
		await reportingFetch(answering(403, { code: 'SP006' }))('http://h/auth/v1/user');
		await settle();
		expect(calls).toEqual([]);
		await reportingFetch(answering(401, { code: 'PGRST301' }))('http://h/rest/v1/profiles');
		await settle();
		expect(ended).toHaveBeenCalledTimes(1);
		stop();
	});

	it('asks Auth when the app comes back into view', async () => {
		const { ended, stop } = watched('ended');
		document.dispatchEvent(new Event('visibilitychange'));
		await settle();
		expect(ended).toHaveBeenCalledTimes(1);
		stop();
	});

	it('does not report this device’s own sign-out as "signed out elsewhere"', async () => {
		const { ended, changed, emit, stop } = watched('live');
		const done = expectSignOut();
		emit('SIGNED_OUT');
		done();
		expect(ended).not.toHaveBeenCalled();
		expect(changed).toHaveBeenCalled();
		stop();
	});

	it('stops listening when stopped', async () => {
		const { ended, calls, stop } = watched('ended');
		stop();
		await reportingFetch(answering(401, { code: 'PGRST301' }))('http://h/rest/v1/profiles');
		document.dispatchEvent(new Event('visibilitychange'));
		await settle();
		expect(calls).toEqual([]);
		expect(ended).not.toHaveBeenCalled();
	});

	it('loads the Auth client when it starts (the browser build’s stand-in), and again once back online if that failed', async () => {
		const window = new EventTarget();
		vi.stubGlobal('window', window);
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const { supabase, stop } = watched('live');
		stop();
		let attempts = 0;
		let offline = true;
		(supabase.auth as unknown as { load: () => Promise<void> }).load = async () => {
			attempts++;
			if (offline) throw new TypeError('Failed to fetch dynamically imported module');
		};
		const again = watchSession(supabase, { signedIn: true, onEnded: vi.fn(), onChange: vi.fn() });
		await settle();
		expect(attempts).toBe(1);
		expect(warn).toHaveBeenCalledOnce();
		offline = false;
		window.dispatchEvent(new Event('online'));
		await settle();
		expect(attempts).toBe(2);
		// Loaded: coming back online again asks nothing more, and neither does a stopped watch.
		window.dispatchEvent(new Event('online'));
		await settle();
		expect(attempts).toBe(2);
		again();

		offline = true;
		const stopped = watchSession(supabase, { signedIn: true, onEnded: vi.fn(), onChange: vi.fn() });
		await settle();
		stopped();
		offline = false;
		window.dispatchEvent(new Event('online'));
		await settle();
		expect(attempts).toBe(3);
		warn.mockRestore();
	});
});
