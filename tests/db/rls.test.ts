// The RLS matrix: for each kind of caller, what every table shows them and which writes are refused
// (and how: 42501 from a privilege, policy or guard, or a policy that silently matches 0 rows).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	attemptAs,
	conversationIds as conv,
	createActors,
	ids,
	inTransaction,
	seededMessageId,
	seededMessageIds,
	type Actor,
	type Actors,
	type Outcome
} from './actors.ts';

let t: TestDatabase;
let a: Actors;
let subscriptionOf: Record<'coach' | 'alex', string>;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
	// Rows for the tables the seed leaves empty, written by their owners.
	await as(t.db, a.alex, (x) => x.query(`select public.redeem_invitation('CASEY234')`), { commit: true });
	await as(t.db, a.jordan, (x) => x.query(`select public.redeem_invitation('rylee234 ')`), { commit: true });
	subscriptionOf = { coach: '', alex: '' };
	for (const who of ['coach', 'alex'] as const) {
		const row = await as(
			t.db,
			a[who],
			(x) =>
				x.one<{ id: string }>(
					`insert into public.push_subscriptions (endpoint, p256dh, auth) values ($1, 'key', 'secret') returning id`,
					[`https://push.example.test/${who}`]
				),
			{ commit: true }
		);
		subscriptionOf[who] = row.id;
	}
});
afterAll(async () => {
	await t?.release();
});

const tables = {
	profiles: `select id::text as key from public.profiles`,
	invitations: `select code as key from public.invitations`,
	invitation_redemptions: `select trainee_id::text || ':' || code as key from public.invitation_redemptions`,
	conversations: `select id::text as key from public.conversations`,
	messages: `select id::text as key from public.messages`,
	push_subscriptions: `select endpoint as key from public.push_subscriptions`,
	push_outbox: `select message_id::text as key from private.push_outbox`,
	push_deliveries: `select outbox_id::text as key from private.push_deliveries`,
	unread_totals: `select user_id::text as key from private.unread_totals`
} as const;
type Table = keyof typeof tables;

/** The keys of the rows `actor` can see in `table`, sorted; or the error. */
async function visible(actor: Actor, table: Table): Promise<string[] | { code: string }> {
	const r = await attemptAs<{ key: string }>(t.db, actor, tables[table]);
	return r.ok ? r.rows.map((row) => row.key).sort() : { code: r.error.code };
}

const sorted = (...keys: string[]) => [...keys].sort();
const coachAlexMessages = Array.from({ length: 80 }, (_, i) => seededMessageId(i + 1));
const coachSamMessages = [seededMessageIds.coachToSam, seededMessageIds.samToCoach];
const rivalJordanMessages = [seededMessageIds.rivalToJordan, seededMessageIds.jordanToRival];

/** Outcome of one write statement, reduced to what the matrix asserts. */
function outcome(r: Outcome<unknown>): { rows: number } | { code: string } {
	// rows returned (SELECT, RETURNING) or rows affected (DML), whichever the statement reports.
	return r.ok ? { rows: Math.max(r.rows.length, r.rowCount) } : { code: r.error.code };
}
const write = async (actor: Actor, sql: string, params?: unknown[]) =>
	outcome(await attemptAs(t.db, actor, sql, params));

