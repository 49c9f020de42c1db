// The emailed flows of /auth/v1 through the official supabase-js (and @supabase/ssr for PKCE), with
// supabase/config.toml's settings (confirmations on, Spotter's templates) and, where a test needs
// the code or the GET /verify link, a localbase whose templates show them: sign-up confirmation,
// POST and GET /verify, resend, recovery, the secure email change, and their errors.
import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createTestClient, startTestLocalbase, wellKnown, type TestLocalbase } from './harness.ts';
import { clearInbox, latestMailTo, linkIn, mailsTo, type MailMessage } from './mail-support.ts';

const fixture = path.join(import.meta.dirname, 'fixtures', 'link-and-code.html');
const password = 'correct-horse';

/** supabase/config.toml as it is. */
let t: TestLocalbase;
/** Templates that show the code and the GET /verify link, a 60 s max_frequency, a redirect glob. */
let u: TestLocalbase;
let n = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${n++}@mail.test`;
const anon = (lb: TestLocalbase) => createTestClient(lb.url, wellKnown.publishableKey);

beforeAll(async () => {
	t = await startTestLocalbase();
	u = await startTestLocalbase({
		auth: {
			siteUrl: 'http://localhost:5173',
			additionalRedirectUrls: ['https://*.spotter.example/**'],
			email: {
				maxFrequency: 60,
				templates: {
					confirmation: { subject: 'Code {{ .Token }}', contentPath: fixture },
					recovery: { subject: 'Recover', contentPath: fixture },
					email_change: { subject: 'Change', contentPath: fixture }
				}
			}
		}
	});
});
afterAll(async () => {
	await t?.close();
	await u?.close();
});

const hashIn = (mail: MailMessage) => new URL(linkIn(mail)).searchParams.get('token_hash') ?? '';
const codeIn = (mail: MailMessage) => /Code: <strong>(\d+)<\/strong>/.exec(mail.HTML)?.[1] ?? '';

async function signUp(lb: TestLocalbase, email = uniqueEmail('user'), data: Record<string, unknown> = {}) {
	const { data: out, error } = await anon(lb).auth.signUp({ email, password, options: { data } });
	expect(error).toBeNull();
	return { email, user: out.user! };
}

async function userRow(lb: TestLocalbase, email: string) {
	const { rows } = await lb.lb.db.query<{
		id: string;
		email: string;
		email_confirmed_at: Date | null;
		raw_user_meta_data: Record<string, unknown>;
	}>(`select id, email, email_confirmed_at, raw_user_meta_data from auth.users where email = $1`, [email]);
	return rows[0];
}

/** GET a mailed link without following the redirect, as a browser's first request. */
async function follow(link: string) {
	const res = await fetch(link, { redirect: 'manual' });
	return { status: res.status, location: res.headers.get('location') ?? '' };
}

const fragmentOf = (location: string) => new URLSearchParams(new URL(location).hash.slice(1));

/** A confirmed user (made by the admin API) signed in on a client of its own. */
async function confirmedClient(lb: TestLocalbase) {
	const email = uniqueEmail('confirmed');
	const admin = createTestClient(lb.url, wellKnown.secretKey);
	expect((await admin.auth.admin.createUser({ email, password, email_confirm: true })).error).toBeNull();
	const client = anon(lb);
	expect((await client.auth.signInWithPassword({ email, password })).error).toBeNull();
	return { client, email };
}

function ssrClient(lb: TestLocalbase) {
	const jar = new Map<string, string>();
	const client = createServerClient(lb.url, wellKnown.publishableKey, {
		cookies: {
			getAll: () => [...jar].map(([name, value]) => ({ name, value })),
			setAll: (list) => {
				for (const { name, value } of list) {
					if (value) jar.set(name, value);
					else jar.delete(name);
				}
			}
		},
		auth: { autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	});
	return { client: client as unknown as SupabaseClient, jar };
}

describe('sign-up with confirmations on', () => {
	test('sign-up answers the user without a session and mails a confirmation built from the Spotter template', async () => {
		const email = uniqueEmail('new');
		const { data, error } = await anon(t).auth.signUp({
			email,
			password,
			options: { data: { display_name: 'Nia New', role: 'trainee' } }
		});
		expect(error).toBeNull();
		expect(data.session).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.confirmation_sent_at).toBeTruthy();
		expect(data.user?.email_confirmed_at).toBeUndefined();
		expect(data.user?.identities).toHaveLength(1);
		const mail = await latestMailTo(t.mailUrl, email);
		expect(mail.Subject).toBe('Confirm your email for Spotter');
		expect(mail.From).toEqual({ Name: 'Admin', Address: 'admin@email.com' });
		expect(mail.HTML).toContain('Hi Nia New, welcome to Spotter.');
		const link = new URL(linkIn(mail));
		expect(`${link.origin}${link.pathname}`).toBe('http://localhost:5173/auth/confirm');
		expect(link.searchParams.get('type')).toBe('email');
		expect(link.searchParams.get('next')).toBe('/messages');
		expect(link.searchParams.get('token_hash')).toMatch(/^[0-9a-f]{56}$/);
		// The text part is derived from the HTML (Supabase Auth sends HTML only), link included.
		expect(mail.Text).toContain('Confirm that ' + email + ' is your address');
		expect(mail.Text).toContain(link.toString());
	});

	test('password sign-in before confirmation fails with email_not_confirmed', async () => {
		const { email } = await signUp(t);
		const { data, error } = await anon(t).auth.signInWithPassword({ email, password });
		expect(data.session).toBeNull();
		expect(error).toMatchObject({ status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' });
	});

	test('verifyOtp with the mailed token hash confirms the address, sets email_verified and signs in', async () => {
		const { email, user } = await signUp(t, uniqueEmail('confirm'), { display_name: 'Cory' });
		const tokenHash = hashIn(await latestMailTo(t.mailUrl, email));
		const client = anon(t);
		const { data, error } = await client.auth.verifyOtp({ type: 'email', token_hash: tokenHash });
		expect(error).toBeNull();
		expect(data.session?.access_token).toBeTruthy();
		expect(data.user?.id).toBe(user.id);
		expect(data.user?.email_confirmed_at).toBeTruthy();
		expect(data.user?.user_metadata).toMatchObject({ email_verified: true, display_name: 'Cory' });
		expect(data.user?.identities?.[0].identity_data).toMatchObject({ email_verified: true });
		const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1], 'base64url').toString());
		expect(claims.amr).toEqual([{ method: 'otp', timestamp: expect.any(Number) }]);
		expect((await client.auth.getUser()).data.user?.email).toBe(email);
		expect((await anon(t).auth.signInWithPassword({ email, password })).error).toBeNull();
	});

	test('a token hash works once: the second use fails with otp_expired', async () => {
		const { email } = await signUp(t);
		const tokenHash = hashIn(await latestMailTo(t.mailUrl, email));
		expect((await anon(t).auth.verifyOtp({ type: 'signup', token_hash: tokenHash })).error).toBeNull();
		const again = await anon(t).auth.verifyOtp({ type: 'signup', token_hash: tokenHash });
		expect(again.error).toMatchObject({
			status: 403,
			code: 'otp_expired',
			message: 'Email link is invalid or has expired'
		});
	});

	test('two requests racing with one token hash: one signs in, the other gets otp_expired', async () => {
		const { email } = await signUp(t);
		const tokenHash = hashIn(await latestMailTo(t.mailUrl, email));
		const results = await Promise.all(
			[0, 1, 2].map(() => anon(t).auth.verifyOtp({ type: 'email', token_hash: tokenHash }))
		);
		expect(results.filter((r) => r.error === null)).toHaveLength(1);
		expect(results.filter((r) => r.error?.code === 'otp_expired')).toHaveLength(2);
		const sessions = await t.lb.db.query<{ n: number }>(
			`select count(*)::int as n from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1`,
			[email]
		);
		expect(sessions.rows[0].n).toBe(1);
	});

	test('a token hash nobody was sent fails with otp_expired', async () => {
		const { error } = await anon(t).auth.verifyOtp({ type: 'email', token_hash: 'f'.repeat(56) });
		expect(error).toMatchObject({
			status: 403,
			code: 'otp_expired',
			message: 'Email link is invalid or has expired'
		});
	});

	test('a token is valid until sent_at + otp_expiry and refused one second after', async () => {
		const expiry = t.lb.config.auth.email.otpExpiry;
		expect(expiry).toBe(3600);
		const early = await signUp(t);
		const earlyHash = hashIn(await latestMailTo(t.mailUrl, early.email));
		await t.lb.db.query(
			`update auth.users set confirmation_sent_at = now() - make_interval(secs => $2) where email = $1`,
			[early.email, expiry - 30]
		);
		expect((await anon(t).auth.verifyOtp({ type: 'email', token_hash: earlyHash })).error).toBeNull();
		const late = await signUp(t);
		const lateHash = hashIn(await latestMailTo(t.mailUrl, late.email));
		await t.lb.db.query(
			`update auth.users set confirmation_sent_at = now() - make_interval(secs => $2) where email = $1`,
			[late.email, expiry + 1]
		);
		const { error } = await anon(t).auth.verifyOtp({ type: 'email', token_hash: lateHash });
		expect(error).toMatchObject({ status: 403, code: 'otp_expired' });
		expect((await userRow(t, late.email)).email_confirmed_at).toBeNull();
	});

	test('verifyOtp with the email and the mailed code signs in; a wrong code fails with otp_expired', async () => {
		const email = uniqueEmail('code');
		await signUp(u, email);
		const mail = await latestMailTo(u.mailUrl, email);
		const code = codeIn(mail);
		expect(code).toMatch(/^\d{6}$/);
		expect(mail.Subject).toBe(`Code ${code}`);
		const wrong = await anon(u).auth.verifyOtp({
			type: 'email',
			email,
			token: code === '000000' ? '111111' : '000000'
		});
		expect(wrong.error).toMatchObject({
			status: 403,
			code: 'otp_expired',
			message: 'Token has expired or is invalid'
		});
		const { data, error } = await anon(u).auth.verifyOtp({ type: 'email', email, token: code });
		expect(error).toBeNull();
		expect(data.user?.email_confirmed_at).toBeTruthy();
	});

	test('repeating the sign-up of an unconfirmed address mails a new token, and the old one stops working', async () => {
		const { email, user } = await signUp(t, uniqueEmail('again'), { display_name: 'First' });
		const firstHash = hashIn(await latestMailTo(t.mailUrl, email));
		// Past max_frequency (1 s in config.toml).
		await t.lb.db.query(
			`update auth.users set confirmation_sent_at = now() - interval '2 seconds' where email = $1`,
			[email]
		);
		const again = await anon(t).auth.signUp({
			email,
			password: 'another-password',
			options: { data: { display_name: 'Second' } }
		});
		expect(again.error).toBeNull();
		expect(again.data.user?.id).toBe(user.id);
		expect(again.data.session).toBeNull();
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(2);
		const secondHash = hashIn(await latestMailTo(t.mailUrl, email));
		expect(secondHash).not.toBe(firstHash);
		expect((await anon(t).auth.verifyOtp({ type: 'email', token_hash: firstHash })).error?.code).toBe(
			'otp_expired'
		);
		expect((await anon(t).auth.verifyOtp({ type: 'email', token_hash: secondHash })).error).toBeNull();
		// The repeated sign-up proved nothing: the first password and name stand.
		expect((await anon(t).auth.signInWithPassword({ email, password })).error).toBeNull();
		expect((await userRow(t, email)).raw_user_meta_data.display_name).toBe('First');
	});

	test('a repeated sign-up within max_frequency fails with over_email_send_rate_limit and the wait', async () => {
		const { email } = await signUp(u);
		const { error } = await anon(u).auth.signUp({ email, password });
		expect(error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
		expect(error?.message).toMatch(
			/^For security purposes, you can only request this after (59|60) seconds\.$/
		);
		expect(await mailsTo(u.mailUrl, email)).toHaveLength(1);
	});

	test('signing up with a confirmed address answers a made-up user and mails nothing', async () => {
		const email = uniqueEmail('taken');
		const created = await createTestClient(t.url, wellKnown.secretKey).auth.admin.createUser({
			email,
			password,
			email_confirm: true
		});
		expect(created.error).toBeNull();
		const { data, error } = await anon(t).auth.signUp({ email, password: 'a-different-one' });
		expect(error).toBeNull();
		expect(data.session).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.id).not.toBe(created.data.user!.id);
		expect(data.user?.identities).toEqual([]);
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(0);
	});

	test('settings report autoconfirm off', async () => {
		const res = await fetch(`${t.url}/auth/v1/settings`, { headers: { apikey: wellKnown.anonKey } });
		expect(await res.json()).toMatchObject({ mailer_autoconfirm: false });
	});

	test('metadata in a mail is escaped: a name cannot add markup or links', async () => {
		const email = uniqueEmail('markup');
		await signUp(t, email, { display_name: '<a href="https://evil.example">Win</a><script>x()</script>' });
		const mail = await latestMailTo(t.mailUrl, email);
		expect(mail.HTML).not.toContain('<script>');
		expect(mail.HTML).not.toContain('href="https://evil.example"');
		expect(mail.HTML).toContain('&lt;script&gt;');
	});
});

describe('POST /verify input', () => {
	const verify = (body: unknown) =>
		fetch(`${t.url}/auth/v1/verify`, {
			method: 'POST',
			headers: {
				apikey: wellKnown.anonKey,
				'content-type': 'application/json',
				'x-supabase-api-version': '2024-01-01'
			},
			body: JSON.stringify(body)
		});

	test.each([
		['no type', { token_hash: 'abc' }, 'Verify requires a verification type'],
		[
			'both a token and a token hash',
			{ type: 'email', token: '123456', token_hash: 'abc', email: 'a@b.test' },
			'Verify requires either a token or a token hash'
		],
		['neither a token nor a token hash', { type: 'email' }, 'Verify requires either a token or a token hash'],
		[
			'a token hash with an email',
			{ type: 'email', token_hash: 'abc', email: 'a@b.test' },
			'Only the token_hash and type should be provided'
		],
		[
			'a token hash with a redirect',
			{ type: 'email', token_hash: 'abc', redirect_to: 'http://localhost:5173' },
			'Only the token_hash and type should be provided'
		],
		['an unknown type', { type: 'bogus', token_hash: 'abc' }, 'Invalid email verification type']
	])('%s answers 400 validation_failed', async (_case, body, message) => {
		const res = await verify(body);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ code: 'validation_failed', message });
	});
});

describe('GET /verify, the link in the mail', () => {
	test('the link confirms and redirects 303 to redirect_to with the session in the fragment', async () => {
		const email = uniqueEmail('link');
		const { error } = await anon(u).auth.signUp({
			email,
			password,
			options: { emailRedirectTo: 'http://127.0.0.1:4173/auth/callback' }
		});
		expect(error).toBeNull();
		const mail = await latestMailTo(u.mailUrl, email);
		expect(mail.HTML).toContain('Redirect: http://127.0.0.1:4173/auth/callback');
		const link = linkIn(mail);
		expect(link).toMatch(
			new RegExp(
				`^${u.url}/auth/v1/verify\\?token=[0-9a-f]{56}&type=signup&redirect_to=http://127.0.0.1:4173/auth/callback$`
			)
		);
		const { status, location } = await follow(link);
		expect(status).toBe(303);
		expect(location.split('#')[0]).toBe('http://127.0.0.1:4173/auth/callback');
		const fragment = fragmentOf(location);
		expect([...fragment.keys()]).toEqual([
			'access_token',
			'expires_at',
			'expires_in',
			'refresh_token',
			'sb',
			'token_type',
			'type'
		]);
		expect(fragment.get('type')).toBe('signup');
		expect(fragment.get('token_type')).toBe('bearer');
		const client = createTestClient(u.url, wellKnown.publishableKey, fragment.get('access_token')!);
		expect((await client.auth.getUser(fragment.get('access_token')!)).data.user?.email).toBe(email);
		expect((await userRow(u, email)).email_confirmed_at).not.toBeNull();
	});

	test('a used link redirects with otp_expired in the fragment', async () => {
		const { email } = await signUp(u);
		const link = linkIn(await latestMailTo(u.mailUrl, email));
		expect((await follow(link)).status).toBe(303);
		const { status, location } = await follow(link);
		expect(status).toBe(303);
		expect(location).toBe(
			'http://localhost:5173#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb='
		);
	});

	test('a redirect outside the allow-list falls back to site_url; one matching a glob is kept', async () => {
		const outside = uniqueEmail('evil');
		await anon(u).auth.signUp({
			email: outside,
			password,
			options: { emailRedirectTo: 'https://evil.example/steal' }
		});
		const outsideMail = await latestMailTo(u.mailUrl, outside);
		expect(outsideMail.HTML).toContain('Redirect: http://localhost:5173<');
		expect((await follow(linkIn(outsideMail))).location.split('#')[0]).toBe('http://localhost:5173');
		const inside = uniqueEmail('glob');
		await anon(u).auth.signUp({
			email: inside,
			password,
			options: { emailRedirectTo: 'https://app.spotter.example/a/b' }
		});
		expect((await follow(linkIn(await latestMailTo(u.mailUrl, inside)))).location.split('#')[0]).toBe(
			'https://app.spotter.example/a/b'
		);
	});

	test('a link without a token answers 400 instead of redirecting', async () => {
		const res = await fetch(`${u.url}/auth/v1/verify?type=signup`, {
			redirect: 'manual',
			headers: { apikey: wellKnown.anonKey, 'x-supabase-api-version': '2024-01-01' }
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: 'validation_failed' });
	});
});

