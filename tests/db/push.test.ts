// The push queue as the dispatcher drives it: private.push_claim, push_reserve, push_record and
// push_finish, called as the role the dispatcher connects as (the migration role, postgres). Each
// test starts from an empty queue in a transaction that is rolled back, unless it needs two.
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
	type Actors
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

interface Claimed {
	outbox_id: number;
	attempts: number;
	outcome: string | null;
	conversation_id: string;
	message_id: string;
	sender_name: string | null;
	preview: string;
	unread_total: number;
}
interface OutboxRow {
	attempts: number;
	outcome: string | null;
	done: boolean;
	leased: boolean;
	last_error: string | null;
}
interface Target {
	outbox_id: number;
	subscription_id: string;
	endpoint: string;
	p256dh: string;
	auth: string;
}

/** Marks whatever is queued (the seed, other tests' commits) done, inside this transaction. */
async function emptyQueue(x: ActorTx): Promise<void> {
	await x.becomeDispatcher();
	await x.query(`update private.push_outbox set done_at = now(), outcome = 'sent' where done_at is null`);
}

/** `from` sends `to` a message; its outbox row is made due now. Leaves x as the dispatcher. */
async function queued(
	x: ActorTx,
	body = 'Push me',
	from: Actor = a.coach,
	to: string = ids.alex
): Promise<{ messageId: string; outboxId: number }> {
	await x.become(from);
	const m = await x.one<{ id: string }>(`select id from public.send_message($1, $2, $3)`, [
		to,
		body,
		randomUUID()
	]);
	await x.becomeDispatcher();
	const row = await x.one<{ id: number }>(
		`update private.push_outbox set not_before = now() where message_id = $1 returning id`,
		[m.id]
	);
	return { messageId: m.id, outboxId: row.id };
}

/** A device of `userId`, registered as the server would. */
async function device(x: ActorTx, userId: string, name: string): Promise<string> {
	const row = await x.one<{ id: string }>(
		`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
		 values ($1, $2, 'p256dh-' || $3, 'auth-' || $3) returning id`,
		[userId, `https://push.example.test/${name}-${randomUUID()}`, name]
	);
	return row.id;
}

const claim = (x: ActorTx, batchSize = 10, lease = '1 minute') =>
	x.query<Claimed>(`select * from private.push_claim($1, $2::interval)`, [batchSize, lease]);
const reserve = (x: ActorTx, outboxIds: number[]) =>
	x.query<Target>(`select * from private.push_reserve($1::bigint[])`, [outboxIds]);
const outboxRow = (x: ActorTx, id: number) =>
	x.one<OutboxRow>(
		`select attempts, outcome, done_at is not null as done, locked_until is not null as leased, last_error
		 from private.push_outbox where id = $1`,
		[id]
	);