describe('as coach, a trainer with trainees alex and sam', () => {
	test('sees their own profile and their trainees, never rival, jordan or solo', async () => {
		expect(await visible(a.coach, 'profiles')).toEqual(sorted(ids.coach, ids.alex, ids.sam));
	});
	test('sees only their own invitation codes and the redemptions of them', async () => {
		expect(await visible(a.coach, 'invitations')).toEqual(['CASEY234']);
		expect(await visible(a.coach, 'invitation_redemptions')).toEqual([`${ids.alex}:CASEY234`]);
	});
	test('sees their two conversations and all of their messages, never rival ↔ jordan', async () => {
		expect(await visible(a.coach, 'conversations')).toEqual(sorted(conv.coachAlex, conv.coachSam));
		expect(await visible(a.coach, 'messages')).toEqual(sorted(...coachAlexMessages, ...coachSamMessages));
	});
	test('sees only their own push subscription', async () => {
		expect(await visible(a.coach, 'push_subscriptions')).toEqual(['https://push.example.test/coach']);
	});
	test('cannot touch the push outbox or the delivery log at all', async () => {
		expect(await visible(a.coach, 'push_outbox')).toEqual({ code: '42501' });
		expect(await visible(a.coach, 'push_deliveries')).toEqual({ code: '42501' });
		expect(await write(a.coach, `delete from private.push_deliveries`)).toEqual({ code: '42501' });
		expect(await write(a.coach, `delete from private.push_outbox`)).toEqual({ code: '42501' });
		expect(await write(a.coach, `update private.push_outbox set done_at = now()`)).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `insert into private.push_outbox (message_id, recipient_id) values ($1, $2)`, [
				seededMessageId(1),
				ids.alex
			])
		).toEqual({ code: '42501' });
	});
	test('sees only their own unread total, and can change no one’s', async () => {
		expect(await visible(a.coach, 'unread_totals')).toEqual([ids.coach]);
		expect(await write(a.coach, `update private.unread_totals set total = 0`)).toEqual({ code: '42501' });
		expect(await write(a.coach, `delete from private.unread_totals`)).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `insert into private.unread_totals (user_id, total) values ($1, 99)`, [ids.solo])
		).toEqual({ code: '42501' });
	});
	test('can rename themselves but not a trainee, and cannot touch another trainer’s trainee', async () => {
		expect(
			await write(a.coach, `update public.profiles set display_name = 'Coach C' where id = $1`, [ids.coach])
		).toEqual({ rows: 1 });
		expect(
			await write(a.coach, `update public.profiles set display_name = 'Renamed' where id = $1`, [ids.alex])
		).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `update public.profiles set avatar_url = 'https://x.test/a.png' where id = $1`, [
				ids.sam
			])
		).toEqual({ code: '42501' });
		expect(
			await write(
				a.coach,
				`update public.profiles set display_name = 'Renamed', trainer_id = null where id = $1`,
				[ids.jordan]
			)
		).toEqual({ rows: 0 });
	});
	test('cannot make themselves an admin, create profiles or delete any', async () => {
		expect(
			await write(a.coach, `update public.profiles set role = 'admin' where id = $1`, [ids.coach])
		).toEqual({ code: '42501' });
		expect(
			await write(
				a.coach,
				`insert into public.profiles (id, role, display_name) values ($1, 'trainee', 'X')`,
				[ids.solo]
			)
		).toEqual({ code: '42501' });
		expect(await write(a.coach, `delete from public.profiles where id = $1`, [ids.alex])).toEqual({
			code: '42501'
		});
	});
	test('cannot adopt a trainee by setting their trainer_id', async () => {
		expect(
			await write(a.coach, `update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.solo])
		).toEqual({ rows: 0 });
		expect(
			await write(a.coach, `update public.profiles set trainer_id = $1 where id = $2`, [ids.rival, ids.alex])
		).toEqual({ code: '42501' });
	});
	test('can create, revoke and delete their own invitations but not rival’s', async () => {
		expect(await write(a.coach, `select public.create_invitation()`)).toEqual({ rows: 1 });
		expect(
			await write(a.coach, `update public.invitations set revoked_at = now() where code = 'CASEY234'`)
		).toEqual({ rows: 1 });
		expect(
			await write(a.coach, `update public.invitations set revoked_at = now() where code = 'RYLEE234'`)
		).toEqual({ rows: 0 });
		expect(await write(a.coach, `delete from public.invitations where code = 'RYLEE234'`)).toEqual({
			rows: 0
		});
		expect(await write(a.coach, `delete from public.invitations where code = 'CASEY234'`)).toEqual({
			rows: 1
		});
	});
	test('cannot extend an invitation or create one in another trainer’s name', async () => {
		expect(
			await write(a.coach, `update public.invitations set expires_at = now() + interval '10 years'`)
		).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `insert into public.invitations (trainer_id) values ($1)`, [ids.rival])
		).toEqual({ code: '42501' });
		const made = await as(t.db, a.coach, (x) =>
			x.one<{ trainer_id: string }>(
				`insert into public.invitations (expires_at) values (now() + interval '1 day') returning trainer_id`
			)
		);
		expect(made.trainer_id).toBe(ids.coach);
	});
	test('cannot write invitation redemptions directly except by redeeming, nor change or delete them', async () => {
		expect(
			await write(a.coach, `update public.invitation_redemptions set trainer_id = $1`, [ids.coach])
		).toEqual({ code: '42501' });
		expect(await write(a.coach, `delete from public.invitation_redemptions`)).toEqual({ code: '42501' });
		expect(
			await write(
				a.coach,
				`insert into public.invitation_redemptions (code, trainee_id) values ('CASEY234', $1)`,
				[ids.solo]
			)
		).toEqual({ code: '42501' });
	});
	test('cannot update, delete or start a conversation with someone who is not their trainee', async () => {
		expect(await write(a.coach, `update public.conversations set last_message_preview = 'x'`)).toEqual({
			code: '42501'
		});
		expect(
			await write(
				a.coach,
				`update public.conversations set archived_at = now(), archived_reason = 'unlinked'`
			)
		).toEqual({ code: '42501' });
		expect(await write(a.coach, `delete from public.conversations`)).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.coach,
				ids.solo
			])
		).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.rival,
				ids.jordan
			])
		).toEqual({ code: '42501' });
	});
	test('cannot delete or edit messages, nor post into rival ↔ jordan', async () => {
		expect(await write(a.coach, `delete from public.messages where id = $1`, [seededMessageId(1)])).toEqual({
			code: '42501'
		});
		// Message 1 is coach's own, ten days old: the edit window (15 minutes) has passed.
		expect(
			await write(a.coach, `update public.messages set body = 'edited' where id = $1`, [seededMessageId(1)])
		).toEqual({ code: 'SP103' });
		expect(
			await write(a.coach, `insert into public.messages (conversation_id, body) values ($1, 'hi')`, [
				conv.rivalJordan
			])
		).toEqual({ code: 'SP001' });
	});
	test('marks nothing read in conversations that are not theirs, and never their own messages', async () => {
		expect(
			await write(a.coach, `update public.messages set read_at = now() where conversation_id = $1`, [
				conv.rivalJordan
			])
		).toEqual({ rows: 0 });
		// Message 79 is coach's own: the sender may update it to edit or delete it, never to mark it read.
		expect(
			await write(a.coach, `update public.messages set read_at = now() where id = $1`, [seededMessageId(79)])
		).toEqual({ code: '42501' });
		expect(
			await write(a.coach, `update public.messages set read_at = now() where id = $1`, [seededMessageId(80)])
		).toEqual({ rows: 1 });
	});
	test('can remove only their own push subscriptions and cannot edit or reassign one', async () => {
		expect(
			await write(a.coach, `delete from public.push_subscriptions where id = $1`, [subscriptionOf.alex])
		).toEqual({ rows: 0 });
		expect(
			await write(a.coach, `delete from public.push_subscriptions where id = $1`, [subscriptionOf.coach])
		).toEqual({ rows: 1 });
		expect(
			await write(a.coach, `update public.push_subscriptions set endpoint = 'https://evil.test/'`)
		).toEqual({ code: '42501' });
		expect(
			await write(
				a.coach,
				`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values ($1, 'https://x.test/1', 'k', 's')`,
				[ids.alex]
			)
		).toEqual({ code: '42501' });
	});
});

describe('as alex, a trainee of coach', () => {
	test('sees themselves and their trainer, never sam (a fellow trainee), rival, jordan or solo', async () => {
		expect(await visible(a.alex, 'profiles')).toEqual(sorted(ids.coach, ids.alex));
	});
	test('sees no invitation codes, and only their own redemption', async () => {
		expect(await visible(a.alex, 'invitations')).toEqual([]);
		expect(await visible(a.alex, 'invitation_redemptions')).toEqual([`${ids.alex}:CASEY234`]);
	});
	test('sees exactly coach’s conversation with alex and its 80 messages, never coach ↔ sam', async () => {
		expect(await visible(a.alex, 'conversations')).toEqual([conv.coachAlex]);
		expect(await visible(a.alex, 'messages')).toEqual(sorted(...coachAlexMessages));
	});
	test('sees only their own unread total, never their trainer’s', async () => {
		expect(await visible(a.alex, 'unread_totals')).toEqual([ids.alex]);
	});
	test('sees only their own push subscription and never the outbox', async () => {
		expect(await visible(a.alex, 'push_subscriptions')).toEqual(['https://push.example.test/alex']);
		expect(await visible(a.alex, 'push_outbox')).toEqual({ code: '42501' });
		expect(await visible(a.alex, 'push_deliveries')).toEqual({ code: '42501' });
	});
	test('can edit their own name and avatar but not their trainer’s', async () => {
		expect(
			await write(
				a.alex,
				`update public.profiles set display_name = 'Alex R', avatar_url = 'https://x.test/a.png' where id = $1`,
				[ids.alex]
			)
		).toEqual({ rows: 1 });
		expect(
			await write(a.alex, `update public.profiles set display_name = 'Hacked' where id = $1`, [ids.coach])
		).toEqual({ rows: 0 });
		expect(
			await write(a.alex, `update public.profiles set display_name = 'Hacked' where id = $1`, [ids.sam])
		).toEqual({ rows: 0 });
	});
	test('cannot choose a trainer or a role by UPDATE', async () => {
		expect(
			await write(a.alex, `update public.profiles set trainer_id = $1 where id = $2`, [ids.rival, ids.alex])
		).toEqual({ code: '42501' });
		expect(
			await write(a.alex, `update public.profiles set role = 'trainer' where id = $1`, [ids.alex])
		).toEqual({ code: '42501' });
		expect(
			await write(a.solo, `update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.solo])
		).toEqual({ code: '42501' });
	});
	test('cannot create, revoke or delete invitations', async () => {
		expect(await write(a.alex, `select public.create_invitation()`)).toEqual({ code: '42501' });
		expect(await write(a.alex, `update public.invitations set revoked_at = now()`)).toEqual({ rows: 0 });
		expect(await write(a.alex, `delete from public.invitations`)).toEqual({ rows: 0 });
	});
	test('cannot start a conversation with a trainer who is not theirs, nor duplicate theirs', async () => {
		expect(
			await write(a.alex, `insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.rival,
				ids.alex
			])
		).toEqual({ code: '42501' });
		expect(
			await write(a.alex, `insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.coach,
				ids.sam
			])
		).toEqual({ code: '42501' });
		expect(
			await write(a.alex, `insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.coach,
				ids.alex
			])
		).toEqual({ code: '23505' });
	});
	test('cannot post into coach ↔ sam nor post as coach', async () => {
		expect(
			await write(a.alex, `insert into public.messages (conversation_id, body) values ($1, 'hi')`, [
				conv.coachSam
			])
		).toEqual({ code: 'SP001' });
		expect(
			await write(
				a.alex,
				`insert into public.messages (conversation_id, sender_id, body) values ($1, $2, 'hi')`,
				[conv.coachAlex, ids.coach]
			)
		).toEqual({ code: '42501' });
	});
	test('can post into their own conversation directly, with the same checks as send_message', async () => {
		expect(
			await write(a.alex, `insert into public.messages (conversation_id, body) values ($1, 'direct')`, [
				conv.coachAlex
			])
		).toEqual({ rows: 1 });
	});
	test('cannot mark messages of coach ↔ sam read, nor delete any message', async () => {
		expect(
			await write(a.alex, `update public.messages set read_at = now() where conversation_id = $1`, [
				conv.coachSam
			])
		).toEqual({ rows: 0 });
		expect(
			await write(a.alex, `delete from public.messages where conversation_id = $1`, [conv.coachAlex])
		).toEqual({ code: '42501' });
	});
	test('cannot remove another user’s push subscription', async () => {
		expect(
			await write(a.alex, `delete from public.push_subscriptions where id = $1`, [subscriptionOf.coach])
		).toEqual({ rows: 0 });
	});
});

describe('as sam, the other trainee of coach', () => {
	test('sees themselves and coach, never alex', async () => {
		expect(await visible(a.sam, 'profiles')).toEqual(sorted(ids.coach, ids.sam));
	});
	test('sees exactly coach ↔ sam and its messages, never coach ↔ alex', async () => {
		expect(await visible(a.sam, 'conversations')).toEqual([conv.coachSam]);
		expect(await visible(a.sam, 'messages')).toEqual(sorted(...coachSamMessages));
	});
	test('sees no invitations, redemptions or subscriptions of others', async () => {
		expect(await visible(a.sam, 'invitations')).toEqual([]);
		expect(await visible(a.sam, 'invitation_redemptions')).toEqual([]);
		expect(await visible(a.sam, 'push_subscriptions')).toEqual([]);
	});
	test('cannot read coach ↔ alex through the RPCs either', async () => {
		expect(await write(a.sam, `select * from public.list_messages($1)`, [conv.coachAlex])).toEqual({
			rows: 0
		});
		expect(await write(a.sam, `select public.mark_conversation_read($1)`, [conv.coachAlex])).toEqual({
			code: 'SP008'
		});
		const list = await as(t.db, a.sam, (x) =>
			x.query<{ id: string }>(`select id from public.list_conversations()`)
		);
		expect(list.map((r) => r.id)).toEqual([conv.coachSam]);
	});
	test('cannot post into coach ↔ alex', async () => {
		expect(
			await write(a.sam, `insert into public.messages (conversation_id, body) values ($1, 'hi')`, [
				conv.coachAlex
			])
		).toEqual({ code: 'SP001' });
	});
});

describe('as rival, another trainer', () => {
	test('sees themselves and jordan only', async () => {
		expect(await visible(a.rival, 'profiles')).toEqual(sorted(ids.rival, ids.jordan));
	});
	test('sees only their own code, redemption, conversation and messages', async () => {
		expect(await visible(a.rival, 'invitations')).toEqual(['RYLEE234']);
		expect(await visible(a.rival, 'invitation_redemptions')).toEqual([`${ids.jordan}:RYLEE234`]);
		expect(await visible(a.rival, 'conversations')).toEqual([conv.rivalJordan]);
		expect(await visible(a.rival, 'messages')).toEqual(sorted(...rivalJordanMessages));
	});
	test('cannot release or rename coach’s trainees', async () => {
		expect(
			await write(a.rival, `update public.profiles set trainer_id = null where id = $1`, [ids.alex])
		).toEqual({ rows: 0 });
		expect(await write(a.rival, `select public.remove_trainee($1)`, [ids.alex])).toEqual({ code: 'SP001' });
	});
	test('cannot mark coach ↔ alex read', async () => {
		expect(await write(a.rival, `select public.mark_conversation_read($1)`, [conv.coachAlex])).toEqual({
			code: 'SP008'
		});
		expect(
			await write(a.rival, `update public.messages set read_at = now() where conversation_id = $1`, [
				conv.coachAlex
			])
		).toEqual({ rows: 0 });
	});
});

describe('as jordan, rival’s trainee', () => {
	test('sees themselves and rival only, and only rival ↔ jordan', async () => {
		expect(await visible(a.jordan, 'profiles')).toEqual(sorted(ids.rival, ids.jordan));
		expect(await visible(a.jordan, 'conversations')).toEqual([conv.rivalJordan]);
		expect(await visible(a.jordan, 'messages')).toEqual(sorted(...rivalJordanMessages));
		expect(await visible(a.jordan, 'invitations')).toEqual([]);
		expect(await visible(a.jordan, 'invitation_redemptions')).toEqual([`${ids.jordan}:RYLEE234`]);
	});
	test('cannot leave for coach by UPDATE, only by redeeming coach’s code', async () => {
		expect(
			await write(a.jordan, `update public.profiles set trainer_id = $1 where id = $2`, [
				ids.coach,
				ids.jordan
			])
		).toEqual({ code: '42501' });
	});
});

describe('as solo, a trainee without a trainer', () => {
	test('sees only themselves and nothing else anywhere', async () => {
		expect(await visible(a.solo, 'profiles')).toEqual([ids.solo]);
		for (const table of [
			'invitations',
			'invitation_redemptions',
			'conversations',
			'messages',
			'push_subscriptions'
		] as const) {
			expect({ table, rows: await visible(a.solo, table) }).toEqual({ table, rows: [] });
		}
		expect(await visible(a.solo, 'push_outbox')).toEqual({ code: '42501' });
		expect(await visible(a.solo, 'push_deliveries')).toEqual({ code: '42501' });
	});
	test('cannot start a conversation with any trainer', async () => {
		expect(
			await write(a.solo, `insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.coach,
				ids.solo
			])
		).toEqual({ code: '42501' });
	});
	test('cannot set a trainer on their own profile', async () => {
		expect(
			await write(a.solo, `update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.solo])
		).toEqual({ code: '42501' });
	});
});

describe('as anon, a visitor who is not signed in', () => {
	for (const table of Object.keys(tables) as Table[]) {
		test(`is refused reading ${table} outright (42501)`, async () => {
			expect(await visible(a.anon, table)).toEqual({ code: '42501' });
		});
	}
	test('is refused every write on every table (42501)', async () => {
		const writes = [
			[`insert into public.profiles (id, role, display_name) values ($1, 'trainer', 'x')`, [ids.solo]],
			[`update public.profiles set display_name = 'x'`, []],
			[`delete from public.profiles`, []],
			[`insert into public.invitations (code) values ('ABCDEFGH')`, []],
			[`update public.invitations set revoked_at = now()`, []],
			[`delete from public.invitations`, []],
			[`insert into public.invitation_redemptions (code) values ('CASEY234')`, []],
			[`delete from public.invitation_redemptions`, []],
			[`insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [ids.coach, ids.solo]],
			[`update public.conversations set archived_at = now()`, []],
			[`delete from public.conversations`, []],
			[`insert into public.messages (conversation_id, body) values ($1, 'x')`, [conv.coachAlex]],
			[`update public.messages set read_at = now()`, []],
			[`delete from public.messages`, []],
			[
				`insert into public.push_subscriptions (endpoint, p256dh, auth) values ('https://x.test', 'k', 's')`,
				[]
			],
			[`delete from public.push_subscriptions`, []],
			[`delete from private.push_outbox`, []],
			[`delete from private.push_deliveries`, []],
			[`update private.unread_totals set total = 0`, []]
		] as const;
		for (const [sql, params] of writes) {
			expect({ sql, result: await write(a.anon, sql, [...params]) }).toEqual({
				sql,
				result: { code: '42501' }
			});
		}
	});
	test('cannot call any API function', async () => {
		for (const sql of [
			`select public.send_message('${ids.coach}', 'hi', gen_random_uuid())`,
			`select public.mark_conversation_read('${conv.coachAlex}')`,
			`select * from public.list_conversations()`,
			`select * from public.list_messages('${conv.coachAlex}')`,
			`select public.unread_total()`,
			`select public.create_invitation()`,
			`select public.redeem_invitation('CASEY234')`,
			`select public.remove_trainee('${ids.alex}')`
		]) {
			expect({ sql, result: await write(a.anon, sql) }).toEqual({ sql, result: { code: '42501' } });
		}
	});
});

