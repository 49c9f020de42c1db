// Section 6b: the push dispatcher (src/lib/server/push/dispatcher.ts) against a real Web Push
// service on loopback (web-push-testing, in a child process: bench/push-service.ts), on the
// benchmark's data database after the SQL sections:
//   - throughput: a backlog queued while no dispatcher runs, drained from a cold start;
//   - outbox lag: messages one at a time at a steady rate with a live dispatcher woken by NOTIFY,
//     from the message's created_at to the delivery's delivered_at (both the database's clock).
// Every push is made due at once (not_before set to now() in the message's transaction): in
// production the trigger gives the reader 2 s to read first (then nothing is sent), which would
// only add 2 s to every lag.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Queryable } from '../db/index.ts';
import { startPushDispatcher } from '../src/lib/server/push/dispatcher.ts';
import { generateVapidKeys } from '../src/lib/server/push/vapid.ts';
import type { TestSubscription } from '../tests/push/push-service.ts';
import { pairs, type DataSet } from './data.ts';
import type { FromPushService, ToPushService } from './push-service.ts';
import { Child } from './lib/child.ts';
import { nowMs, sleep, summarize } from './lib/stats.ts';
import type { Row } from './report.ts';

export interface PushOptions {
	/** Trainees of the largest trainer who receive the messages (the trainer sends). */
	recipients: number;
	/** Push subscriptions (devices) per recipient: each message is one push per device. */
	devices: number;
	/** Messages in the backlog drained for throughput. */
	backlog: number;
	/** Messages per second, and for how long, for the lag measurement. */
	rate: number;
	seconds: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const section = '6 app and push';

export async function pushBenchmarks(
	db: Db,
	data: DataSet,
	o: PushOptions,
	log: (line: string) => void
): Promise<Row[]> {
	const service = new Child<FromPushService, ToPushService>(
		'push service child',
		path.join(here, 'push-service.ts')
	);
	try {
		await service.next('ready', 30_000);
		const vapid = generateVapidKeys('mailto:bench@spotter.test');
		// Any failure of the dispatcher itself fails the benchmark (after the drain that saw it).
		const errors: string[] = [];
		const onError = (error: unknown, context: string) => {
			errors.push(`${context}: ${error instanceof Error ? error.message : String(error)}`);
			console.error(`  push dispatcher: ${errors[errors.length - 1]}`);
		};
		const checkErrors = () => {
			if (errors.length) throw new Error(`push dispatcher failed: ${errors[0]}`);
		};

		const dueNow = (q: Queryable = db) =>
			q.query('update private.push_outbox set not_before = now() where done_at is null');
		// What earlier sections queued (send_message to trainers without devices) goes first.
		await dueNow();
		const settle = startPushDispatcher({ db, vapid, onError });
		await settle.drain({ timeoutMs: 120_000 });
		await settle.stop();
		checkErrors();

		const largest = Math.max(...data.trainers.keys());
		const trainer = data.trainers.get(largest)!;
		const recipients = (await pairs(db, 'trainer_size = $1 and rank > 0', [largest])).slice(0, o.recipients);
		if (recipients.length < o.recipients) throw new Error(`only ${recipients.length} recipients available`);
		const { subscriptions } = await service.request(
			{ type: 'subscribe', applicationServerKey: vapid.publicKey, count: recipients.length * o.devices },
			'subscribed'
		);
		const devices: TestSubscription[] = subscriptions;
		await db.query(
			`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
			 select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
			[
				devices.map((_, i) => recipients[Math.floor(i / o.devices)].traineeId),
				devices.map((d) => d.endpoint),
				devices.map((d) => d.keys.p256dh),
				devices.map((d) => d.keys.auth)
			]
		);
		// Stored as the server (no per-sender rate limit); the outbox trigger queues one row per message,
		// made due in the same transaction, so the NOTIFY at commit finds it claimable.
		const insertMessages = (conversationId: string, count: number) =>
			db.transaction(async (tx) => {
				await tx.query(
					`insert into public.messages (conversation_id, sender_id, body)
					 select $1, $2, 'Push benchmark message ' || g from generate_series(1, $3::int) g`,
					[conversationId, trainer.id, count]
				);
				await dueNow(tx);
			});

		// Throughput: the backlog, spread over the recipients, drained from a cold start.
		for (let r = 0; r < recipients.length; r++) {
			const count = Math.floor(o.backlog / recipients.length) + (r < o.backlog % recipients.length ? 1 : 0);
			await insertMessages(recipients[r].conversationId, count);
		}
		const pushes = o.backlog * o.devices;
		const started = nowMs();
		const backlog = startPushDispatcher({ db, vapid, onError });
		await backlog.drain({ timeoutMs: 300_000 });
		const drainSeconds = (nowMs() - started) / 1000;
		const backlogStats = backlog.stats();
		await backlog.stop();
		checkErrors();
		if (backlogStats.delivered !== pushes) {
			throw new Error(`expected ${pushes} pushes, the dispatcher made ${backlogStats.delivered}`);
		}
		log(`  push: ${pushes} pushes drained in ${drainSeconds.toFixed(1)} s`);

		// Lag: one message at a time, open loop at o.rate, round-robin over the recipients.
		const { rows: mark } = await db.query<{ id: number }>(
			'select coalesce(max(id), 0)::bigint as id from private.push_outbox'
		);
		const live = startPushDispatcher({ db, vapid, sweepMs: 60_000, onError });
		const total = Math.round(o.rate * o.seconds);
		const t0 = nowMs();
		let behind = 0;
		for (let i = 0; i < total; i++) {
			const wait = t0 + (i * 1000) / o.rate - nowMs();
			if (wait > 0) await sleep(wait);
			else behind = Math.max(behind, -wait);
			await insertMessages(recipients[i % recipients.length].conversationId, 1);
		}
		await live.drain({ timeoutMs: 300_000 });
		const liveStats = live.stats();
		await live.stop();
		checkErrors();
		const { rows: lag } = await db.query<{ ms: number }>(
			`select (extract(epoch from d.delivered_at - o.created_at) * 1000)::float8 as ms
			 from private.push_deliveries d join private.push_outbox o on o.id = d.outbox_id
			 where o.id > $1 and d.delivered_at is not null`,
			[mark[0].id]
		);
		if (lag.length !== total * o.devices || liveStats.delivered !== total * o.devices) {
			throw new Error(`lag run: expected ${total * o.devices} deliveries, found ${lag.length}`);
		}
		const lagSummary = summarize(lag.map((r) => r.ms));

		// The push service decrypted every push it accepted.
		const { total: received } = await service.request(
			{ type: 'received', clientHashes: devices.map((d) => d.clientHash) },
			'received'
		);
		if (received !== pushes + total * o.devices) {
			throw new Error(
				`the push service decrypted ${received} pushes, expected ${pushes + total * o.devices}`
			);
		}

		const shape = `${recipients.length} recipients × ${o.devices} devices`;
		return [
			{
				section,
				name: `push dispatcher: backlog of ${fmt(o.backlog)} messages drained cold, ${shape}`,
				value: `${fmt(Math.round(pushes / drainSeconds))} pushes/s (${fmt(pushes)} in ${drainSeconds.toFixed(1)} s)`
			},
			{
				section,
				name: `push outbox lag, message stored → push accepted, ${o.rate}/s for ${o.seconds} s (no 2 s grace)`,
				summary: lagSummary,
				value:
					`p99 ${lagSummary.p99.toFixed(1)} ms, max ${lagSummary.max.toFixed(1)} ms` +
					(behind > 50 ? `; sender fell ${behind.toFixed(0)} ms behind` : '')
			}
		];
	} finally {
		await service.stop(5_000);
	}
}

const fmt = (n: number) => n.toLocaleString('en-US');