describe('PKCE (@supabase/ssr)', () => {
	test('a sign-up from a server client mails a pkce_ token hash, which verifyOtp accepts', async () => {
		const email = uniqueEmail('pkce');
		const { client } = ssrClient(t);
		const { data, error } = await client.auth.signUp({ email, password });
		expect(error).toBeNull();
		expect(data.session).toBeNull();
		const tokenHash = hashIn(await latestMailTo(t.mailUrl, email));
		expect(tokenHash).toMatch(/^pkce_[0-9a-f]{56}$/);
		const verified = await ssrClient(t).client.auth.verifyOtp({ type: 'email', token_hash: tokenHash });
		expect(verified.error).toBeNull();
		expect(verified.data.session?.user.email).toBe(email);
	});

	test('the GET link of a PKCE sign-up redirects with ?code=, which the same client exchanges for a session', async () => {
		const email = uniqueEmail('code-flow');
		const { client } = ssrClient(u);
		expect(
			(
				await client.auth.signUp({
					email,
					password,
					options: { emailRedirectTo: 'http://localhost:5173/auth/callback' }
				})
			).error
		).toBeNull();
		const link = linkIn(await latestMailTo(u.mailUrl, email));
		expect(new URL(link).searchParams.get('token')).toMatch(/^pkce_/);
		const { status, location } = await follow(link);
		expect(status).toBe(303);
		const code = new URL(location).searchParams.get('code');
		expect(code).toBeTruthy();
		const stranger = await ssrClient(u).client.auth.exchangeCodeForSession(code!);
		expect(stranger.error).toBeTruthy();
		const { data, error } = await client.auth.exchangeCodeForSession(code!);
		expect(error).toBeNull();
		expect(data.session?.user.email).toBe(email);
		const reused = await client.auth.exchangeCodeForSession(code!);
		expect(reused.error).toBeTruthy();
	});

	test('the code exchange answers flow_state_not_found, bad_code_verifier and flow_state_expired', async () => {
		const token = (body: unknown) =>
			fetch(`${u.url}/auth/v1/token?grant_type=pkce`, {
				method: 'POST',
				headers: {
					apikey: wellKnown.anonKey,
					'content-type': 'application/json',
					'x-supabase-api-version': '2024-01-01'
				},
				body: JSON.stringify(body)
			});
		const unknown = await token({ auth_code: crypto.randomUUID(), code_verifier: 'v'.repeat(43) });
		expect(unknown.status).toBe(404);
		expect((await unknown.json()).code).toBe('flow_state_not_found');
		const email = uniqueEmail('verifier');
		await ssrClient(u).client.auth.signUp({ email, password });
		const { location } = await follow(linkIn(await latestMailTo(u.mailUrl, email)));
		const code = new URL(location).searchParams.get('code')!;
		const wrong = await token({ auth_code: code, code_verifier: 'w'.repeat(43) });
		expect(wrong.status).toBe(400);
		expect(await wrong.json()).toEqual({
			code: 'bad_code_verifier',
			message: 'code challenge does not match previously saved code verifier'
		});
		await u.lb.db.query(
			`update auth.flow_state set created_at = now() - interval '301 seconds' where auth_code = $1`,
			[code]
		);
		const late = await token({ auth_code: code, code_verifier: 'w'.repeat(43) });
		expect(late.status).toBe(422);
		expect((await late.json()).code).toBe('flow_state_expired');
	});
});