describe('as the dashboard impersonating alex (a session_id that is no auth session)', () => {
	test('reads exactly what alex reads', async () => {
		for (const table of Object.keys(tables) as Table[]) {
			expect({ table, rows: await visible(a.impersonation, table) }).toEqual({
				table,
				rows: await visible(a.alex, table)
			});
		}
		const list = await as(t.db, a.impersonation, (x) => x.query(`select * from public.list_conversations()`));
		expect(list.map((r) => r.id)).toEqual([conv.coachAlex]);
		const total = await as(t.db, a.impersonation, (x) =>
			x.one<{ n: number }>(`select public.unread_total() as n`)
		);
		expect(total.n).toBe(1);
	});
	test('cannot send a message, by RPC or by direct insert (SP006)', async () => {
		expect(
			await write(a.impersonation, `select public.send_message($1, 'hi', gen_random_uuid())`, [ids.coach])
		).toEqual({ code: 'SP006' });
		expect(
			await write(a.impersonation, `insert into public.messages (conversation_id, body) values ($1, 'hi')`, [
				conv.coachAlex
			])
		).toEqual({ code: 'SP006' });
	});
	test('cannot mark anything read, by RPC or by direct update (SP006)', async () => {
		expect(
			await write(a.impersonation, `select public.mark_conversation_read($1)`, [conv.coachAlex])
		).toEqual({ code: 'SP006' });
		expect(
			await write(a.impersonation, `update public.messages set read_at = now() where id = $1`, [
				seededMessageId(79)
			])
		).toEqual({ code: 'SP006' });
		const stillUnread = await inTransaction(t.db, (x) =>
			x.one<{ read_at: string | null }>(`select read_at from public.messages where id = $1`, [
				seededMessageId(79)
			])
		);
		expect(stillUnread.read_at).toBeNull();
	});
	test('is refused even when its session_id belongs to another user’s live session', async () => {
		const coachSession = a.coach.caller.claims.session_id as string;
		const forged: Actor = {
			...a.impersonation,
			caller: {
				...a.impersonation.caller,
				claims: { ...a.impersonation.caller.claims, session_id: coachSession }
			}
		};
		expect(
			await write(forged, `select public.send_message($1, 'hi', gen_random_uuid())`, [ids.coach])
		).toEqual({ code: 'SP006' });
	});
	test('is refused once alex’s real session has expired (not_after in the past)', async () => {
		const result = await inTransaction(t.db, async (x) => {
			await x.query(`update auth.sessions set not_after = now() - interval '1 second' where id = $1`, [
				a.alex.caller.claims.session_id
			]);
			await x.become(a.alex);
			return x.errorCode(`select public.send_message($1, 'hi', gen_random_uuid())`, [ids.coach]);
		});
		expect(result).toBe('SP006');
	});
});

