// Accounts: invitation codes with a use limit, an expiry and revocation; the check anyone may make
// before signing up; the code given at sign-up redeemed when the email address is confirmed; and
// what deleting an account leaves for the other side.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backend, createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	attemptAs,
	conversationIds as conv,
	createActors,
	createUser,
	ids,
	inTransaction,
	type ActorTx,
	type Actors,
	unreadTotalMismatches
} from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

interface Invitation {
	code: string;
	max_uses: number | null;
	use_count: number;
	revoked_at: Date | null;
	days: number;
}

const trainerOf = async (x: ActorTx, id: string) =>
	(await x.one<{ trainer_id: string | null }>(`select trainer_id from public.profiles where id = $1`, [id]))
		.trainer_id;

/** A code of coach's, made as coach; the transaction goes on as the server (no JWT). */
async function coachCode(x: ActorTx, maxUses: number | null = null, validDays = 14): Promise<string> {
	await x.become(a.coach);
	const { code } = await x.one<{ code: string }>(`select code from public.create_invitation($1, $2)`, [
		maxUses,
		validDays
	]);
	await x.becomePostgres();
	return code;
}

/** Supabase Auth writing auth.users: as its own role where the database has it as the owner (the
 * hosted-roles leg), else as the migration role, which stands in for it locally. */
async function asSupabaseAuth(x: ActorTx): Promise<void> {
	await x.becomePostgres();
	const [{ owner }] = await x.query<{ owner: boolean }>(
		`select has_table_privilege('supabase_auth_admin', 'auth.users', 'update') as owner`
	);
	if (owner) await x.query(`set local role supabase_auth_admin`);
}

/** A new auth user as Supabase Auth inserts it at sign-up: unconfirmed unless `confirmed`. */
async function signUp(
	x: ActorTx,
	meta: Record<string, unknown>,
	{ confirmed = false } = {}
): Promise<string> {
	const id = randomUUID();
	await asSupabaseAuth(x);
	await x.query(
		`insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at, created_at, updated_at)
		 values ($1, 'authenticated', 'authenticated', $2, $3, $4, now(), now())`,
		[id, `new-${id.slice(0, 8)}@db.test`, JSON.stringify(meta), confirmed ? new Date() : null]
	);
	await x.becomePostgres();
	return id;
}

/** Supabase Auth confirming the address (the link in the email was opened). */
async function confirm(x: ActorTx, id: string): Promise<void> {
	await asSupabaseAuth(x);
	await x.query(`update auth.users set email_confirmed_at = now() where id = $1`, [id]);
	await x.becomePostgres();
}

const redemptionsOf = (x: ActorTx, traineeId: string) =>
	x.query<{ code: string; trainer_id: string }>(
		`select code, trainer_id from public.invitation_redemptions where trainee_id = $1`,
		[traineeId]
	);

describe('checking a code before signing up (check_invitation)', () => {
	test('anon learns whether a code works, in one word: valid, expired, revoked, used_up or not_found', async () => {
		await inTransaction(t.db, async (x) => {
			const valid = await coachCode(x);
			const expired = await coachCode(x);
			const revoked = await coachCode(x);
			const usedUp = await coachCode(x, 1);
			await x.query(
				`update public.invitations set created_at = now() - interval '20 days', expires_at = now() - interval '1 second' where code = $1`,
				[expired]
			);
			await x.query(`update public.invitations set revoked_at = now() where code = $1`, [revoked]);
			await x.query(`update public.invitations set use_count = 1 where code = $1`, [usedUp]);
			await x.become(a.anon);
			const status = async (code: string) =>
				(await x.one<{ s: string }>(`select public.check_invitation($1) as s`, [code])).s;
			expect({
				valid: await status(valid),
				lowerCaseWithSpaces: await status(`  ${valid.toLowerCase()} `),
				expired: await status(expired),
				revoked: await status(revoked),
				usedUp: await status(usedUp),
				unknown: await status('ZZZZZZZZ'),
				empty: await status(''),
				nul: await status(null as unknown as string)
			}).toEqual({
				valid: 'valid',
				lowerCaseWithSpaces: 'valid',
				expired: 'expired',
				revoked: 'revoked',
				usedUp: 'used_up',
				unknown: 'not_found',
				empty: 'not_found',
				nul: 'not_found'
			});
		});
	});

	test('reveals nothing else: anon still cannot read invitations, nor any other column of the lookup', async () => {
		expect((await attemptAs(t.db, a.anon, `select code from public.invitations`)).error?.code).toBe('42501');
		const other = await as(t.db, a.anon, async (x) => {
			await x.query(`select set_config('spotter.invitation_code', 'CASEY234', true)`);
			return x.attempt(`select trainer_id, use_count from private.invitation_lookup`);
		});
		expect(other.error?.code).toBe('42501');
	});

	test('the lookup answers only for the code the caller names: without one it has no rows', async () => {
		const rows = await as(t.db, a.anon, (x) => x.query(`select status from private.invitation_lookup`));
		expect(rows).toEqual([]);
	});
});