describe('resend', () => {
	test('resend of a sign-up mails a new confirmation; unknown and confirmed addresses answer the same and get nothing', async () => {
		const { email } = await signUp(t);
		await t.lb.db.query(
			`update auth.users set confirmation_sent_at = now() - interval '2 seconds' where email = $1`,
			[email]
		);
		const { error } = await anon(t).auth.resend({ type: 'signup', email });
		expect(error).toBeNull();
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(2);
		const nobody = uniqueEmail('nobody');
		expect((await anon(t).auth.resend({ type: 'signup', email: nobody })).error).toBeNull();
		expect(await mailsTo(t.mailUrl, nobody)).toHaveLength(0);
		expect(
			(
				await anon(t).auth.verifyOtp({
					type: 'email',
					token_hash: hashIn(await latestMailTo(t.mailUrl, email))
				})
			).error
		).toBeNull();
		await t.lb.db.query(
			`update auth.users set confirmation_sent_at = now() - interval '2 seconds' where email = $1`,
			[email]
		);
		expect((await anon(t).auth.resend({ type: 'signup', email })).error).toBeNull();
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(2);
	});

	test('resend within max_frequency fails with over_email_send_rate_limit', async () => {
		const { email } = await signUp(u);
		const { error } = await anon(u).auth.resend({ type: 'signup', email });
		expect(error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
		expect(error?.message).toMatch(/after (59|60) seconds/);
	});
});

describe('password recovery', () => {
	test('a recovery mail signs in through verifyOtp, and that session sets a new password without the current one', async () => {
		const { email } = await signUp(t);
		expect(
			(
				await anon(t).auth.verifyOtp({
					type: 'email',
					token_hash: hashIn(await latestMailTo(t.mailUrl, email))
				})
			).error
		).toBeNull();
		const other = anon(t);
		expect((await other.auth.signInWithPassword({ email, password })).error).toBeNull();
		const { data, error } = await anon(t).auth.resetPasswordForEmail(email, {
			redirectTo: 'http://localhost:5173/x'
		});
		expect(error).toBeNull();
		expect(data).toEqual({});
		const mail = await latestMailTo(t.mailUrl, email);
		expect(mail.Subject).toBe('Reset your Spotter password');
		const link = new URL(linkIn(mail));
		expect(link.searchParams.get('type')).toBe('recovery');
		const recovering = anon(t);
		const verified = await recovering.auth.verifyOtp({
			type: 'recovery',
			token_hash: link.searchParams.get('token_hash')!
		});
		expect(verified.error).toBeNull();
		const changed = await recovering.auth.updateUser({ password: 'brand-new-pass' });
		expect(changed.error).toBeNull();
		expect((await anon(t).auth.signInWithPassword({ email, password })).error?.code).toBe(
			'invalid_credentials'
		);
		expect((await anon(t).auth.signInWithPassword({ email, password: 'brand-new-pass' })).error).toBeNull();
		// The other device's session ended with the password change.
		expect((await other.auth.getUser()).error).toBeTruthy();
		// And the recovery link is spent.
		const again = await anon(t).auth.verifyOtp({
			type: 'recovery',
			token_hash: link.searchParams.get('token_hash')!
		});
		expect(again.error?.code).toBe('otp_expired');
	});

	test('recovery of an unknown address answers 200 {} and mails nothing', async () => {
		const email = uniqueEmail('ghost');
		const { data, error } = await anon(t).auth.resetPasswordForEmail(email);
		expect(error).toBeNull();
		expect(data).toEqual({});
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(0);
	});

	test('following a recovery link confirms an unconfirmed address', async () => {
		const { email } = await signUp(t);
		await clearInbox(t.mailUrl);
		expect((await anon(t).auth.resetPasswordForEmail(email)).error).toBeNull();
		const tokenHash = hashIn(await latestMailTo(t.mailUrl, email));
		expect((await anon(t).auth.verifyOtp({ type: 'recovery', token_hash: tokenHash })).error).toBeNull();
		expect((await userRow(t, email)).email_confirmed_at).not.toBeNull();
	});
});

describe('changing the email (double_confirm_changes)', () => {
	test('both addresses are mailed; the first link is accepted with a message, the second applies the change', async () => {
		const { client, email } = await confirmedClient(t);
		const next = uniqueEmail('moved');
		const { data, error } = await client.auth.updateUser({ email: next });
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.new_email).toBe(next);
		const toOld = await latestMailTo(t.mailUrl, email);
		const toNew = await latestMailTo(t.mailUrl, next);
		expect(toOld.Subject).toBe('Confirm your new email for Spotter');
		expect(toNew.HTML).toContain(`from ${email} to ${next}`);
		expect(hashIn(toOld)).not.toBe(hashIn(toNew));
		const first = await fetch(`${t.url}/auth/v1/verify`, {
			method: 'POST',
			headers: {
				apikey: wellKnown.anonKey,
				'content-type': 'application/json',
				'x-supabase-api-version': '2024-01-01'
			},
			body: JSON.stringify({ type: 'email_change', token_hash: hashIn(toOld) })
		});
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({
			msg: 'Confirmation link accepted. Please proceed to confirm link sent to the other email',
			code: '200'
		});
		expect((await userRow(t, email))?.email).toBe(email);
		const second = await anon(t).auth.verifyOtp({ type: 'email_change', token_hash: hashIn(toNew) });
		expect(second.error).toBeNull();
		expect(second.data.user?.email).toBe(next);
		expect((await anon(t).auth.signInWithPassword({ email: next, password })).error).toBeNull();
		expect((await anon(t).auth.signInWithPassword({ email, password })).error?.code).toBe(
			'invalid_credentials'
		);
	});

	test('the first link through GET redirects with the "Confirmation link accepted" message', async () => {
		const { client, email } = await confirmedClient(u);
		const next = uniqueEmail('moved');
		expect((await client.auth.updateUser({ email: next })).error).toBeNull();
		const { status, location } = await follow(linkIn(await latestMailTo(u.mailUrl, email)));
		expect(status).toBe(303);
		expect(fragmentOf(location).get('message')).toBe(
			'Confirmation link accepted. Please proceed to confirm link sent to the other email'
		);
		const done = await follow(linkIn(await latestMailTo(u.mailUrl, next)));
		expect(fragmentOf(done.location).get('type')).toBe('email_change');
		expect((await userRow(u, next))?.email).toBe(next);
	});

	test('an address another account uses is refused with email_exists and nothing is mailed', async () => {
		const { client } = await confirmedClient(t);
		const { email: taken } = await confirmedClient(t);
		await clearInbox(t.mailUrl);
		const { error } = await client.auth.updateUser({ email: taken });
		expect(error).toMatchObject({ status: 422, code: 'email_exists' });
		expect(await mailsTo(t.mailUrl, taken)).toHaveLength(0);
	});

	test('resend of an email change mails both addresses again', async () => {
		const { client, email } = await confirmedClient(t);
		const next = uniqueEmail('moved');
		expect((await client.auth.updateUser({ email: next })).error).toBeNull();
		await t.lb.db.query(
			`update auth.users set email_change_sent_at = now() - interval '2 seconds' where email = $1`,
			[email]
		);
		expect((await anon(t).auth.resend({ type: 'email_change', email })).error).toBeNull();
		expect(await mailsTo(t.mailUrl, next)).toHaveLength(2);
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(2);
	});
});

describe('changing the password (require_current_password)', () => {
	const signedIn = () => confirmedClient(t);

	test('without the current password the change is refused with current_password_required', async () => {
		const { client, email } = await signedIn();
		const { error } = await client.auth.updateUser({ password: 'next-password' });
		expect(error).toMatchObject({
			status: 400,
			code: 'current_password_required',
			message: 'Current password required when setting new password.'
		});
		expect((await anon(t).auth.signInWithPassword({ email, password })).error).toBeNull();
	});

	test('a wrong current password is refused with current_password_invalid', async () => {
		const { client } = await signedIn();
		const { error } = await client.auth.updateUser({ password: 'next-password', current_password: 'not-it' });
		expect(error).toMatchObject({ status: 400, code: 'current_password_invalid' });
	});

	test('with the current password the change applies', async () => {
		const { client, email } = await signedIn();
		expect(
			(await client.auth.updateUser({ password: 'next-password', current_password: password })).error
		).toBeNull();
		expect((await anon(t).auth.signInWithPassword({ email, password: 'next-password' })).error).toBeNull();
	});
});
