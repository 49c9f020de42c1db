// Input limits of /auth/v1 through supabase-js: passwords over 72 bytes (what bcrypt reads) are
// refused everywhere a password is set and never match at sign-in; an email over 255 characters,
// a NUL character in the metadata and a name the profile trigger refuses get a 4xx naming the
// problem, before anything is written or mailed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestClient, startTestLocalbase, wellKnown, type TestLocalbase } from './harness.ts';
import { mailsTo } from './mail-support.ts';

let t: TestLocalbase;
let n = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${n++}@limits.test`;
const anon = () => createTestClient(t.url, wellKnown.publishableKey);
const admin = () => createTestClient(t.url, wellKnown.secretKey);

/** 72 bytes: 24 three-byte characters. 75 bytes is 25 of them, under 72 characters. */
const euros72 = '€'.repeat(24);
const euros75 = '€'.repeat(25);
const ascii72 = 'p'.repeat(71) + '!';

async function rowsFor(email: string) {
	const users = await t.lb.db.query<{ n: number }>(
		`select count(*)::int as n from auth.users where email = $1`,
		[email]
	);
	return users.rows[0].n;
}

async function confirmedClient(password: string) {
	const email = uniqueEmail('pw');
	expect((await admin().auth.admin.createUser({ email, password, email_confirm: true })).error).toBeNull();
	const client = anon();
	expect((await client.auth.signInWithPassword({ email, password })).error).toBeNull();
	return { client, email };
}

beforeAll(async () => {
	t = await startTestLocalbase();
});
afterAll(async () => {
	await t?.close();
});

describe('passwords over 72 bytes', () => {
	test.each([
		['73 ASCII characters', 'p'.repeat(73)],
		['25 three-byte characters (75 bytes)', euros75]
	])('sign-up with %s is refused with validation_failed; no user, no mail', async (_case, password) => {
		const email = uniqueEmail('long');
		const { data, error } = await anon().auth.signUp({ email, password });
		expect(data.user).toBeNull();
		expect(error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: 'Password cannot be longer than 72 characters'
		});
		expect(await rowsFor(email)).toBe(0);
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(0);
	});

	test.each([
		['72 ASCII characters', ascii72],
		['24 three-byte characters (72 bytes)', euros72]
	])('sign-up with %s is accepted', async (_case, password) => {
		const { error } = await anon().auth.signUp({ email: uniqueEmail('max'), password });
		expect(error).toBeNull();
	});

	test('a password change to more than 72 bytes is refused and the old password stays', async () => {
		const { client, email } = await confirmedClient('correct-horse');
		const { error } = await client.auth.updateUser({ password: euros75, current_password: 'correct-horse' });
		expect(error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: 'Password cannot be longer than 72 characters'
		});
		expect((await anon().auth.signInWithPassword({ email, password: 'correct-horse' })).error).toBeNull();
	});

	test('the admin API refuses more than 72 bytes on create and update', async () => {
		const email = uniqueEmail('admin-long');
		const created = await admin().auth.admin.createUser({
			email,
			password: 'p'.repeat(73),
			email_confirm: true
		});
		expect(created.error).toMatchObject({ status: 400, code: 'validation_failed' });
		expect(await rowsFor(email)).toBe(0);
		const ok = await admin().auth.admin.createUser({ email, password: 'correct-horse', email_confirm: true });
		expect(ok.error).toBeNull();
		const updated = await admin().auth.admin.updateUserById(ok.data.user!.id, { password: euros75 });
		expect(updated.error).toMatchObject({ status: 400, code: 'validation_failed' });
	});

	test('signing in with the 72 bytes of a password plus more fails, so bcrypt truncation lets no one in', async () => {
		const { email } = await confirmedClient(ascii72);
		const { error } = await anon().auth.signInWithPassword({ email, password: `${ascii72}anything` });
		expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
	});
});

describe('sign-up input the database would refuse', () => {
	test('an email over 255 characters is refused with validation_failed naming it; 255 is accepted', async () => {
		const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.test`;
		const local = (length: number) => 'a'.repeat(length - domain.length - 1);
		const tooLong = `${local(256)}@${domain}`;
		expect(tooLong).toHaveLength(256);
		const { error } = await anon().auth.signUp({ email: tooLong, password: 'correct-horse' });
		expect(error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: 'An email address is too long'
		});
		expect(await rowsFor(tooLong.toLowerCase())).toBe(0);
		const longest = `${local(255)}@${domain}`;
		expect((await anon().auth.signUp({ email: longest, password: 'correct-horse' })).error).toBeNull();
	});

	test('a NUL character in a metadata value is refused naming the key; nothing is written or mailed', async () => {
		const email = uniqueEmail('nul');
		const { error } = await anon().auth.signUp({
			email,
			password: 'correct-horse',
			options: { data: { display_name: 'Nul\u0000Name' } }
		});
		expect(error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: 'data.display_name must not contain the NUL character (U+0000)'
		});
		expect(await rowsFor(email)).toBe(0);
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(0);
	});

	test('a NUL character in a metadata key or in updateUser data is refused too', async () => {
		const { error } = await anon().auth.signUp({
			email: uniqueEmail('nul-key'),
			password: 'correct-horse',
			options: { data: { 'bad\u0000key': 1 } }
		});
		expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
		const { client } = await confirmedClient('correct-horse');
		const update = await client.auth.updateUser({ data: { display_name: '\u0000' } });
		expect(update.error).toMatchObject({ status: 400, code: 'validation_failed' });
	});

	test('a display name the profile trigger refuses answers 400 naming the constraint; no partial user, no mail', async () => {
		const email = uniqueEmail('name');
		const { error } = await anon().auth.signUp({
			email,
			password: 'correct-horse',
			options: { data: { display_name: 'N'.repeat(81) } }
		});
		expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
		expect(error?.message).toMatch(/^Database error saving new user: .*profiles_display_name_length/);
		expect(await rowsFor(email)).toBe(0);
		expect(await mailsTo(t.mailUrl, email)).toHaveLength(0);
		const fits = await anon().auth.signUp({
			email: uniqueEmail('name-ok'),
			password: 'correct-horse',
			options: { data: { display_name: 'N'.repeat(80) } }
		});
		expect(fits.error).toBeNull();
	});

	test('the admin API answers a refused role with 400 as well', async () => {
		const email = uniqueEmail('admin-role');
		const { error } = await admin().auth.admin.createUser({
			email,
			password: 'correct-horse',
			user_metadata: { role: 'admin' }
		});
		expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
		expect(error?.message).toMatch(/^Database error creating new user: role "admin" cannot be chosen/);
		expect(await rowsFor(email)).toBe(0);
	});
});