describe('a trainer making and withdrawing codes', () => {
	test('chooses a use limit and how many days the code lasts; without arguments: no limit, 14 days', async () => {
		await as(t.db, a.coach, async (x) => {
			const sql = `select code, max_uses, use_count, revoked_at,
			             round(extract(epoch from expires_at - created_at) / 86400)::int as days from public.create_invitation`;
			expect(await x.one<Invitation>(`${sql}()`)).toMatchObject({ max_uses: null, use_count: 0, days: 14 });
			expect(await x.one<Invitation>(`${sql}(5, 30)`)).toMatchObject({ max_uses: 5, use_count: 0, days: 30 });
			expect(await x.one<Invitation>(`${sql}(max_uses => 1)`)).toMatchObject({ max_uses: 1, days: 14 });
		});
	});

	test('a limit outside 1–1000 (23514) or a validity outside 1–90 days (22023) is refused', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(await x.errorCode(`select public.create_invitation(0)`)).toBe('23514');
			expect(await x.errorCode(`select public.create_invitation(1001)`)).toBe('23514');
			expect(await x.errorCode(`select public.create_invitation(1, 0)`)).toBe('22023');
			expect(await x.errorCode(`select public.create_invitation(1, 91)`)).toBe('22023');
			expect(await x.errorCode(`select public.create_invitation(1, null)`)).toBe('22023');
		});
	});

	test('a trainee cannot make a code (42501), and nobody writes use_count', async () => {
		expect((await attemptAs(t.db, a.alex, `select public.create_invitation()`)).error?.code).toBe('42501');
		const forged = await attemptAs(
			t.db,
			a.coach,
			`insert into public.invitations (code, use_count) values ('QQQQ2345', 0)`
		);
		expect(forged.error?.code).toBe('42501');
		const bumped = await attemptAs(t.db, a.coach, `update public.invitations set use_count = 0`);
		expect(bumped.error?.code).toBe('42501');
	});

	test('withdrawing a code stamps the server’s time once; it stays withdrawn and trainees already linked stay', async () => {
		await as(t.db, a.coach, async (x) => {
			const first = await x.one<{ revoked_at: Date }>(
				`select revoked_at from public.revoke_invitation(' casey234 ')`
			);
			expect(first.revoked_at).toBeInstanceOf(Date);
			const again = await x.one<{ revoked_at: Date }>(
				`select revoked_at from public.revoke_invitation('CASEY234')`
			);
			expect(again.revoked_at).toEqual(first.revoked_at);
			expect(
				await x.errorCode(`update public.invitations set revoked_at = null where code = 'CASEY234'`)
			).toBe('42501');
			expect(await trainerOf(x, ids.alex)).toBe(ids.coach);
		});
	});

	test('a plain update that withdraws a code gets the server’s time, not the one it sent', async () => {
		await as(t.db, a.coach, async (x) => {
			const [row] = await x.query<{ late: boolean }>(
				`update public.invitations set revoked_at = now() - interval '300 days' where code = 'CASEY234'
				 returning revoked_at > now() - interval '1 minute' as late`
			);
			expect(row.late).toBe(true);
		});
	});

	test('another trainer cannot withdraw coach’s code: no row, and the code still works', async () => {
		await as(t.db, a.rival, async (x) => {
			expect(await x.query(`select * from public.revoke_invitation('CASEY234')`)).toEqual([]);
			await x.become(a.anon);
			expect((await x.one<{ s: string }>(`select public.check_invitation('CASEY234') as s`)).s).toBe('valid');
		});
	});

	test('a withdrawn code is refused to the next trainee (SP013)', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			await x.query(`select public.revoke_invitation('CASEY234')`);
			await x.become(a.solo);
			expect(await x.errorCode(`select public.redeem_invitation('CASEY234')`)).toBe('SP013');
			expect(await trainerOf(x, ids.solo)).toBeNull();
		});
	});
});

