// The rate limit as a sender meets it: refused (SP005) while 30 of their messages fall in the last
// minute, and told by the database how long until sending works again, by the same rule.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { as, conversationIds as conv, createActors, ids, type ActorTx, type Actors } from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

const send = (x: ActorTx, to: string, body: string) =>
	x.attempt(`select id from public.send_message($1, $2, $3)`, [to, body, randomUUID()]);
const secondsUntilSending = async (x: ActorTx) =>
	Number((await x.one<{ s: string }>(`select public.seconds_until_sending() as s`)).s);

/** Stores `n` messages from coach to sam, sent `secondsAgo` ago (as the server writes history). */
async function sentAgo(x: ActorTx, n: number, secondsAgo: number) {
	await x.becomePostgres();
	await x.query(
		`insert into public.messages (conversation_id, sender_id, body, created_at)
		 select $1, $2, 'earlier ' || i, clock_timestamp() - make_interval(secs => $3) from generate_series(1, $4) i`,
		[conv.coachSam, ids.coach, secondsAgo, n]
	);
	await x.become(a.coach);
}

describe('a trainer (coach) sending fast', () => {
	test('may send now (0 seconds to wait) with nothing sent in the last minute', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(await secondsUntilSending(x)).toBe(0);
		});
	});

	test('after 30 sends is told to wait about a minute, and refused (SP005)', async () => {
		await as(t.db, a.coach, async (x) => {
			for (let i = 0; i < 30; i++) expect((await send(x, ids.alex, `set ${i}`)).ok).toBe(true);
			const wait = await secondsUntilSending(x);
			expect(wait).toBeGreaterThan(55);
			expect(wait).toBeLessThanOrEqual(60);
			const refused = await send(x, ids.alex, 'one too many');
			expect(refused.ok).toBe(false);
			expect(refused.error?.code).toBe('SP005');
		});
	});

	test('the wait is counted from the oldest of the last 30 sends: it ends when that one is a minute old', async () => {
		await as(t.db, a.coach, async (x) => {
			// 10 sent 70 s ago (outside the window), 20 sent 45 s ago, 10 just now: the oldest of the
			// last 30 is 45 s old, so 15 s are left.
			await sentAgo(x, 10, 70);
			await sentAgo(x, 20, 45);
			for (let i = 0; i < 10; i++) expect((await send(x, ids.sam, `rep ${i}`)).ok).toBe(true);
			const wait = await secondsUntilSending(x);
			expect(wait).toBeGreaterThan(10);
			expect(wait).toBeLessThanOrEqual(15);
			expect((await send(x, ids.sam, 'not yet')).error?.code).toBe('SP005');
		});
	});

	test('sending works again once the oldest of the last 30 is a minute old', async () => {
		await as(t.db, a.coach, async (x) => {
			await sentAgo(x, 1, 61);
			await sentAgo(x, 29, 30);
			expect(await secondsUntilSending(x)).toBe(0);
			expect((await send(x, ids.sam, 'the 30th in this minute')).ok).toBe(true);
			expect(await secondsUntilSending(x)).toBeGreaterThan(25);
			expect((await send(x, ids.sam, 'the 31st')).error?.code).toBe('SP005');
		});
	});

	test('the refusal and the wait agree at every count: refused exactly when there is a wait', async () => {
		await as(t.db, a.coach, async (x) => {
			for (let i = 0; i < 31; i++) {
				const wait = await secondsUntilSending(x);
				const outcome = await send(x, ids.alex, `probe ${i}`);
				expect({ i, refused: !outcome.ok, waiting: wait > 0 }).toEqual({
					i,
					refused: i >= 30,
					waiting: i >= 30
				});
				if (!outcome.ok) expect(outcome.error.code).toBe('SP005');
			}
		});
	});
});

describe('a sender with a long history', () => {
	// The limit's lookup on messages_sender_recent_idx must stop a minute back: counted in index
	// entries read by this transaction, not in time. (Its first version read every message the sender
	// ever sent — 3,000 here — on each send: ~4 ms for a trainer with 24,000, growing without end.)
	const recentIndexReads = async (x: ActorTx) => {
		await x.becomePostgres();
		const { n } = await x.one<{ n: string }>(
			`select pg_stat_get_xact_tuples_returned('public.messages_sender_recent_idx'::regclass) as n`
		);
		await x.become(a.coach);
		return Number(n);
	};

	test('is limited by the last minute only, which is all the send and the wait read', async () => {
		await as(t.db, a.coach, async (x) => {
			await sentAgo(x, 3000, 86_400);
			await sentAgo(x, 5, 10);
			const before = await recentIndexReads(x);
			expect((await send(x, ids.sam, 'after a long year')).ok).toBe(true);
			expect(await secondsUntilSending(x)).toBe(0);
			const read = (await recentIndexReads(x)) - before;
			expect(read).toBeGreaterThanOrEqual(6); // the five recent and the new one, at least once
			expect(read).toBeLessThan(100);
		});
	});
});

describe('one sender’s limit is theirs alone', () => {
	test('alex waits for nothing while coach is limited, and sees only their own wait', async () => {
		await as(t.db, a.coach, async (x) => {
			for (let i = 0; i < 30; i++) await send(x, ids.alex, `burst ${i}`);
			expect(await secondsUntilSending(x)).toBeGreaterThan(0);
			await x.become(a.alex);
			expect(await secondsUntilSending(x)).toBe(0);
			expect((await send(x, ids.coach, 'my turn')).ok).toBe(true);
		});
	});
});

describe('anon', () => {
	test('cannot ask', async () => {
		await as(t.db, a.anon, async (x) => {
			expect(await x.errorCode(`select public.seconds_until_sending()`)).toBe('42501');
		});
	});
});
