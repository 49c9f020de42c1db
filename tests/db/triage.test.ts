// Triage per user and conversation — pin, mute, mark unread — and the list's filters: each state is
// the user's own (invisible to the other participant), the list stays one keyset-paged query with
// pins first, and the unread totals and pushes follow mute and marked-unread exactly.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	broadcasts,
	conversationIds as conv,
	createActors,
	createUser,
	forgetEvents,
	ids,
	inTransaction,
	type Actor,
	type ActorTx,
	type Actors,
	type Outcome
} from './actors.ts';

let t: TestDatabase;
let a: Actors;
const more: Actor[] = [];

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
	// Five more trainees of coach with one message each, newest last: Zoë Ünal, then Trainee 1…4.
	const names = ['Trainee 1', 'Trainee 2', 'Trainee 3', 'Trainee 4', 'Zoë Ünal'];
	for (const name of names)
		more.push(await createUser(t.db, { role: 'trainee', name, trainerId: ids.coach }));
	await inTransaction(
		t.db,
		async (x) => {
			for (const [i, trainee] of more.entries()) {
				await x.query(`insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
					ids.coach,
					trainee.id
				]);
				await x.query(
					`insert into public.messages (conversation_id, sender_id, body, created_at, read_at)
					 select c.id, $2, 'hello from ' || $3, now() - interval '5 days' - $4 * interval '1 hour', now()
					 from public.conversations c where c.trainer_id = $1 and c.trainee_id = $2`,
					[ids.coach, trainee.id, i, i]
				);
			}
		},
		{ commit: true }
	);
});
afterAll(async () => {
	await t?.release();
});

interface Row {
	id: string;
	other_party_id: string;
	other_party_name: string;
	last_message_at: Date;
	unread_count: number;
	archived_at: Date | null;
	pinned_at: Date | null;
	muted: boolean;
	marked_unread: boolean;
}

const code = (r: Outcome<unknown>) => (r.ok ? 'ok' : r.error.code);
const list = (
	x: ActorTx,
	o: {
		pageSize?: number;
		after?: Row;
		passPin?: boolean;
		unreadOnly?: boolean;
		archived?: boolean | null;
		name?: string | null;
	} = {}
) =>
	x.query<Row>(`select * from public.list_conversations($1, $2, $3, $4, $5, $6, $7)`, [
		o.pageSize ?? 30,
		o.after?.last_message_at ?? null,
		o.after?.id ?? null,
		o.after && o.passPin !== false ? o.after.pinned_at !== null : null,
		o.unreadOnly ?? false,
		o.archived ?? null,
		o.name ?? null
	]);
const pin = (x: ActorTx, id: string, on = true) =>
	x.attempt(`select public.set_conversation_pinned($1, $2)`, [id, on]);
const mute = (x: ActorTx, id: string, on = true) =>
	x.attempt(`select public.set_conversation_muted($1, $2)`, [id, on]);
const markUnread = (x: ActorTx, id: string) => x.attempt(`select public.mark_conversation_unread($1)`, [id]);
const total = (x: ActorTx) => x.one<{ n: number }>(`select public.unread_total() as n`).then((r) => r.n);
const conversationOf = (trainee: Actor) =>
	`(select id from public.conversations where trainer_id = '${ids.coach}' and trainee_id = '${trainee.id}')`;

/**
 * Users whose stored total is not the sum, over their conversations, of the unread count with their
 * own settings applied: nothing when muted, at least 1 when marked unread.
 */
async function effectiveMismatches(x: ActorTx, back: Actor) {
	await x.becomePostgres();
	const rows = await x.query(
		`with mine as (
		   select c.trainer_id as user_id, c.id, c.trainer_unread_count as unread from public.conversations c
		   union all
		   select c.trainee_id, c.id, c.trainee_unread_count from public.conversations c
		 ), summed as (
		   select m.user_id, sum(case when coalesce(s.muted, false) then 0
		                              else greatest(m.unread, case when s.marked_unread then 1 else 0 end) end)::int as summed
		   from mine m left join public.conversation_settings s on s.user_id = m.user_id and s.conversation_id = m.id
		   where m.user_id is not null group by m.user_id
		 )
		 select coalesce(s.user_id, t.user_id) as user_id, coalesce(t.total, 0) as stored, coalesce(s.summed, 0) as summed
		 from summed s full join private.unread_totals t on t.user_id = s.user_id
		 where coalesce(t.total, 0) <> coalesce(s.summed, 0)`
	);
	await x.become(back);
	return rows;
}

describe('pins', () => {
	test('put pinned conversations first, among themselves by recency, then the rest by recency', async () => {
		await as(t.db, a.coach, async (x) => {
			const before = await list(x);
			expect(before.map((r) => r.other_party_name)).toEqual([
				'Alex Rivera',
				'Sam Lee',
				'Trainee 1',
				'Trainee 2',
				'Trainee 3',
				'Trainee 4',
				'Zoë Ünal'
			]);
			expect(code(await pin(x, conv.coachAlex))).toBe('ok');
			await x.query(`select public.set_conversation_pinned(${conversationOf(more[4])}, true)`);
			const after = await list(x);
			expect(after.map((r) => [r.other_party_name, r.pinned_at !== null])).toEqual([
				['Alex Rivera', true],
				['Zoë Ünal', true],
				['Sam Lee', false],
				['Trainee 1', false],
				['Trainee 2', false],
				['Trainee 3', false],
				['Trainee 4', false]
			]);
			await pin(x, conv.coachAlex, false);
			expect((await list(x))[0].other_party_name).toBe('Zoë Ünal');
		});
	});

	test('the keyset cursor pages through pinned and unpinned alike, each once, with or without before_pinned', async () => {
		await as(t.db, a.coach, async (x) => {
			await pin(x, conv.coachSam);
			await x.query(`select public.set_conversation_pinned(${conversationOf(more[2])}, true)`);
			const all = (await list(x)).map((r) => r.id);
			for (const passPin of [true, false]) {
				const seen: string[] = [];
				let after: Row | undefined;
				for (let i = 0; i < 20; i++) {
					const page = await list(x, { pageSize: 2, after, passPin });
					if (page.length === 0) break;
					seen.push(...page.map((r) => r.id));
					after = page.at(-1);
				}
				expect({ passPin, seen }).toEqual({ passPin, seen: all });
			}
		});
	});

	test('are the pinner’s alone: alex sees neither coach’s pin in the table nor in the list', async () => {
		await as(t.db, a.coach, async (x) => {
			await pin(x, conv.coachAlex);
			await mute(x, conv.coachAlex);
			await markUnread(x, conv.coachAlex);
			await x.become(a.alex);
			expect(await x.query(`select * from public.conversation_settings`)).toEqual([]);
			const [row] = await list(x);
			expect(row).toMatchObject({ id: conv.coachAlex, pinned_at: null, muted: false, marked_unread: false });
			expect(code(await x.attempt(`update public.conversation_settings set muted = false`))).toBe('ok');
			await x.become(a.coach);
			expect((await list(x))[0]).toMatchObject({ muted: true, marked_unread: true });
		});
	});
});

describe('mute', () => {
	test('takes the conversation out of the unread total (badge) but keeps its own count; unmuting puts it back', async () => {
		await as(t.db, a.coach, async (x) => {
			// Coach has alex's #80 and sam's message unread: 2.
			expect(await total(x)).toBe(2);
			await mute(x, conv.coachAlex);
			expect(await total(x)).toBe(1);
			expect((await list(x)).find((r) => r.id === conv.coachAlex)).toMatchObject({
				unread_count: 1,
				muted: true
			});
			await x.become(a.alex);
			await x.query(`select public.send_message($1, 'while muted', $2)`, [ids.coach, randomUUID()]);
			await x.become(a.coach);
			expect(await total(x)).toBe(1);
			expect(await effectiveMismatches(x, a.coach)).toEqual([]);
			await mute(x, conv.coachAlex, false);
			expect(await total(x)).toBe(3);
			expect(await effectiveMismatches(x, a.coach)).toEqual([]);
		});
	});

	test('tells the user the unread total after each change, not before it', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(await total(x)).toBe(2);
			await forgetEvents(x, a.coach);
			await mute(x, conv.coachAlex); // a new settings row
			await mute(x, conv.coachAlex, false); // the same row again ("on conflict do update")
			expect((await broadcasts(x, a.coach)).map((e) => e.payload)).toEqual([
				expect.objectContaining({ conversation_id: conv.coachAlex, muted: true, unread_total: 1 }),
				expect.objectContaining({ conversation_id: conv.coachAlex, muted: false, unread_total: 2 })
			]);
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			await forgetEvents(x, a.coach);
			await markUnread(x, conv.coachAlex);
			expect(await total(x)).toBe(2);
			expect((await broadcasts(x, a.coach)).map((e) => e.payload)).toEqual([
				expect.objectContaining({ conversation_id: conv.coachAlex, marked_unread: true, unread_total: 2 })
			]);
			expect(await effectiveMismatches(x, a.coach)).toEqual([]);
		});
	});

	test('sends no push: the claim finishes the recipient’s row as muted', async () => {
		await as(t.db, a.coach, async (x) => {
			await mute(x, conv.coachAlex);
			await forgetEvents(x, a.coach);
			const [{ id }] = await x.query<{ id: string }>(`select id from public.send_message($1, 'muted?', $2)`, [
				ids.alex,
				randomUUID()
			]);
			await x.becomeDispatcher();
			await x.query(`update private.push_outbox set not_before = now() where message_id = $1`, [id]);
			// alex (the recipient) did not mute it: pushed as usual (no devices here).
			expect(await x.query(`select outcome from private.push_claim(10, interval '1 minute')`)).toEqual([
				{ outcome: 'no_devices' }
			]);
			await x.become(a.alex);
			const [reply] = await x.query<{ id: string }>(`select id from public.send_message($1, 'yes', $2)`, [
				ids.coach,
				randomUUID()
			]);
			await x.becomeDispatcher();
			await x.query(`update private.push_outbox set not_before = now() where message_id = $1`, [reply.id]);
			expect(await x.query(`select outcome from private.push_claim(10, interval '1 minute')`)).toEqual([
				{ outcome: 'muted' }
			]);
		});
	});
});

describe('mark as unread', () => {
	test('counts a read conversation as 1 unread in its row and the total, until it is read', async () => {
		await as(t.db, a.alex, async (x) => {
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			expect(await total(x)).toBe(0);
			await markUnread(x, conv.coachAlex);
			expect(await total(x)).toBe(1);
			expect((await list(x))[0]).toMatchObject({ unread_count: 1, marked_unread: true });
			expect(await effectiveMismatches(x, a.alex)).toEqual([]);
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			expect(await total(x)).toBe(0);
			expect((await list(x))[0]).toMatchObject({ unread_count: 0, marked_unread: false });
		});
	});

	test('adds nothing to a conversation that already has unread messages', async () => {
		await as(t.db, a.alex, async (x) => {
			expect(await total(x)).toBe(1);
			await markUnread(x, conv.coachAlex);
			expect(await total(x)).toBe(1);
			expect(await effectiveMismatches(x, a.alex)).toEqual([]);
		});
	});

	test('a message arriving in a conversation marked unread counts from the second on: the mark is at least 1, not 1 more', async () => {
		await as(t.db, a.alex, async (x) => {
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			await markUnread(x, conv.coachAlex);
			expect(await total(x)).toBe(1);
			await x.become(a.coach);
			await x.query(`select public.send_message($1, 'while marked', $2)`, [ids.alex, randomUUID()]);
			await x.become(a.alex);
			expect(await total(x)).toBe(1);
			await x.become(a.coach);
			await x.query(`select public.send_message($1, 'and again', $2)`, [ids.alex, randomUUID()]);
			await x.become(a.alex);
			expect(await total(x)).toBe(2);
			expect(await effectiveMismatches(x, a.alex)).toEqual([]);
			expect(await effectiveMismatches(x, a.coach)).toEqual([]);
		});
	});

	test('tells only the user who changed it, on their own topic', async () => {
		await as(t.db, a.coach, async (x) => {
			await forgetEvents(x, a.coach);
			await markUnread(x, conv.coachSam);
			const events = await broadcasts(x, a.coach);
			expect(events).toEqual([
				{
					topic: `user:${ids.coach}`,
					event: 'conversation_changed',
					payload: expect.objectContaining({
						conversation_id: conv.coachSam,
						unread_count: 1,
						unread_total: 2,
						marked_unread: true,
						muted: false,
						pinned_at: null
					})
				}
			]);
		});
	});
});

describe('filters', () => {
	test('unread only: conversations with unread messages or marked unread', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await list(x, { unreadOnly: true })).map((r) => r.other_party_name)).toEqual([
				'Alex Rivera',
				'Sam Lee'
			]);
			await markUnread(x, conversationOfId(more[0]));
			expect((await list(x, { unreadOnly: true })).map((r) => r.other_party_name)).toEqual([
				'Alex Rivera',
				'Sam Lee',
				'Trainee 1'
			]);
		});
	});

	test('archived: only the archived ones, only the active ones, or both', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.remove_trainee($1)`, [ids.sam]);
			expect((await list(x, { archived: true })).map((r) => r.other_party_name)).toEqual(['Sam Lee']);
			expect((await list(x, { archived: false })).map((r) => r.other_party_name)).not.toContain('Sam Lee');
			expect((await list(x, { archived: false })).length).toBe(6);
			expect((await list(x)).length).toBe(7);
		});
	});

	test('by the other person’s name, as typed, accents and case ignored', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await list(x, { name: 'zoe un' })).map((r) => r.other_party_name)).toEqual(['Zoë Ünal']);
			expect((await list(x, { name: 'ÁLEX' })).map((r) => r.other_party_name)).toEqual(['Alex Rivera']);
			expect((await list(x, { name: 'trainee' })).length).toBe(4);
			expect((await list(x, { name: 'trainee', pageSize: 3 })).length).toBe(3);
			expect((await list(x, { name: '   ' })).length).toBe(7);
			expect(await list(x, { name: 'jordan' })).toEqual([]);
		});
	});
});