describe('the use limit', () => {
	test('counts each trainee once, refuses the one over the limit (SP014), and a trainee using it again is not counted', async () => {
		const first = await createUser(t.db, { role: 'trainee', name: 'Limit One' });
		const second = await createUser(t.db, { role: 'trainee', name: 'Limit Two' });
		const third = await createUser(t.db, { role: 'trainee', name: 'Limit Three' });
		await inTransaction(t.db, async (x) => {
			const code = await coachCode(x, 2);
			await x.become(first);
			await x.query(`select public.redeem_invitation($1)`, [code]);
			await x.query(`select public.redeem_invitation($1)`, [code]);
			await x.become(second);
			await x.query(`select public.redeem_invitation($1)`, [code]);
			await x.become(third);
			expect(await x.errorCode(`select public.redeem_invitation($1)`, [code])).toBe('SP014');
			await x.become(first);
			// Leaving and coming back with the same code still works: that use was counted.
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [first.id]);
			await x.query(`select public.redeem_invitation($1)`, [code]);
			await x.becomePostgres();
			expect(
				await x.one(`select use_count, max_uses from public.invitations where code = $1`, [code])
			).toEqual({ use_count: 2, max_uses: 2 });
			expect(await trainerOf(x, first.id!)).toBe(ids.coach);
			expect(await trainerOf(x, third.id!)).toBeNull();
			await x.become(a.anon);
			expect((await x.one<{ s: string }>(`select public.check_invitation($1) as s`, [code])).s).toBe(
				'used_up'
			);
		});
	});

	test(`two trainees taking a code’s last use at once: one is linked, the other refused (SP014) (${backend})`, async () => {
		const code = await inTransaction(t.db, (x) => coachCode(x, 1), { commit: true });
		const one = await createUser(t.db, { role: 'trainee', name: 'Race One' });
		const two = await createUser(t.db, { role: 'trainee', name: 'Race Two' });
		const results = await Promise.all(
			[one, two].map((who) =>
				as(
					t.db,
					who,
					async (x) => {
						const r = await x.attempt(`select public.redeem_invitation($1)`, [code]);
						// Holding the lock a moment makes the other one wait for it on a server.
						await x.query(`select pg_sleep(0.1)`);
						return r.ok ? 'linked' : r.error.code;
					},
					{ commit: true }
				)
			)
		);
		expect(results.sort()).toEqual(['SP014', 'linked']);
		const count = await inTransaction(t.db, (x) =>
			x.one(`select use_count from public.invitations where code = $1`, [code])
		);
		expect(count).toEqual({ use_count: 1 });
	});
});