describe('as service_role, the server (bypasses RLS)', () => {
	test('sees every row of every public table', async () => {
		expect(await visible(a.service_role, 'profiles')).toEqual(sorted(...Object.values(ids)));
		expect(await visible(a.service_role, 'conversations')).toEqual(sorted(...Object.values(conv)));
		expect(await visible(a.service_role, 'messages')).toEqual(
			sorted(...coachAlexMessages, ...coachSamMessages, ...rivalJordanMessages)
		);
		expect(await visible(a.service_role, 'invitations')).toEqual(['CASEY234', 'RYLEE234']);
		expect(await visible(a.service_role, 'push_subscriptions')).toEqual([
			'https://push.example.test/alex',
			'https://push.example.test/coach'
		]);
	});
	test('has no grant on the private outbox, delivery log or unread totals (the dispatcher and triggers use them, not the API)', async () => {
		expect(await visible(a.service_role, 'push_outbox')).toEqual({ code: '42501' });
		expect(await visible(a.service_role, 'push_deliveries')).toEqual({ code: '42501' });
		expect(await visible(a.service_role, 'unread_totals')).toEqual({ code: '42501' });
	});
	test('cannot send as nobody: send_message needs a signed-in user (42501)', async () => {
		expect(
			await write(a.service_role, `select public.send_message($1, 'hi', gen_random_uuid())`, [ids.coach])
		).toEqual({ code: '42501' });
	});
	test('cannot edit a message either: messages are immutable for everyone', async () => {
		expect(
			await write(a.service_role, `update public.messages set body = 'edited' where id = $1`, [
				seededMessageId(1)
			])
		).toEqual({ code: '42501' });
	});
});

describe('private helper views', () => {
	test('my_link answers only about the caller', async () => {
		const rows = await as(t.db, a.coach, (x) => x.query(`select id, role, trainer_id from private.my_link`));
		expect(rows).toEqual([{ id: ids.coach, role: 'trainer', trainer_id: null }]);
		const alexRows = await as(t.db, a.alex, (x) => x.query(`select id, trainer_id from private.my_link`));
		expect(alexRows).toEqual([{ id: ids.alex, trainer_id: ids.coach }]);
	});
	test('anon cannot read the private schema at all', async () => {
		expect(await write(a.anon, `select * from private.my_link`)).toEqual({ code: '42501' });
		expect(await write(a.anon, `select * from private.my_session`)).toEqual({ code: '42501' });
	});
	test('my_session is live for a signed-in session and not for impersonation', async () => {
		const live = await as(t.db, a.alex, (x) =>
			x.one<{ is_live: boolean }>(`select is_live from private.my_session`)
		);
		const imp = await as(t.db, a.impersonation, (x) =>
			x.one<{ is_live: boolean }>(`select is_live from private.my_session`)
		);
		expect([live.is_live, imp.is_live]).toEqual([true, false]);
	});
});