describe('refusals', () => {
	test('a conversation that is not mine is not found (SP008), and nothing is stored', async () => {
		await as(t.db, a.alex, async (x) => {
			for (const attempt of [pin, mute, markUnread]) {
				expect(code(await attempt(x, conv.rivalJordan))).toBe('SP008');
				expect(code(await attempt(x, randomUUID()))).toBe('SP008');
			}
			expect(
				code(
					await x.attempt(
						`insert into public.conversation_settings (conversation_id, muted) values ($1, true)`,
						[conv.rivalJordan]
					)
				)
			).toBe('42501');
		});
	});

	test('dashboard impersonation changes no triage (SP006)', async () => {
		await as(t.db, a.impersonation, async (x) => {
			expect(code(await pin(x, conv.coachAlex))).toBe('SP006');
			expect(code(await mute(x, conv.coachAlex))).toBe('SP006');
			expect(code(await markUnread(x, conv.coachAlex))).toBe('SP006');
		});
	});

	test('pinned_at is the server’s time, whatever a client writes', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(
				`insert into public.conversation_settings (conversation_id, pinned_at) values ($1, '2000-01-01')`,
				[conv.coachAlex]
			);
			const [row] = await x.query<{ pinned_at: Date; now: Date }>(
				`select pinned_at, now() from public.conversation_settings where conversation_id = $1`,
				[conv.coachAlex]
			);
			expect(row.pinned_at).toEqual(row.now);
		});
	});
});

function conversationOfId(trainee: Actor): string {
	return conversationIds.get(trainee.id!)!;
}
const conversationIds = new Map<string, string>();
beforeAll(async () => {
	const { rows } = await t.db.query<{ id: string; trainee_id: string }>(
		`select id, trainee_id from public.conversations where trainer_id = $1`,
		[ids.coach]
	);
	for (const row of rows) conversationIds.set(row.trainee_id, row.id);
});
