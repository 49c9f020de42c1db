// The read side: the conversation list (one query, keyset pages), message history pages of 20 and
// the unread badge, checked against the rows themselves.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	createUser,
	ids,
	inTransaction,
	seededMessageId,
	type Actor,
	type ActorTx,
	type Actors,
	unreadTotalMismatches
} from './actors.ts';

let t: TestDatabase;
let a: Actors;
const extraTrainees: Actor[] = [];

interface ListRow {
	id: string;
	other_party_id: string | null;
	other_party_name: string | null;
	other_party_avatar_url: string | null;
	other_party_role: string | null;
	last_message_at: Date;
	last_message_preview: string;
	last_message_sender_id: string | null;
	last_message_seq: number;
	unread_count: number;
	archived_at: Date | null;
	archived_reason: string | null;
	cursor_at: string;
}

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
	// 24 more trainees for coach, each with one conversation; their last messages share times in
	// threes, so only the id breaks ties and a keyset cursor must use both.
	for (let i = 0; i < 24; i++) {
		extraTrainees.push(
			await createUser(t.db, {
				role: 'trainee',
				name: `Trainee ${String(i).padStart(2, '0')}`,
				trainerId: ids.coach
			})
		);
	}
	const empty = await createUser(t.db, { role: 'trainee', name: 'Quiet One', trainerId: ids.coach });
	await inTransaction(
		t.db,
		async (x) => {
			for (const [i, trainee] of extraTrainees.entries()) {
				const [{ id }] = await x.query<{ id: string }>(
					`insert into public.conversations (trainer_id, trainee_id) values ($1, $2) returning id`,
					[ids.coach, trainee.id]
				);
				await x.query(
					`insert into public.messages (conversation_id, sender_id, body, created_at, read_at)
					 values ($1, $2, $3, now() - interval '1 day' - $4 * interval '1 hour', case when $5 then now() end)`,
					[id, trainee.id, `Hello from trainee ${i}`, Math.floor(i / 3), i % 4 === 0]
				);
			}
			// A conversation without messages is not listed.
			await x.query(`insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
				ids.coach,
				empty.id
			]);
		},
		{ commit: true }
	);
});
afterAll(async () => {
	await t?.release();
});

/** One page; the cursor travels as text because a JS Date would drop the microseconds. */
const listPage = (x: ActorTx, size: number, cursor?: ListRow) =>
	x.query<ListRow>(
		`select *, last_message_at::text as cursor_at from public.list_conversations($1, $2::timestamptz, $3)`,
		[size, cursor?.cursor_at ?? null, cursor?.id ?? null]
	);

/** The order the list must have, computed from the table as the server. */
async function expectedOrder(actor: Actor): Promise<string[]> {
	return inTransaction(t.db, async (x) => {
		const rows = await x.query<{ id: string }>(
			`select id from public.conversations
			 where (trainer_id = $1 or trainee_id = $1) and last_message_at is not null
			 order by last_message_at desc, id desc`,
			[actor.id]
		);
		return rows.map((r) => r.id);
	});
}

describe('as coach, a trainer with 26 conversations', () => {
	test('keyset pages of 7 are disjoint, in order, and together are exactly the conversations with messages', async () => {
		const expected = await expectedOrder(a.coach);
		expect(expected).toHaveLength(26);
		await as(t.db, a.coach, async (x) => {
			const pages: ListRow[][] = [];
			let cursor: ListRow | undefined;
			for (;;) {
				const page = await listPage(x, 7, cursor);
				if (page.length === 0) break;
				pages.push(page);
				cursor = page[page.length - 1];
				expect(pages.length).toBeLessThan(10);
			}
			expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 5]);
			const all = pages.flat().map((r) => r.id);
			expect(new Set(all).size).toBe(all.length);
			expect(all).toEqual(expected);
		});
	});

	test('the newest conversation comes first with the other party’s name, preview, time and coach’s unread count', async () => {
		await as(t.db, a.coach, async (x) => {
			const [first] = await listPage(x, 1);
			await x.becomePostgres();
			const last = await x.one<{ created_at: Date }>(`select created_at from public.messages where id = $1`, [
				seededMessageId(80)
			]);
			expect(first).toMatchObject({
				id: conv.coachAlex,
				other_party_id: ids.alex,
				other_party_name: 'Alex Rivera',
				other_party_avatar_url: null,
				other_party_role: 'trainee',
				last_message_sender_id: ids.alex,
				last_message_seq: 80,
				unread_count: 1,
				archived_at: null
			});
			expect(first.last_message_preview).toMatch(/\(#80\)$/);
			expect(first.last_message_at).toEqual(last.created_at);
		});
	});

	test('each row’s unread count is coach’s own counter, and unread_total is their sum', async () => {
		await as(t.db, a.coach, async (x) => {
			const rows = await listPage(x, 100);
			expect(rows).toHaveLength(26);
			const byId = Object.fromEntries(rows.map((r) => [r.id, r.unread_count]));
			expect(byId[conv.coachAlex]).toBe(1);
			expect(byId[conv.coachSam]).toBe(1);
			const sum = rows.reduce((s, r) => s + r.unread_count, 0);
			// 2 seeded + 18 of the 24 extra (every fourth was created read).
			expect(sum).toBe(20);
			const [{ total }] = await x.query<{ total: number }>(`select public.unread_total() as total`);
			expect(total).toBe(sum);
			// The same for every user of the 26 conversations, as the triggers stored it.
			expect(await unreadTotalMismatches(x, a.coach)).toEqual([]);
		});
	});

	test('reading a conversation moves its count into the total at once', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachSam]);
			const [{ total }] = await x.query<{ total: number }>(`select public.unread_total() as total`);
			expect(total).toBe(19);
			const [row] = await x.query<ListRow>(`select * from public.list_conversations(100) where id = $1`, [
				conv.coachSam
			]);
			expect(row.unread_count).toBe(0);
		});
	});

	test('a new message moves its conversation to the top of the list', async () => {
		await as(t.db, a.coach, async (x) => {
			const before = await listPage(x, 100);
			const oldest = before[before.length - 1];
			await x.query(`select public.send_message($1, 'bump', gen_random_uuid())`, [oldest.other_party_id]);
			const [top] = await listPage(x, 1);
			expect(top).toMatchObject({
				id: oldest.id,
				last_message_preview: 'bump',
				last_message_sender_id: ids.coach
			});
		});
	});

	test('the page size is clamped to 1…100', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(await listPage(x, 0)).toHaveLength(1);
			expect(await listPage(x, -5)).toHaveLength(1);
			expect(await listPage(x, 1000)).toHaveLength(26);
		});
	});
});

describe('as alex, a trainee', () => {
	test('the list has one row: coach as the other party, with alex’s own unread count (a trainee sees the trainer)', async () => {
		await as(t.db, a.alex, async (x) => {
			const rows = await listPage(x, 30);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({
				id: conv.coachAlex,
				other_party_id: ids.coach,
				other_party_name: 'Casey Coach',
				other_party_role: 'trainer',
				unread_count: 1
			});
			const [{ total }] = await x.query<{ total: number }>(`select public.unread_total() as total`);
			expect(total).toBe(1);
		});
	});

	test('history pages of 20 before a seq cursor cover all 80 messages exactly once, newest first', async () => {
		await as(t.db, a.alex, async (x) => {
			const pages: number[][] = [];
			let cursor: number | null = null;
			for (;;) {
				const page: { seq: number }[] = await x.query<{ seq: number }>(
					`select seq from public.list_messages($1, $2)`,
					[conv.coachAlex, cursor]
				);
				if (page.length === 0) break;
				pages.push(page.map((m) => m.seq));
				cursor = page[page.length - 1].seq;
				expect(pages.length).toBeLessThan(6);
			}
			expect(pages.map((p) => p.length)).toEqual([20, 20, 20, 20]);
			expect(pages[0][0]).toBe(80);
			expect(pages.flat()).toEqual(Array.from({ length: 80 }, (_, i) => 80 - i));
		});
	});

	test('a history page returns the stored rows, ids and bodies included', async () => {
		await as(t.db, a.alex, async (x) => {
			const [newest] = await x.query<{ id: string; body: string; sender_id: string }>(
				`select * from public.list_messages($1, null, 1)`,
				[conv.coachAlex]
			);
			expect(newest).toMatchObject({ id: seededMessageId(80), sender_id: ids.alex });
			expect(newest.body).toMatch(/\(#80\)$/);
			const tail = await x.query<{ seq: number }>(`select seq from public.list_messages($1, 3)`, [
				conv.coachAlex
			]);
			expect(tail.map((m) => m.seq)).toEqual([2, 1]);
		});
	});
});

describe('as the others', () => {
	test('unread totals match the seed: sam 0, rival 0, jordan 0, solo 0', async () => {
		for (const actor of [a.sam, a.rival, a.jordan, a.solo]) {
			const total = await as(t.db, actor, (x) =>
				x.one<{ total: number }>(`select public.unread_total() as total`)
			);
			expect({ actor: actor.name, total: total.total }).toEqual({ actor: actor.name, total: 0 });
		}
	});
	test('solo’s conversation list is empty', async () => {
		expect(await as(t.db, a.solo, (x) => listPage(x, 30))).toEqual([]);
	});
	test('one of coach’s new trainees sees only their own conversation', async () => {
		const rows = await as(t.db, extraTrainees[5], (x) => listPage(x, 30));
		expect(rows.map((r) => [r.other_party_id, r.unread_count])).toEqual([[ids.coach, 0]]);
	});
});