describe('as the dispatcher (the migration role)', () => {
	test('claims a due row with what its push needs: message, sender, one-line preview and the recipient’s unread total', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.alex, 'phone');
			const { messageId, outboxId } = await queued(x, '  Leg day\nmoved to 7am  ');
			const [{ total }] = await x.query<{ total: number }>(
				`select total from private.unread_totals where user_id = $1`,
				[ids.alex]
			);
			expect(await claim(x)).toEqual([
				{
					outbox_id: outboxId,
					attempts: 1,
					outcome: null,
					conversation_id: conv.coachAlex,
					message_id: messageId,
					sender_name: 'Casey Coach',
					preview: 'Leg day moved to 7am',
					unread_total: total
				}
			]);
			expect(total).toBe(2);
			const [{ lease }] = await x.query<{ lease: boolean }>(
				`select locked_until = now() + interval '1 minute' as lease from private.push_outbox where id = $1`,
				[outboxId]
			);
			expect(lease).toBe(true);
		});
	});

	test('claims nothing during the grace period a message gets before its push, and says when it is due', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.alex, 'phone');
			await x.become(a.coach);
			await x.query(`select public.send_message($1, 'not yet', gen_random_uuid())`, [ids.alex]);
			await x.becomeDispatcher();
			expect(await claim(x)).toEqual([]);
			const [{ pending, ms }] = await x.query<{ pending: number; ms: number }>(
				`select private.push_pending() as pending, private.push_ms_until_due() as ms`
			);
			expect(pending).toBe(1);
			// now() is the transaction's start; the message was stored a little after it, + 2 s.
			expect(ms).toBeGreaterThanOrEqual(2_000);
			expect(ms).toBeLessThan(10_000);
		});
	});

	test('says nothing is left when the queue is empty', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			expect(
				await x.one(`select private.push_pending() as pending, private.push_ms_until_due() as ms`)
			).toEqual({ pending: 0, ms: null });
		});
	});

	test('claims at most the batch size, oldest first', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.alex, 'phone');
			const first = await queued(x, 'one');
			const second = await queued(x, 'two');
			const third = await queued(x, 'three');
			expect((await claim(x, 2)).map((c) => c.outbox_id)).toEqual([first.outboxId, second.outboxId]);
			expect((await claim(x, 2)).map((c) => c.outbox_id)).toEqual([third.outboxId]);
		});
	});

	test('does not claim a row another claim holds until its lease runs out, then claims it again as a new attempt', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.alex, 'phone');
			const { outboxId } = await queued(x);
			expect((await claim(x, 10, '1 hour')).map((c) => c.attempts)).toEqual([1]);
			expect(await claim(x)).toEqual([]);
			await x.query(
				`update private.push_outbox set locked_until = now() - interval '1 second' where id = $1`,
				[outboxId]
			);
			expect((await claim(x)).map((c) => [c.outbox_id, c.attempts])).toEqual([[outboxId, 2]]);
		});
	});

	test('finishes a row whose message was read meanwhile as read, and reserves no device for it', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.alex, 'phone');
			const { outboxId } = await queued(x, 'you are looking at this one');
			await x.become(a.alex);
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			await x.becomeDispatcher();
			expect((await claim(x)).map((c) => [c.outbox_id, c.outcome])).toEqual([[outboxId, 'read']]);
			expect(await outboxRow(x, outboxId)).toEqual({
				attempts: 1,
				outcome: 'read',
				done: true,
				leased: false,
				last_error: null
			});
			expect(await reserve(x, [outboxId])).toEqual([]);
		});
	});

	test('finishes a row whose recipient has no device as no_devices', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await x.query(`delete from public.push_subscriptions where user_id = $1`, [ids.alex]);
			const { outboxId } = await queued(x);
			expect((await claim(x)).map((c) => c.outcome)).toEqual(['no_devices']);
			expect(await outboxRow(x, outboxId)).toMatchObject({ outcome: 'no_devices', done: true });
		});
	});

	test('finishes a row whose sender was deleted as failed, saying why', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.coach, 'coach-phone');
			const { outboxId } = await queued(x, 'sent before leaving', a.alex, ids.coach);
			await x.becomePostgres();
			await x.query(`delete from auth.users where id = $1`, [ids.alex]);
			await x.becomeDispatcher();
			expect((await claim(x)).map((c) => [c.outcome, c.sender_name])).toEqual([['failed', null]]);
			expect(await outboxRow(x, outboxId)).toMatchObject({
				outcome: 'failed',
				done: true,
				last_error: 'the sender no longer exists'
			});
		});
	});

	test('reserves each device of the recipient once, ever: again nothing, and a new device only itself', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			const phone = await device(x, ids.alex, 'phone');
			const laptop = await device(x, ids.alex, 'laptop');
			await device(x, ids.sam, 'not-alex');
			const { outboxId } = await queued(x);
			await claim(x);
			const first = await reserve(x, [outboxId]);
			expect(first.map((r) => r.subscription_id).sort()).toEqual([phone, laptop].sort());
			expect(first.find((r) => r.subscription_id === phone)).toMatchObject({
				outbox_id: outboxId,
				endpoint: expect.stringContaining('/phone-'),
				p256dh: 'p256dh-phone',
				auth: 'auth-phone'
			});
			expect(await reserve(x, [outboxId])).toEqual([]);
			const tablet = await device(x, ids.alex, 'tablet');
			expect((await reserve(x, [outboxId])).map((r) => r.subscription_id)).toEqual([tablet]);
		});
	});

	test('records each device’s answer: delivered is stamped, transient freed for the retry, refused kept with its reason, gone removed', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			const devices = {
				delivered: await device(x, ids.alex, 'ok'),
				transient: await device(x, ids.alex, 'busy'),
				refused: await device(x, ids.alex, 'too-big'),
				gone: await device(x, ids.alex, 'expired')
			};
			const { outboxId } = await queued(x);
			await claim(x);
			expect(await reserve(x, [outboxId])).toHaveLength(4);
			const kinds = Object.keys(devices) as (keyof typeof devices)[];
			const [{ removed }] = await x.query<{ removed: number }>(
				`select private.push_record($1::bigint[], $2::uuid[], $3::text[], $4::text[]) as removed`,
				[
					kinds.map(() => outboxId),
					kinds.map((k) => devices[k]),
					kinds,
					kinds.map((k) => (k === 'refused' ? 'push service answered 413' : null))
				]
			);
			expect(removed).toBe(1);
			const rows = await x.query<{ subscription_id: string; delivered: boolean; error: string | null }>(
				`select subscription_id, delivered_at is not null as delivered, error
				 from private.push_deliveries where outbox_id = $1 order by subscription_id`,
				[outboxId]
			);
			expect(rows).toEqual(
				[
					{ subscription_id: devices.delivered, delivered: true, error: null },
					{ subscription_id: devices.refused, delivered: false, error: 'push service answered 413' }
				].sort((p, q) => p.subscription_id.localeCompare(q.subscription_id))
			);
			const subscriptions = await x.query<{ id: string; worked: boolean }>(
				`select id, last_success_at is not null as worked from public.push_subscriptions where user_id = $1`,
				[ids.alex]
			);
			expect(Object.fromEntries(subscriptions.map((s) => [s.id, s.worked]))).toEqual({
				[devices.delivered]: true,
				[devices.transient]: false,
				[devices.refused]: false
			});
			expect((await reserve(x, [outboxId])).map((r) => r.subscription_id)).toEqual([devices.transient]);
		});
	});

	test('refuses a result it does not know (22023)', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			const phone = await device(x, ids.alex, 'phone');
			const { outboxId } = await queued(x);
			await claim(x);
			await reserve(x, [outboxId]);
			expect(
				await x.errorCode(`select private.push_record($1::bigint[], $2::uuid[], $3::text[], $4::text[])`, [
					[outboxId],
					[phone],
					['maybe'],
					[null]
				])
			).toBe('22023');
		});
	});

	test('finish ends a row with its outcome or schedules its retry, and the finish of an older claim changes nothing', async () => {
		await inTransaction(t.db, async (x) => {
			await emptyQueue(x);
			await device(x, ids.alex, 'phone');
			const sent = await queued(x, 'one');
			const retried = await queued(x, 'two');
			expect((await claim(x)).map((c) => c.attempts)).toEqual([1, 1]);
			const finish = (rows: number[], attempts: number[], outcomes: (string | null)[], retryMs: number[]) =>
				x.one<{ n: number }>(
					`select private.push_finish($1::bigint[], $2::int[], $3::text[], $4::float8[], $5::text[]) as n`,
					[rows, attempts, outcomes, retryMs, outcomes.map((o) => (o ? null : 'push service answered 503'))]
				);
			expect(await finish([sent.outboxId, retried.outboxId], [1, 1], ['sent', null], [0, 5_000])).toEqual({
				n: 2
			});
			expect(await outboxRow(x, sent.outboxId)).toEqual({
				attempts: 1,
				outcome: 'sent',
				done: true,
				leased: false,
				last_error: null
			});
			expect(await outboxRow(x, retried.outboxId)).toEqual({
				attempts: 1,
				outcome: null,
				done: false,
				leased: false,
				last_error: 'push service answered 503'
			});
			const [{ retry }] = await x.query<{ retry: boolean }>(
				`select not_before = now() + interval '5 seconds' as retry from private.push_outbox where id = $1`,
				[retried.outboxId]
			);
			expect(retry).toBe(true);
			// A dispatcher whose claim (attempt 1) was taken over by attempt 2 finishes late.
			await x.query(`update private.push_outbox set attempts = 2 where id = $1`, [retried.outboxId]);
			expect(await finish([retried.outboxId], [1], ['failed'], [0])).toEqual({ n: 0 });
			expect(await outboxRow(x, retried.outboxId)).toMatchObject({ outcome: null, done: false });
			// Nor does finishing a row that is already done.
			expect(await finish([sent.outboxId], [1], ['failed'], [0])).toEqual({ n: 0 });
		});
	});

	test('two dispatchers claiming at once get disjoint rows, and neither waits for the other', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Queue Trainer' });
		const trainee = await createUser(t.db, { role: 'trainee', name: 'Queue Trainee', trainerId: trainer.id });
		const outboxIds = await inTransaction(
			t.db,
			async (x) => {
				await emptyQueue(x);
				await device(x, trainee.id!, 'phone');
				const rows: number[] = [];
				for (let i = 0; i < 4; i++)
					rows.push((await queued(x, `queued ${i}`, trainer, trainee.id!)).outboxId);
				return rows;
			},
			{ commit: true }
		);
		const claimIn = (batchSize: number, meanwhile?: () => Promise<number[]>) =>
			inTransaction(
				t.db,
				async (x) => {
					await x.becomeDispatcher();
					const mine = (await claim(x, batchSize)).map((c) => c.outbox_id);
					// The first claim's transaction stays open, holding its row locks, while the
					// second claims: if the second waited for those locks, this would never return.
					return [mine, (await meanwhile?.()) ?? []];
				},
				{ commit: true }
			);
		const claimOther = () => claimIn(10).then(([rows]) => rows);
		// On the server both run at once, on two connections; PGlite has one, so they run in turn.
		const [first, second] =
			t.db.kind === 'postgres' ? await claimIn(2, claimOther) : [(await claimIn(2))[0], await claimOther()];
		expect(first).toEqual(outboxIds.slice(0, 2));
		expect(second).toEqual(outboxIds.slice(2));
	});

	test('a new outbox row is announced after commit on the channel private.push_channel() names, with its id', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Notify Trainer' });
		const trainee = await createUser(t.db, {
			role: 'trainee',
			name: 'Notify Trainee',
			trainerId: trainer.id
		});
		const [{ channel }] = (await t.db.query<{ channel: string }>(`select private.push_channel() as channel`))
			.rows;
		expect(channel).toBe('spotter_push_outbox');
		const heard: string[] = [];
		const unlisten = await t.db.listen(channel, (payload) => heard.push(payload));
		try {
			const messageId = randomUUID();
			await as(
				t.db,
				trainer,
				(x) => x.query(`select public.send_message($1, 'ping', $2)`, [trainee.id, messageId]),
				{ commit: true }
			);
			const [{ id }] = (
				await t.db.query<{ id: number }>(`select id from private.push_outbox where message_id = $1`, [
					messageId
				])
			).rows;
			const deadline = Date.now() + 5_000;
			while (!heard.includes(String(id)) && Date.now() < deadline)
				await new Promise((r) => setTimeout(r, 20));
			expect(heard).toContain(String(id));
		} finally {
			await unlisten();
		}
	});
});

describe('as anon, a signed-in user and service_role', () => {
	test('no API role may call any push queue function (42501)', async () => {
		const calls = [
			`select * from private.push_claim(10, interval '1 minute')`,
			`select * from private.push_reserve(array[1]::bigint[])`,
			`select private.push_record(array[1]::bigint[], array[gen_random_uuid()], array['delivered'], array[null]::text[])`,
			`select private.push_finish(array[1]::bigint[], array[1], array['sent'], array[0]::float8[], array[null]::text[])`,
			`select private.push_ms_until_due()`,
			`select private.push_pending()`,
			`select private.push_channel()`
		];
		for (const actor of [a.anon, a.alex, a.service_role]) {
			for (const sql of calls) {
				const code = await as(t.db, actor, (x) => x.errorCode(sql));
				expect({ actor: actor.name, sql, code }).toEqual({ actor: actor.name, sql, code: '42501' });
			}
		}
	});
});
