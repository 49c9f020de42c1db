// search_messages: prefixes as typed, accents and case folded, every word required, newest first in
// keyset pages, the match marked — and never a message of another pair or a deleted one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	ids,
	type ActorTx,
	type Actors,
	type UserName
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

interface Hit {
	id: string;
	conversation_id: string;
	seq: number;
	sender_id: string;
	created_at: Date;
	headline: string;
	other_party_id: string;
	other_party_name: string;
}

const search = (x: ActorTx, query: string, opts: { within?: string; before?: Hit; pageSize?: number } = {}) =>
	x.query<Hit>(`select * from public.search_messages($1, $2, $3, $4, $5)`, [
		query,
		opts.within ?? null,
		opts.before?.created_at ?? null,
		opts.before?.id ?? null,
		opts.pageSize ?? 20
	]);
const send = (x: ActorTx, to: string, body: string) =>
	x.one<{ id: string; seq: number }>(`select id, seq from public.send_message($1, $2, $3)`, [
		to,
		body,
		randomUUID()
	]);
/** The headline with its marks shown as [ and ]. */
const marked = (h: Hit) => h.headline.replace(/\uE000/g, '[').replace(/\uE001/g, ']');

describe('matching', () => {
	test('finds words by their first letters, as typed, in the caller’s conversations', async () => {
		await as(t.db, a.coach, async (x) => {
			// "Great squat numbers this week!" is every tenth message of coach ↔ alex's 80.
			const hits = await search(x, 'squ');
			expect(hits.length).toBe(8);
			expect(hits.every((h) => h.conversation_id === conv.coachAlex)).toBe(true);
			expect(marked(hits[0])).toMatch(/\[squat\]/i);
			expect(hits[0]).toMatchObject({ other_party_id: ids.alex, other_party_name: 'Alex Rivera' });
		});
	});

	test('ignores accents and case on both sides', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = await send(x, ids.alex, 'Crème brûlée after the Ärztekammer visit');
			for (const q of ['creme brul', 'CRÈME', 'arztek', 'Brûlée'])
				expect({ q, ids: (await search(x, q)).map((h) => h.id) }).toEqual({ q, ids: [m.id] });
			expect(marked((await search(x, 'creme'))[0])).toContain('[Crème]');
		});
	});

	test('requires every word typed', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await search(x, 'squat numb')).length).toBe(8);
			expect(await search(x, 'squat sleep')).toEqual([]);
		});
	});

	test('treats operators and punctuation as text: nothing typed is query syntax', async () => {
		await as(t.db, a.coach, async (x) => {
			// Each would be a syntax error (42601) if it reached to_tsquery as typed.
			for (const q of ["squ & | ! ( ) : * ' \\", '<->', "o'neil", 'a:*b', '!'])
				expect({ q, ok: (await x.attempt(`select * from public.search_messages($1)`, [q])).ok }).toEqual({
					q,
					ok: true
				});
			expect(await search(x, '!!! ***')).toEqual([]);
			expect(await search(x, '')).toEqual([]);
			expect((await search(x, "squat's!")).length).toBeGreaterThan(0);
		});
	});

	test('finds an edited message by its new text only, and a deleted one never', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = await send(x, ids.alex, 'zebracrossing drills');
			await x.query(`select public.edit_message($1, 'kangaroo hops')`, [m.id]);
			expect(await search(x, 'zebra')).toEqual([]);
			expect((await search(x, 'kanga')).map((h) => h.id)).toEqual([m.id]);
			await x.query(`select public.delete_message($1)`, [m.id]);
			expect(await search(x, 'kanga')).toEqual([]);
		});
	});

	test('marks the match with U+E000 and U+E001 only: a message cannot fake a mark', async () => {
		await as(t.db, a.coach, async (x) => {
			await send(x, ids.alex, 'fake \uE000mark\uE001 around volleyball');
			const [hit] = await search(x, 'volley');
			expect(marked(hit)).toBe('fake mark around [volleyball]');
		});
	});
});

