import { AuthClient as Real, type AuthChangeEvent, type GoTrueClient, type Session } from '@supabase/auth-js';
import { describe, expect, it } from 'vitest';
import { AuthClient } from './lazy-auth';

// The stand-in over an in-memory storage, as @supabase/ssr's cookie storage presents itself. The
// Auth server is a fake fetch (this is a unit test of the stand-in, not of Auth): it answers a
// refresh with a new session and a logout with 204, and records what was asked.
const storageKey = 'sb-127-auth-token';
const user = {
	id: '00000000-0000-4000-8000-000000000001',
	aud: 'authenticated',
	app_metadata: {},
	user_metadata: {},
	created_at: ''
};

function session(expiresInSeconds: number, token = 'access-1'): Session {
	const now = Math.floor(Date.now() / 1000);
	return {
		access_token: token,
		refresh_token: `refresh-of-${token}`,
		expires_in: expiresInSeconds,
		expires_at: now + expiresInSeconds,
		token_type: 'bearer',
		user
	};
}

function setup(stored: Session | string | null, Client: typeof AuthClient = AuthClient) {
	const items = new Map<string, string>();
	if (stored) items.set(storageKey, typeof stored === 'string' ? stored : JSON.stringify(stored));
	const requests: string[] = [];
	const fetch: typeof globalThis.fetch = async (input, init) => {
		const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
		requests.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
		if (url.pathname.endsWith('/token')) return Response.json(session(3600, 'access-2'));
		return new Response(null, { status: 204 });
	};
	const standIn = new Client({
		url: 'http://127.0.0.1:9/auth/v1',
		storageKey,
		storage: {
			getItem: async (key) => items.get(key) ?? null,
			setItem: async (key, value) => void items.set(key, value),
			removeItem: async (key) => void items.delete(key)
		},
		autoRefreshToken: false,
		persistSession: true,
		detectSessionInUrl: false,
		fetch
	});
	return { standIn, items, requests };
}

describe('the browser build’s stand-in Auth client', () => {
	it('answers with the stored session while its token is good, without loading auth-js or asking Auth', async () => {
		const { standIn, requests } = setup(session(3600));
		const { data, error } = await standIn.getSession();
		expect(error).toBeNull();
		expect(data.session?.access_token).toBe('access-1');
		expect(data.session?.user.id).toBe(user.id);
		expect(standIn.loaded).toBe(false);
		expect(requests).toEqual([]);
	});

	it('leaves a token inside auth-js’s refresh margin to auth-js, which refreshes it', async () => {
		const { standIn, requests, items } = setup(session(60));
		const { data, error } = await standIn.getSession();
		expect(error).toBeNull();
		expect(data.session?.access_token).toBe('access-2');
		expect(standIn.loaded).toBe(true);
		expect(requests).toContain('POST /auth/v1/token?grant_type=refresh_token');
		expect(JSON.parse(items.get(storageKey)!).access_token).toBe('access-2');
	});

	it('leaves no session, or one auth-js would not accept, to auth-js', async () => {
		for (const stored of [null, 'not json', JSON.stringify({ access_token: 'a' })]) {
			const { standIn } = setup(stored);
			const { data } = await standIn.getSession();
			expect(data.session).toBeNull();
			expect(standIn.loaded).toBe(true);
		}
	});

	it('passes listeners added before auth-js loaded on to it, except those already unsubscribed', async () => {
		const { standIn } = setup(session(3600));
		const heard: AuthChangeEvent[] = [];
		const dropped: AuthChangeEvent[] = [];
		standIn.onAuthStateChange((event) => void heard.push(event));
		standIn.onAuthStateChange((event) => void dropped.push(event)).data.subscription.unsubscribe();
		const real = await standIn.load();
		expect(real).toBeInstanceOf(Real);
		expect(await standIn.load()).toBe(real);
		await expect.poll(() => heard).toContain('INITIAL_SESSION');

		// Any other call goes to auth-js: a local sign-out removes the session and tells the listener.
		const { error } = await (standIn as unknown as GoTrueClient).signOut({ scope: 'local' });
		expect(error).toBeNull();
		expect(heard).toContain('SIGNED_OUT');
		expect(dropped).toEqual([]);
		expect((await standIn.getSession()).data.session).toBeNull();
	});

	it('loads auth-js for a call made before it was loaded, and stays usable as a base class and a promise value', async () => {
		// supabase-js subclasses it (SupabaseAuthClient).
		class SupabaseAuthClient extends AuthClient {}
		const { standIn, items } = setup(session(3600), SupabaseAuthClient);
		expect(standIn).toBeInstanceOf(SupabaseAuthClient);
		// Returned from an async function, it is a value, not a thenable.
		expect(await Promise.resolve(standIn)).toBe(standIn);
		const { error } = await (standIn as unknown as GoTrueClient).signOut({ scope: 'local' });
		expect(error).toBeNull();
		expect(standIn.loaded).toBe(true);
		expect(items.has(storageKey)).toBe(false);
	});
});
