// Concurrent transactions on separate connections (the server) — on PGlite the same code runs
// serialized, and the results must be just as exact. Every send here commits.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	createUser,
	ids,
	inTransaction,
	type Actor,
	type ActorTx,
	type Actors,
	type Outcome,
	unreadTotalMismatches
} from './actors.ts';

let t: TestDatabase;
let a: Actors;
let parallel: boolean;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
	parallel = t.db.kind === 'postgres';
});
afterAll(async () => {
	await t?.release();
});

interface Message {
	id: string;
	conversation_id: string;
	seq: number;
	sender_id: string;
	created_at: Date;
}

/** Resolves once `n` callers wait on it; on PGlite (one connection) it never blocks. */
function barrier(n: number): () => Promise<void> {
	let arrived = 0;
	let release!: () => void;
	const all = new Promise<void>((resolve) => (release = resolve));
	return () => {
		if (!parallel) return Promise.resolve();
		if (++arrived === n) release();
		return all;
	};
}

/** One committed send in its own transaction (its own connection on the server). */
function sendCommitted(
	actor: Actor,
	to: string,
	body: string,
	opts: { id?: string; before?: () => Promise<void>; holdMs?: number } = {}
): Promise<Outcome<Message>> {
	return as(
		t.db,
		actor,
		async (x) => {
			await opts.before?.();
			const r = await x.attempt<Message>(`select * from public.send_message($1, $2, $3)`, [
				to,
				body,
				opts.id ?? randomUUID()
			]);
			// Holding the transaction open keeps its locks, so the other side must wait on them.
			if (opts.holdMs && parallel) await x.query(`select pg_sleep($1)`, [opts.holdMs / 1000]);
			return r;
		},
		{ commit: true }
	);
}

const okRows = (results: Outcome<Message>[]) => results.map((r) => (r.ok ? r.rows[0] : { error: r.error }));
const server = <T>(fn: (x: ActorTx) => Promise<T>) => inTransaction(t.db, fn);

describe('two first messages at once (one conversation per pair, created atomically)', () => {
	test('a fresh pair writing to each other simultaneously gets one conversation holding both messages', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Race Trainer' });
		const trainee = await createUser(t.db, { role: 'trainee', name: 'Race Trainee', trainerId: trainer.id });
		const ready = barrier(2);
		const results = await Promise.all([
			sendCommitted(trainer, trainee.id!, 'first from the trainer', { before: ready, holdMs: 200 }),
			sendCommitted(trainee, trainer.id!, 'first from the trainee', { before: ready, holdMs: 200 })
		]);
		const [m1, m2] = okRows(results) as Message[];
		expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok']);
		expect(m1.conversation_id).toBe(m2.conversation_id);
		expect([m1.seq, m2.seq].sort()).toEqual([1, 2]);
		const rows = await server((x) =>
			x.query<{
				id: string;
				last_message_seq: number;
				trainer_unread_count: number;
				trainee_unread_count: number;
			}>(
				`select id, last_message_seq, trainer_unread_count, trainee_unread_count from public.conversations where trainer_id = $1`,
				[trainer.id]
			)
		);
		expect(rows).toEqual([
			{ id: m1.conversation_id, last_message_seq: 2, trainer_unread_count: 1, trainee_unread_count: 1 }
		]);
		expect(await server((x) => unreadTotalMismatches(x))).toEqual([]);
	});

	test('two first messages from the same trainer at once also share one conversation', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Double Trainer' });
		const trainee = await createUser(t.db, {
			role: 'trainee',
			name: 'Double Trainee',
			trainerId: trainer.id
		});
		const ready = barrier(2);
		const results = await Promise.all([
			sendCommitted(trainer, trainee.id!, 'tab one', { before: ready, holdMs: 200 }),
			sendCommitted(trainer, trainee.id!, 'tab two', { before: ready })
		]);
		expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok']);
		const [{ n, messages }] = await server((x) =>
			x.query<{ n: number; messages: number }>(
				`select count(*)::int as n, sum(last_message_seq)::int as messages from public.conversations where trainer_id = $1`,
				[trainer.id]
			)
		);
		expect({ n, messages }).toEqual({ n: 1, messages: 2 });
	});
});

describe('a retry racing the original send', () => {
	test('both calls return the same stored row, one message exists and seq keeps no hole', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Retry Trainer' });
		const trainee = await createUser(t.db, { role: 'trainee', name: 'Retry Trainee', trainerId: trainer.id });
		const conversationId = await inTransaction(
			t.db,
			(x) =>
				x
					.one<{ id: string }>(
						`insert into public.conversations (trainer_id, trainee_id) values ($1, $2) returning id`,
						[trainer.id, trainee.id]
					)
					.then((r) => r.id),
			{ commit: true }
		);
		const id = randomUUID();
		const ready = barrier(2);
		const results = await Promise.all([
			sendCommitted(trainer, trainee.id!, 'sent twice by a flaky network', {
				id,
				before: ready,
				holdMs: 200
			}),
			sendCommitted(trainer, trainee.id!, 'sent twice by a flaky network', { id, before: ready })
		]);
		const rows = okRows(results);
		expect(rows[0]).toEqual(rows[1]);
		const next = await sendCommitted(trainer, trainee.id!, 'the next one');
		const state = await server((x) =>
			x.one<{ n: number; last_message_seq: number; seqs: number[] }>(
				`select (select count(*)::int from public.messages where id = $1) as n, c.last_message_seq,
				        array(select m.seq::int from public.messages m where m.conversation_id = c.id order by m.seq) as seqs
				 from public.conversations c where c.id = $2`,
				[id, conversationId]
			)
		);
		// A lost race must not consume a number: catch-up by "seq > last seen" relies on 1, 2, 3…
		expect({ ...state, next: next.ok && next.rows[0].seq }).toEqual({
			n: 1,
			last_message_seq: 2,
			seqs: [1, 2],
			next: 2
		});
	});
});