describe('a code given at sign-up, redeemed when the email address is confirmed', () => {
	test('waits for the confirmation, then links the trainee and counts the use, once', async () => {
		await inTransaction(t.db, async (x) => {
			const code = await coachCode(x, 3);
			const id = await signUp(x, { role: 'trainee', display_name: 'Pending Pat', invitation_code: code });
			expect(await trainerOf(x, id)).toBeNull();
			expect(await redemptionsOf(x, id)).toEqual([]);
			await confirm(x, id);
			expect(await trainerOf(x, id)).toBe(ids.coach);
			expect(await redemptionsOf(x, id)).toEqual([{ code, trainer_id: ids.coach }]);
			// Later writes to the user (sign-ins, metadata, a second confirmation stamp) redeem nothing more.
			await asSupabaseAuth(x);
			await x.query(
				`update auth.users set email_confirmed_at = now(), last_sign_in_at = now(),
				   raw_user_meta_data = raw_user_meta_data || '{"x": 1}' where id = $1`,
				[id]
			);
			await x.becomePostgres();
			expect(await redemptionsOf(x, id)).toHaveLength(1);
			expect(await x.one(`select use_count from public.invitations where code = $1`, [code])).toEqual({
				use_count: 1
			});
		});
	});

	test('is redeemed at once when the account is created confirmed (confirmations off, or an admin)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = await signUp(
				x,
				{ role: 'trainee', display_name: 'Quick Quinn', invitation_code: ' casey234 ' },
				{ confirmed: true }
			);
			expect(await trainerOf(x, id)).toBe(ids.coach);
		});
	});

	test('a code that stopped working meanwhile does not stop the confirmation; it is left unredeemed', async () => {
		await inTransaction(t.db, async (x) => {
			const expired = await coachCode(x);
			const withdrawn = await coachCode(x);
			const usedUp = await coachCode(x, 1);
			const ids_ = {
				expired: await signUp(x, { role: 'trainee', display_name: 'Late Lee', invitation_code: expired }),
				withdrawn: await signUp(x, { role: 'trainee', display_name: 'Wd Wes', invitation_code: withdrawn }),
				usedUp: await signUp(x, { role: 'trainee', display_name: 'Up Uma', invitation_code: usedUp }),
				unknown: await signUp(x, { role: 'trainee', display_name: 'No Nia', invitation_code: 'ZZZZZZZZ' })
			};
			await x.query(
				`update public.invitations set created_at = now() - interval '20 days', expires_at = now() - interval '1 second' where code = $1`,
				[expired]
			);
			await x.query(`update public.invitations set revoked_at = now() where code = $1`, [withdrawn]);
			await x.query(`update public.invitations set use_count = 1 where code = $1`, [usedUp]);
			for (const id of Object.values(ids_)) {
				await confirm(x, id);
				const [{ confirmed }] = await x.query<{ confirmed: boolean }>(
					`select email_confirmed_at is not null as confirmed from auth.users where id = $1`,
					[id]
				);
				expect({ id, confirmed, trainer: await trainerOf(x, id) }).toEqual({
					id,
					confirmed: true,
					trainer: null
				});
				expect(await redemptionsOf(x, id)).toEqual([]);
			}
		});
	});

	test('a trainer who slips a code into the sign-up metadata is confirmed and linked to nobody', async () => {
		await inTransaction(t.db, async (x) => {
			const id = await signUp(x, {
				role: 'trainer',
				display_name: 'Coach Cody',
				invitation_code: 'CASEY234'
			});
			await confirm(x, id);
			expect(await x.one(`select role::text, trainer_id from public.profiles where id = $1`, [id])).toEqual({
				role: 'trainer',
				trainer_id: null
			});
		});
	});

	test('a trainee without a code is confirmed with no trainer', async () => {
		await inTransaction(t.db, async (x) => {
			const id = await signUp(x, { role: 'trainee', display_name: 'Solo Sol' });
			await confirm(x, id);
			expect(await trainerOf(x, id)).toBeNull();
		});
	});
});

describe('deleting an account (Supabase Auth deletes the auth user)', () => {
	test('the other side keeps the history with the author gone; the user’s devices, codes and redemptions go', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.alex);
			await x.query(
				`insert into public.push_subscriptions (endpoint, p256dh, auth) values ('https://push.example/alex', 'k', 'a')`
			);
			await x.query(`select public.redeem_invitation('CASEY234')`);
			await asSupabaseAuth(x);
			await x.query(`delete from auth.users where id = $1`, [ids.alex]);
			await x.becomePostgres();
			expect(
				await x.one(
					`select (select count(*)::int from public.push_subscriptions where user_id = $1) as devices,
					        (select count(*)::int from public.invitation_redemptions where trainee_id = $1) as redemptions,
					        (select count(*)::int from public.profiles where id = $1) as profiles`,
					[ids.alex]
				)
			).toEqual({ devices: 0, redemptions: 0, profiles: 0 });

			await x.become(a.coach);
			const rows = await x.query<{ sender_id: string | null }>(
				`select sender_id from public.list_messages($1, null, 100)`,
				[conv.coachAlex]
			);
			expect(rows).toHaveLength(80);
			expect(rows.filter((r) => r.sender_id === null)).toHaveLength(40);
			expect(
				await x.errorCode(`select public.send_message($1, 'still there?', gen_random_uuid())`, [ids.alex])
			).toBe('SP001');
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});

	test('a trainer’s codes go with them, and a code of theirs checked afterwards is not found', async () => {
		await inTransaction(t.db, async (x) => {
			await asSupabaseAuth(x);
			await x.query(`delete from auth.users where id = $1`, [ids.coach]);
			await x.become(a.anon);
			expect((await x.one<{ s: string }>(`select public.check_invitation('CASEY234') as s`)).s).toBe(
				'not_found'
			);
		});
	});
});
