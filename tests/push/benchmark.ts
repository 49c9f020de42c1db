// Push dispatcher benchmark: pushes per second from a backlog, and outbox lag (message stored →
// push accepted by the push service) under a steady message rate, against the local push service.
// `npx tsx tests/push/benchmark.ts [--quick]`; DATABASE_URL selects the Postgres server.
// Reports timings; never asserts them.
import { pathToFileURL } from 'node:url';
import { startPushDispatcher } from '../../src/lib/server/push/dispatcher.ts';
import { generateVapidKeys } from '../../src/lib/server/push/vapid.ts';
import type { Queryable } from '../../localbase/db.ts';
import { backend, createTestDatabase } from '../support/database.ts';
import { startLocalPushService } from './push-service.ts';

export interface PushBenchOptions {
	/** Messages in the backlog drained for throughput. */
	backlog: number;
	/** Devices of the recipient (each message is one push per device). */
	devices: number;
	/** Steady-state messages per second, and for how long, for the lag measurement. */
	rate: number;
	seconds: number;
}

export interface PushBenchResult {
	backend: string;
	devices: number;
	backlog: number;
	pushesPerSecond: number;
	lagSamples: number;
	lagP50Ms: number;
	lagP99Ms: number;
	lagMaxMs: number;
}

export async function pushBenchmark(options: PushBenchOptions): Promise<PushBenchResult> {
	const database = await createTestDatabase('seeded');
	const pushService = await startLocalPushService();
	const vapid = generateVapidKeys('mailto:bench@spotter.test');
	const { db } = database;
	try {
		const { rows: pair } = await db.query<{ id: string; trainer_id: string; trainee_id: string }>(
			`select c.id, c.trainer_id, c.trainee_id from public.conversations c
			 join auth.users u on u.id = c.trainee_id where u.email = 'alex@spotter.test'`
		);
		const { id: conversationId, trainer_id: coachId, trainee_id: alexId } = pair[0];
		// Every push here is made due at once: the trigger's 2 s grace (for a reader to read first)
		// would only add 2 s to every lag.
		const dueNow = (q: Queryable = db) =>
			q.query('update private.push_outbox set not_before = now() where done_at is null');
		// The seed's own queue first, so it does not count.
		await dueNow();
		const settle = startPushDispatcher({ db, vapid });
		await settle.drain();
		await settle.stop();
		for (let i = 0; i < options.devices; i++) {
			const device = await pushService.subscribe(vapid.publicKey);
			await db.query(
				'insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4)',
				[alexId, device.endpoint, device.keys.p256dh, device.keys.auth]
			);
		}
		// Stored as the server (no per-sender rate limit); the outbox trigger queues each one, made due
		// in the same transaction, so the NOTIFY at commit finds it claimable.
		const insertMessages = (count: number) =>
			db.transaction(async (tx) => {
				await tx.query(
					`insert into public.messages (conversation_id, sender_id, body)
					 select $1, $2, 'bench message ' || g from generate_series(1, $3::int) g`,
					[conversationId, coachId, count]
				);
				await dueNow(tx);
			});

		// Throughput: a backlog queued while no dispatcher runs, drained from a cold start.
		await insertMessages(options.backlog);
		const started = performance.now();
		const backlogDispatcher = startPushDispatcher({ db, vapid });
		await backlogDispatcher.drain({ timeoutMs: 600_000 });
		const seconds = (performance.now() - started) / 1000;
		const delivered = backlogDispatcher.stats().delivered;
		await backlogDispatcher.stop();
		if (delivered !== options.backlog * options.devices) {
			throw new Error(
				`expected ${options.backlog * options.devices} pushes, the dispatcher made ${delivered}`
			);
		}

		// Lag: one message at a time at a steady rate, the dispatcher woken by NOTIFY.
		const { rows: mark } = await db.query<{ id: number }>(
			'select coalesce(max(id), 0)::bigint as id from private.push_outbox'
		);
		const live = startPushDispatcher({ db, vapid, sweepMs: 60_000 });
		const total = Math.round(options.rate * options.seconds);
		const t0 = performance.now();
		for (let i = 0; i < total; i++) {
			const due = t0 + (i * 1000) / options.rate;
			const wait = due - performance.now();
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			await insertMessages(1);
		}
		await live.drain({ timeoutMs: 600_000 });
		await live.stop();
		const { rows: lag } = await db.query<{ n: number; p50: number; p99: number; max: number }>(
			`select count(*)::int as n,
			        (percentile_cont(0.5) within group (order by ms))::float8 as p50,
			        (percentile_cont(0.99) within group (order by ms))::float8 as p99,
			        max(ms)::float8 as max
			 from (select extract(epoch from d.delivered_at - o.created_at) * 1000 as ms
			       from private.push_deliveries d join private.push_outbox o on o.id = d.outbox_id
			       where o.id > $1 and d.delivered_at is not null) s`,
			[mark[0].id]
		);
		return {
			backend,
			devices: options.devices,
			backlog: options.backlog,
			pushesPerSecond: Math.round((options.backlog * options.devices) / seconds),
			lagSamples: lag[0].n,
			lagP50Ms: Math.round(lag[0].p50 * 10) / 10,
			lagP99Ms: Math.round(lag[0].p99 * 10) / 10,
			lagMaxMs: Math.round(lag[0].max * 10) / 10
		};
	} finally {
		await pushService.close();
		await database.release();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const quick = process.argv.includes('--quick');
	const results: PushBenchResult[] = [];
	for (const devices of [1, 3]) {
		results.push(
			await pushBenchmark(
				quick
					? { backlog: 200, devices, rate: 20, seconds: 2 }
					: { backlog: 2000, devices, rate: 50, seconds: 10 }
			)
		);
	}
	console.table(results);
}