describe('50 concurrent sends by six senders', () => {
	test('leave seq gap-free, last message, unread counters, message counts and the outbox exact', async () => {
		const plan: [Actor, string, number][] = [
			[a.coach, ids.alex, 7],
			[a.coach, ids.sam, 7],
			[a.alex, ids.coach, 9],
			[a.sam, ids.coach, 9],
			[a.rival, ids.jordan, 9],
			[a.jordan, ids.rival, 9]
		];
		expect(plan.reduce((s, [, , n]) => s + n, 0)).toBe(50);
		const snapshot = () =>
			server((x) =>
				x.query<{
					id: string;
					seq: number;
					tr: number;
					te: number;
					messages: number;
					pushes: number;
					created: number;
				}>(
					`select c.id, c.last_message_seq as seq, c.trainer_unread_count as tr, c.trainee_unread_count as te,
					        (select count(*)::int from public.messages m where m.conversation_id = c.id) as messages,
					        (select count(*)::int from private.push_outbox o join public.messages m on m.id = o.message_id where m.conversation_id = c.id) as pushes,
					        (select count(*)::int from realtime.messages r where r.topic = 'conversation:' || c.id and r.event = 'message_created') as created
					 from public.conversations c where c.id = any($1) order by c.id`,
					[Object.values(conv)]
				)
			);
		const before = Object.fromEntries((await snapshot()).map((r) => [r.id, r]));

		// Round-robin over the senders, so every conversation has writers on both sides at once.
		const jobs: (() => Promise<Outcome<Message>>)[] = [];
		for (let i = 0; i < 9; i++) {
			for (const [actor, to, n] of plan)
				if (i < n) jobs.push(() => sendCommitted(actor, to, `${actor.name} #${i}`));
		}
		expect(jobs).toHaveLength(50);
		const results = await Promise.all(jobs.map((job) => job()));
		expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);

		const after = Object.fromEntries((await snapshot()).map((r) => [r.id, r]));
		const d = (id: string) => ({
			seq: after[id].seq - before[id].seq,
			trainerUnread: after[id].tr - before[id].tr,
			traineeUnread: after[id].te - before[id].te,
			messages: after[id].messages - before[id].messages,
			pushes: after[id].pushes - before[id].pushes,
			created: after[id].created - before[id].created
		});
		expect(d(conv.coachAlex)).toEqual({
			seq: 16,
			trainerUnread: 9,
			traineeUnread: 7,
			messages: 16,
			pushes: 16,
			created: 16
		});
		expect(d(conv.coachSam)).toEqual({
			seq: 16,
			trainerUnread: 9,
			traineeUnread: 7,
			messages: 16,
			pushes: 16,
			created: 16
		});
		expect(d(conv.rivalJordan)).toEqual({
			seq: 18,
			trainerUnread: 9,
			traineeUnread: 9,
			messages: 18,
			pushes: 18,
			created: 18
		});

		// Gap-free numbering, last message = highest seq, and time never goes backwards with seq.
		const checks = await server((x) =>
			x.query<{ id: string; gapless: boolean; last_ok: boolean; monotonic: boolean }>(
				`select c.id,
				        (select count(*) = max(m.seq) and min(m.seq) = 1 from public.messages m where m.conversation_id = c.id) as gapless,
				        c.last_message_id = (select m.id from public.messages m where m.conversation_id = c.id order by m.seq desc limit 1) as last_ok,
				        not exists (select 1 from public.messages m1 join public.messages m2 on m2.conversation_id = m1.conversation_id and m2.seq = m1.seq + 1
				                    where m1.conversation_id = c.id and m2.created_at < m1.created_at) as monotonic
				 from public.conversations c where c.id = any($1) order by c.id`,
				[Object.values(conv)]
			)
		);
		for (const row of checks)
			expect(row).toEqual({ id: row.id, gapless: true, last_ok: true, monotonic: true });
		// Each user's stored unread total is still the exact sum over their conversations.
		expect(await server((x) => unreadTotalMismatches(x))).toEqual([]);
	});
});

describe('the rate limit under concurrency', () => {
	test('40 simultaneous sends by one trainer to two trainees: exactly 30 stored, exactly 10 refused with SP005', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Fast Typist' });
		const trainees = [
			await createUser(t.db, { role: 'trainee', name: 'Reader One', trainerId: trainer.id }),
			await createUser(t.db, { role: 'trainee', name: 'Reader Two', trainerId: trainer.id })
		];
		// Their conversations exist already, so only the limit is raced here.
		await inTransaction(
			t.db,
			async (x) => {
				for (const trainee of trainees) {
					await x.query(`insert into public.conversations (trainer_id, trainee_id) values ($1, $2)`, [
						trainer.id,
						trainee.id
					]);
				}
			},
			{ commit: true }
		);
		const results = await Promise.all(
			Array.from({ length: 40 }, (_, i) => sendCommitted(trainer, trainees[i % 2].id!, `burst ${i}`))
		);
		const codes = results.map((r) => (r.ok ? 'ok' : r.error.code));
		expect(codes.filter((c) => c === 'ok')).toHaveLength(30);
		expect(codes.filter((c) => c === 'SP005')).toHaveLength(10);
		const [{ n }] = await server((x) =>
			x.query<{ n: number }>(`select count(*)::int as n from public.messages where sender_id = $1`, [
				trainer.id
			])
		);
		expect(n).toBe(30);
		expect(await server((x) => unreadTotalMismatches(x))).toEqual([]);
	});
});