describe('paging', () => {
	test('pages newest first with the keyset cursor, every hit once', async () => {
		await as(t.db, a.coach, async (x) => {
			const all = await search(x, 'felt', { pageSize: 50 });
			expect(all.length).toBe(8);
			const paged: Hit[] = [];
			let before: Hit | undefined;
			for (;;) {
				const page = await search(x, 'felt', { before, pageSize: 3 });
				if (page.length === 0) break;
				paged.push(...page);
				before = page.at(-1);
			}
			expect(paged.map((h) => h.id)).toEqual(all.map((h) => h.id));
			const times = all.map((h) => h.created_at.getTime());
			expect(times).toEqual([...times].sort((p, q) => q - p));
		});
	});

	test('is capped at 50 a page, and can be limited to one conversation (where to jump: its seq)', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.becomePostgres();
			await x.query(
				`insert into public.messages (conversation_id, sender_id, body)
				 select $1, $2, 'treadmill intervals ' || n from generate_series(1, 60) n`,
				[conv.coachAlex, ids.coach]
			);
			await x.become(a.coach);
			expect((await search(x, 'tread', { pageSize: 1000 })).length).toBe(50);
			const sam = await search(x, 'welc', { within: conv.coachSam });
			expect(sam.map((h) => [h.conversation_id, h.seq])).toEqual([[conv.coachSam, 1]]);
			expect(await search(x, 'squ', { within: conv.coachSam })).toEqual([]);
		});
	});
});

describe('row-level security bounds every result', () => {
	test('nobody finds another pair’s messages, whatever they search for', async () => {
		await as(t.db, a.rival, async (x) => {
			await send(x, ids.jordan, 'xylophone secret for jordan');
			const theirs: Record<string, string[]> = {
				coach: [conv.coachAlex, conv.coachSam],
				alex: [conv.coachAlex],
				sam: [conv.coachSam],
				rival: [conv.rivalJordan],
				jordan: [conv.rivalJordan],
				solo: []
			};
			for (const name of Object.keys(theirs) as UserName[]) {
				await x.become(a[name]);
				for (const q of ['a', 'e', 'o', 'xylo', 'squ', 'welc', 'check']) {
					const found = new Set((await search(x, q, { pageSize: 50 })).map((h) => h.conversation_id));
					for (const c of found)
						expect({ name, q, c }).toEqual({ name, q, c: expect.toBeOneOf(theirs[name]) });
				}
				const xylo = await search(x, 'xylophone');
				expect({ name, found: xylo.length }).toEqual({
					name,
					found: name === 'rival' || name === 'jordan' ? 1 : 0
				});
			}
		});
	});

	test('the search words are the server’s; each user sees only their own conversations’ through the view', async () => {
		await as(t.db, a.alex, async (x) => {
			const rows = await x.query<{ conversation_id: string; n: number }>(
				`select conversation_id, count(*)::int as n from private.my_message_search group by 1`
			);
			expect(rows).toEqual([{ conversation_id: conv.coachAlex, n: 80 }]);
			const direct = await x.attempt(`select 1 from private.message_search`);
			expect(direct.ok ? 'ok' : direct.error.code).toBe('42501');
			await x.become(a.solo);
			expect(await x.query(`select 1 from private.my_message_search`)).toEqual([]);
		});
	});

	test('naming another pair’s conversation finds nothing there', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(await search(x, 'check', { within: conv.rivalJordan })).toEqual([]);
		});
	});

	test('anon cannot search at all', async () => {
		await as(t.db, a.anon, async (x) => {
			const r = await x.attempt(`select * from public.search_messages('squ')`);
			expect(r.ok ? 'ok' : r.error.code).toBe('42501');
		});
	});

	test('an archived conversation’s history stays searchable for its participants', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.remove_trainee($1)`, [ids.sam]);
			expect((await search(x, 'welc')).map((h) => h.conversation_id)).toEqual([conv.coachSam]);
		});
	});
});
