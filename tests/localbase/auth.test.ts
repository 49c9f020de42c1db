// /auth/v1 through the official supabase-js: sign-up, sign-in, refresh rotation, user updates,
// sign-out scopes, admin routes, and GoTrue's error codes and shapes — on a localbase whose
// [auth.email] enable_confirmations is off (as `supabase start`'s default), so sign-up answers a
// session. The emailed flows with confirmations on are in auth-email.test.ts.
import { isAuthApiError, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createTestClient, startTestLocalbase, wellKnown, type TestLocalbase } from './harness.ts';
import { latestMailTo, linkIn } from './mail-support.ts';

let t: TestLocalbase;
let n = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${n++}@auth.test`;
const anon = () => createTestClient(t.url, wellKnown.publishableKey);
const admin = () => createTestClient(t.url, wellKnown.secretKey);

function decode(jwt: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function signUp(
	client: SupabaseClient,
	email = uniqueEmail('user'),
	data: Record<string, unknown> = {}
) {
	const { data: out, error } = await client.auth.signUp({
		email,
		password: 'correct-horse',
		options: { data }
	});
	expect(error).toBeNull();
	return { email, session: out.session!, user: out.user! };
}

async function authFetch(path: string, init: RequestInit = {}) {
	return fetch(`${t.url}/auth/v1${path}`, {
		...init,
		headers: { apikey: wellKnown.anonKey, 'x-supabase-api-version': '2024-01-01', ...init.headers }
	});
}

beforeAll(async () => {
	t = await startTestLocalbase({ auth: { email: { enableConfirmations: false } } });
});
afterAll(async () => {
	await t?.close();
});

describe('sign-up', () => {
	test('signing up with email and password returns a session at once, because confirmations are off', async () => {
		const client = anon();
		const email = uniqueEmail('new');
		const { data, error } = await client.auth.signUp({
			email,
			password: 'correct-horse',
			options: { data: { display_name: 'New Person' } }
		});
		expect(error).toBeNull();
		expect(data.session?.access_token).toBeTruthy();
		expect(data.session?.refresh_token).toBeTruthy();
		expect(data.session?.expires_in).toBe(3600);
		expect(data.user?.email).toBe(email);
		expect(data.user?.user_metadata).toMatchObject({
			display_name: 'New Person',
			email,
			email_verified: true
		});
		expect(data.user?.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
		expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', user_id: data.user?.id });
		expect(data.user?.email_confirmed_at).toBeTruthy();
	});

	test('the access token carries exactly the claims hosted Supabase Auth issues', async () => {
		const { session, user, email } = await signUp(anon(), uniqueEmail('claims'), { display_name: 'C' });
		const claims = decode(session.access_token);
		const header = JSON.parse(Buffer.from(session.access_token.split('.')[0], 'base64url').toString('utf8'));
		expect(header.alg).toBe('HS256');
		expect(claims).toMatchObject({
			iss: `${t.url}/auth/v1`,
			sub: user.id,
			aud: 'authenticated',
			email,
			phone: '',
			role: 'authenticated',
			aal: 'aal1',
			is_anonymous: false,
			app_metadata: { provider: 'email', providers: ['email'] },
			user_metadata: expect.objectContaining({ display_name: 'C' })
		});
		expect(claims.exp).toBe((claims.iat as number) + 3600);
		expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
		const { rows } = await t.lb.db.query('select user_id from auth.sessions where id = $1', [
			claims.session_id
		]);
		expect(rows).toEqual([{ user_id: user.id }]);
	});

	test('signing up twice with the same email fails with user_already_exists', async () => {
		const { email } = await signUp(anon());
		const { error } = await anon().auth.signUp({ email: email.toUpperCase(), password: 'another-one' });
		expect(isAuthApiError(error)).toBe(true);
		expect(error).toMatchObject({
			status: 422,
			code: 'user_already_exists',
			message: 'User already registered'
		});
	});

	test('a password under six characters is refused as weak_password with its reasons', async () => {
		const { error } = await anon().auth.signUp({ email: uniqueEmail('weak'), password: 'abc' });
		expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });
		expect(error?.message).toBe('Password should be at least 6 characters.');
	});

	test('signing up without a password fails with validation_failed', async () => {
		const { error } = await anon().auth.signUp({ email: uniqueEmail('nopw'), password: '' });
		expect(error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: 'Signup requires a valid password'
		});
	});

	test('an invalid email address is refused with validation_failed', async () => {
		const { error } = await anon().auth.signUp({ email: 'not-an-email', password: 'correct-horse' });
		expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
	});

	test('requesting the admin role at sign-up is refused with a 400 naming the reason, and leaves no partial user', async () => {
		// Spotter's profile trigger on auth.users refuses roles other than trainer and trainee.
		const email = uniqueEmail('admin');
		const { data, error } = await anon().auth.signUp({
			email,
			password: 'correct-horse',
			options: { data: { role: 'admin', display_name: 'Sneaky' } }
		});
		expect(data.session).toBeNull();
		expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
		expect(error?.message).toMatch(
			/^Database error saving new user: role "admin" cannot be chosen at sign-up/
		);
		const users = await t.lb.db.query('select count(*)::int as n from auth.users where email = $1', [email]);
		expect(users.rows[0]).toEqual({ n: 0 });
		const identities = await t.lb.db.query(
			`select count(*)::int as n from auth.identities where email = $1`,
			[email]
		);
		expect(identities.rows[0]).toEqual({ n: 0 });
	});

	test('signing up as a trainer creates a trainer profile from the sign-up metadata', async () => {
		const { user } = await signUp(anon(), uniqueEmail('trainer'), {
			role: 'trainer',
			display_name: 'Tess Trainer'
		});
		const { rows } = await t.lb.db.query(
			'select role::text, display_name from public.profiles where id = $1',
			[user.id]
		);
		expect(rows).toEqual([{ role: 'trainer', display_name: 'Tess Trainer' }]);
	});
});

describe('password sign-in', () => {
	test('a registered user signs in with the right password and receives a session with the user', async () => {
		const { email, user } = await signUp(anon());
		const { data, error } = await anon().auth.signInWithPassword({ email, password: 'correct-horse' });
		expect(error).toBeNull();
		expect(data.user?.id).toBe(user.id);
		expect(data.session?.user.id).toBe(user.id);
		expect(data.user?.last_sign_in_at).toBeTruthy();
		expect(decode(data.session!.access_token).sub).toBe(user.id);
	});

	test('a wrong password and an unknown email both fail with invalid_credentials', async () => {
		const { email } = await signUp(anon());
		for (const creds of [
			{ email, password: 'wrong-password' },
			{ email: uniqueEmail('nobody'), password: 'correct-horse' }
		]) {
			const { data, error } = await anon().auth.signInWithPassword(creds);
			expect(data.session).toBeNull();
			expect(error).toMatchObject({
				status: 400,
				code: 'invalid_credentials',
				message: 'Invalid login credentials'
			});
		}
	});

	test('a user whose password hash comes from pgcrypto crypt() with a bf salt can sign in', async () => {
		const email = uniqueEmail('seeded');
		await t.lb.db.query(
			`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
				raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
			 values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', $1,
				extensions.crypt('spotter-demo', extensions.gen_salt('bf')), now(),
				'{"provider":"email","providers":["email"]}', '{}', now(), now())`,
			[email]
		);
		const { data, error } = await anon().auth.signInWithPassword({ email, password: 'spotter-demo' });
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
	});

	test('a user created unconfirmed by an admin cannot sign in until confirmed: email_not_confirmed', async () => {
		const email = uniqueEmail('unconfirmed');
		const created = await admin().auth.admin.createUser({
			email,
			password: 'correct-horse',
			email_confirm: false
		});
		expect(created.error).toBeNull();
		const { error } = await anon().auth.signInWithPassword({ email, password: 'correct-horse' });
		expect(error).toMatchObject({ status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' });
	});
});

describe('refresh tokens', () => {
	test('refreshing rotates the refresh token and keeps the same session', async () => {
		const client = anon();
		const { email } = await signUp(client);
		const signIn = await client.auth.signInWithPassword({ email, password: 'correct-horse' });
		const before = signIn.data.session!;
		const { data, error } = await client.auth.refreshSession();
		expect(error).toBeNull();
		expect(data.session?.refresh_token).toBeTruthy();
		expect(data.session?.refresh_token).not.toBe(before.refresh_token);
		expect(decode(data.session!.access_token).session_id).toBe(decode(before.access_token).session_id);
	});

	test('an unknown refresh token fails with refresh_token_not_found', async () => {
		const { error } = await anon().auth.refreshSession({ refresh_token: 'no-such-token' });
		expect(error).toMatchObject({
			status: 400,
			code: 'refresh_token_not_found',
			message: 'Invalid Refresh Token: Refresh Token Not Found'
		});
	});

	test('a refresh token reused within 10 seconds returns the current token instead of failing', async () => {
		const { session } = await signUp(anon());
		const first = await anon().auth.refreshSession({ refresh_token: session.refresh_token });
		expect(first.error).toBeNull();
		const again = await anon().auth.refreshSession({ refresh_token: session.refresh_token });
		expect(again.error).toBeNull();
		expect(again.data.session?.refresh_token).toBe(first.data.session?.refresh_token);
	});

	test('a refresh token reused after the reuse window fails and revokes the whole token family', async () => {
		const { session } = await signUp(anon());
		const first = await anon().auth.refreshSession({ refresh_token: session.refresh_token });
		expect(first.error).toBeNull();
		await t.lb.db.query(
			`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`,
			[session.refresh_token]
		);
		const reused = await anon().auth.refreshSession({ refresh_token: session.refresh_token });
		expect(reused.error).toMatchObject({
			status: 400,
			code: 'refresh_token_already_used',
			message: 'Invalid Refresh Token: Already Used'
		});
		const child = await anon().auth.refreshSession({ refresh_token: first.data.session!.refresh_token });
		expect(child.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
	});
});

describe('the signed-in user', () => {
	test('getUser returns the user of the access token', async () => {
		const client = anon();
		const { user } = await signUp(client);
		const { data, error } = await client.auth.getUser();
		expect(error).toBeNull();
		expect(data.user?.id).toBe(user.id);
	});

	test('getClaims verifies an HS256 token through /user and returns its claims', async () => {
		const client = anon();
		const { user } = await signUp(client);
		const { data, error } = await client.auth.getClaims();
		expect(error).toBeNull();
		expect(data?.claims.sub).toBe(user.id);
	});

	test('updateUser merges metadata, and a key set to null is removed', async () => {
		const client = anon();
		await signUp(client, uniqueEmail('meta'), { display_name: 'Before', keep: 1 });
		const first = await client.auth.updateUser({ data: { display_name: 'After', extra: true } });
		expect(first.error).toBeNull();
		expect(first.data.user?.user_metadata).toMatchObject({ display_name: 'After', keep: 1, extra: true });
		const second = await client.auth.updateUser({ data: { extra: null } });
		expect(second.data.user?.user_metadata).not.toHaveProperty('extra');
	});

	test('changing the password lets the user sign in with the new one only, and ends other sessions', async () => {
		const client = anon();
		const { email } = await signUp(client);
		const other = anon();
		await other.auth.signInWithPassword({ email, password: 'correct-horse' });
		const { error } = await client.auth.updateUser({
			password: 'new-password-1',
			current_password: 'correct-horse'
		});
		expect(error).toBeNull();
		expect((await anon().auth.signInWithPassword({ email, password: 'correct-horse' })).error?.code).toBe(
			'invalid_credentials'
		);
		expect((await anon().auth.signInWithPassword({ email, password: 'new-password-1' })).error).toBeNull();
		expect((await client.auth.getUser()).error).toBeNull();
		const ended = await other.auth.getUser();
		expect(ended.error?.name).toBe('AuthSessionMissingError');
	});

	test('setting the same password again fails with same_password', async () => {
		const client = anon();
		await signUp(client);
		const { error } = await client.auth.updateUser({
			password: 'correct-horse',
			current_password: 'correct-horse'
		});
		expect(error).toMatchObject({ status: 422, code: 'same_password' });
	});

	test('with confirmations off, a changed email applies when the first mailed link is followed', async () => {
		// Supabase Auth mails an email change even when confirmations are off; only the double
		// confirmation is skipped.
		const client = anon();
		const { email } = await signUp(client);
		const next = uniqueEmail('renamed');
		const { data, error } = await client.auth.updateUser({ email: next });
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.new_email).toBe(next);
		const mail = await latestMailTo(t.mailUrl, next);
		const tokenHash = new URL(linkIn(mail)).searchParams.get('token_hash')!;
		const verified = await anon().auth.verifyOtp({ type: 'email_change', token_hash: tokenHash });
		expect(verified.error).toBeNull();
		expect(verified.data.user?.email).toBe(next);
		expect(
			(await anon().auth.signInWithPassword({ email: next, password: 'correct-horse' })).error
		).toBeNull();
	});
});

describe('sign-out', () => {
	test('signing out globally ends every session of the user, so its tokens stop working', async () => {
		const { email } = await signUp(anon());
		const a = anon();
		const b = anon();
		await a.auth.signInWithPassword({ email, password: 'correct-horse' });
		const bSession = (await b.auth.signInWithPassword({ email, password: 'correct-horse' })).data.session!;
		expect((await a.auth.signOut({ scope: 'global' })).error).toBeNull();
		const res = await authFetch('/user', { headers: { authorization: `Bearer ${bSession.access_token}` } });
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ code: 'session_not_found' });
		const refresh = await anon().auth.refreshSession({ refresh_token: bSession.refresh_token });
		expect(refresh.error?.code).toBe('refresh_token_not_found');
	});

	test('signing out locally ends only this session', async () => {
		const { email } = await signUp(anon());
		const a = anon();
		const b = anon();
		const aSession = (await a.auth.signInWithPassword({ email, password: 'correct-horse' })).data.session!;
		await b.auth.signInWithPassword({ email, password: 'correct-horse' });
		expect((await a.auth.signOut({ scope: 'local' })).error).toBeNull();
		expect((await a.auth.getSession()).data.session).toBeNull();
		expect((await b.auth.getUser()).error).toBeNull();
		const res = await authFetch('/user', { headers: { authorization: `Bearer ${aSession.access_token}` } });
		expect(res.status).toBe(403);
	});

	test('signing out others keeps this session and ends the rest', async () => {
		const { email } = await signUp(anon());
		const a = anon();
		const b = anon();
		await a.auth.signInWithPassword({ email, password: 'correct-horse' });
		await b.auth.signInWithPassword({ email, password: 'correct-horse' });
		expect((await a.auth.signOut({ scope: 'others' })).error).toBeNull();
		expect((await a.auth.getUser()).error).toBeNull();
		expect((await b.auth.getUser()).error?.name).toBe('AuthSessionMissingError');
	});
});

describe('admin', () => {
	test('the secret key can create, fetch, list and delete users', async () => {
		const email = uniqueEmail('admin-made');
		const created = await admin().auth.admin.createUser({
			email,
			password: 'correct-horse',
			email_confirm: true,
			user_metadata: { display_name: 'Made' }
		});
		expect(created.error).toBeNull();
		const id = created.data.user!.id;
		expect(created.data.user).toMatchObject({
			email,
			user_metadata: expect.objectContaining({ display_name: 'Made' })
		});
		const fetched = await admin().auth.admin.getUserById(id);
		expect(fetched.data.user?.email).toBe(email);
		const listed = await admin().auth.admin.listUsers({ page: 1, perPage: 1000 });
		expect(listed.error).toBeNull();
		expect(listed.data.users.map((u) => u.id)).toContain(id);
		const deleted = await admin().auth.admin.deleteUser(id);
		expect(deleted.error).toBeNull();
		expect(deleted.data.user?.id).toBe(id);
		const gone = await admin().auth.admin.getUserById(id);
		expect(gone.error).toMatchObject({ status: 404, code: 'user_not_found' });
	});

	test('listUsers pages with X-Total-Count and Link headers', async () => {
		for (let i = 0; i < 3; i++) await signUp(anon());
		const { data, error } = await admin().auth.admin.listUsers({ page: 1, perPage: 2 });
		expect(error).toBeNull();
		expect(data.users).toHaveLength(2);
		expect((data as unknown as { total: number }).total).toBeGreaterThanOrEqual(3);
		expect((data as unknown as { nextPage: number }).nextPage).toBe(2);
	});

	test('the legacy service_role key is accepted on admin routes too', async () => {
		const client = createTestClient(t.url, wellKnown.serviceRoleKey);
		const { error } = await client.auth.admin.listUsers();
		expect(error).toBeNull();
	});

	test('a deleted user can no longer use its token or refresh it', async () => {
		const { session, user } = await signUp(anon());
		expect((await admin().auth.admin.deleteUser(user.id)).error).toBeNull();
		const res = await authFetch('/user', { headers: { authorization: `Bearer ${session.access_token}` } });
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ code: 'user_not_found' });
		expect((await anon().auth.refreshSession({ refresh_token: session.refresh_token })).error?.code).toBe(
			'refresh_token_not_found'
		);
	});

	test('creating a user whose email exists fails with email_exists', async () => {
		const { email } = await signUp(anon());
		const { error } = await admin().auth.admin.createUser({ email, password: 'correct-horse' });
		expect(error).toMatchObject({ status: 422, code: 'email_exists' });
	});

	test('admin routes refuse the anon key and a user token with not_admin', async () => {
		const { error } = await anon().auth.admin.listUsers();
		expect(error).toMatchObject({ status: 403, code: 'not_admin', message: 'User not allowed' });
		const { session } = await signUp(anon());
		const asUser = createTestClient(t.url, wellKnown.publishableKey, session.access_token);
		const res = await asUser.auth.admin.createUser({ email: uniqueEmail('x'), password: 'correct-horse' });
		expect(res.error).toMatchObject({ status: 403, code: 'not_admin' });
	});

	test('updateUserById changes metadata and confirms the email', async () => {
		const email = uniqueEmail('upd');
		const created = await admin().auth.admin.createUser({ email, password: 'correct-horse' });
		const id = created.data.user!.id;
		const { data, error } = await admin().auth.admin.updateUserById(id, {
			email_confirm: true,
			app_metadata: { plan: 'pro' }
		});
		expect(error).toBeNull();
		expect(data.user?.app_metadata).toMatchObject({ provider: 'email', plan: 'pro' });
		expect((await anon().auth.signInWithPassword({ email, password: 'correct-horse' })).error).toBeNull();
	});
});

describe('protocol details', () => {
	test('settings report email sign-up enabled with autoconfirm on', async () => {
		const res = await authFetch('/settings');
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({
			external: { email: true },
			disable_signup: false,
			mailer_autoconfirm: true
		});
	});

	test('the JWKS endpoint publishes no keys, because tokens are HS256', async () => {
		const res = await authFetch('/.well-known/jwks.json');
		expect(await res.json()).toEqual({ keys: [] });
	});

	test('errors carry the API version header and x-sb-error-code', async () => {
		const res = await authFetch('/token?grant_type=password', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'nobody@auth.test', password: 'whatever' })
		});
		expect(res.status).toBe(400);
		expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
		expect(res.headers.get('x-sb-error-code')).toBe('invalid_credentials');
		expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
	});

	test('without the API version request header, errors use the legacy body', async () => {
		const res = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
			method: 'POST',
			headers: { apikey: wellKnown.anonKey, 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'nobody@auth.test', password: 'whatever' })
		});
		expect(await res.json()).toEqual({
			code: 400,
			error_code: 'invalid_credentials',
			msg: 'Invalid login credentials'
		});
	});

	test('GET /user without a bearer token fails with no_authorization, with the anon key with bad_jwt', async () => {
		const none = await fetch(`${t.url}/auth/v1/user`, {
			headers: { 'x-supabase-api-version': '2024-01-01', apikey: '' }
		});
		expect(none.status).toBe(401);
		const anonKey = await authFetch('/user', { headers: { authorization: `Bearer ${wellKnown.anonKey}` } });
		expect(anonKey.status).toBe(403);
		expect(await anonKey.json()).toEqual({ code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
	});

	test('unsupported Auth features answer with an error that names them', async () => {
		const { error } = await anon().auth.signInWithOtp({ email: uniqueEmail('otp') });
		expect(error?.message).toMatch(/localbase does not support one-time password/);
	});
});

describe('@supabase/ssr', () => {
	test('a server client signs in with PKCE, stores the session in cookies and reads the user back', async () => {
		const { createServerClient } = await import('@supabase/ssr');
		const jar = new Map<string, string>();
		const cookies = {
			getAll: () => [...jar].map(([name, value]) => ({ name, value })),
			setAll: (list: { name: string; value: string }[]) => {
				for (const { name, value } of list) {
					if (value) jar.set(name, value);
					else jar.delete(name);
				}
			}
		};
		const options = {
			cookies,
			auth: { autoRefreshToken: false },
			realtime: { transport: WebSocket as never }
		};
		const { email } = await signUp(anon());
		const server = createServerClient(t.url, wellKnown.publishableKey, options);
		const { error } = await server.auth.signInWithPassword({ email, password: 'correct-horse' });
		expect(error).toBeNull();
		const stored = [...jar.keys()].find((k) => k.startsWith('sb-127-auth-token'));
		expect(stored).toBeDefined();
		expect(jar.get(stored!)).toMatch(/^base64-/);
		const next = createServerClient(t.url, wellKnown.publishableKey, options);
		const { data } = await next.auth.getUser();
		expect(data.user?.email).toBe(email);
	});
});
