// The push dispatcher while its first LISTEN is being set up: when that LISTEN fails (the connection
// is ended while it is on its way) it tries again, and when it is merely slow it waits for it; either
// way, once listening it claims at once what was queued while nobody listened — not at its sweep,
// two minutes away here.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db/index.ts';
import { openPostgres } from '../../db/postgres.ts';
import { startPushDispatcher, type PushDispatcher } from '../../src/lib/server/push/dispatcher.ts';
import { generateVapidKeys } from '../../src/lib/server/push/vapid.ts';
import { startLocalPushService, type LocalPushService } from '../push/push-service.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createFleet, requireServer, sendAs, waitFor, type Pair } from './support.ts';

const vapid = generateVapidKeys('mailto:fault-tests@spotter.test');

let database: TestDatabase;
let pushService: LocalPushService;
let pushDb: Db;
let dispatcher: PushDispatcher | undefined;
let pair: Pair;
let device: Awaited<ReturnType<LocalPushService['subscribe']>>;

beforeAll(async () => {
	requireServer();
	database = await createTestDatabase('seeded');
	[pair] = await createFleet(database.db, 1, 1);
	await database.db.query('delete from private.push_outbox');
	pushService = await startLocalPushService();
	pushDb = await openPostgres(database.url!, 4, 'push');
	device = await pushService.subscribe(vapid.publicKey);
	await database.db.query(
		`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4)`,
		[pair.trainer.id, device.endpoint, device.keys.p256dh, device.keys.auth]
	);
});
afterEach(async () => {
	await dispatcher?.stop();
	dispatcher = undefined;
});
afterAll(async () => {
	await pushDb?.close();
	await pushService?.close();
	await database?.release();
});

/** Waits for the device's next push, far inside the 2-minute sweep (generous for a loaded machine). */
async function nextPush(seen: number): Promise<string> {
	const received = await waitFor(
		async () => {
			const payloads = await pushService.received(device.clientHash);
			return payloads.length > seen ? payloads : undefined;
		},
		'the push',
		30_000
	);
	return received[seen];
}

test('a LISTEN that fails while being set up is tried again, and what was queued meanwhile is sent at once', async () => {
	// The first LISTEN fails when the test says so, as one whose connection the server ended does;
	// every later one is the real thing.
	let failFirst: (err: Error) => void = () => {};
	let listenCalls = 0;
	const faulty: Db = {
		...pushDb,
		listen: (channel, onPayload, options) => {
			if (++listenCalls > 1) return pushDb.listen(channel, onPayload, options);
			return new Promise((_, reject) => (failFirst = reject));
		}
	};
	dispatcher = startPushDispatcher({
		db: faulty,
		vapid,
		sweepMs: 120_000,
		onError: () => {}
	});
	await waitFor(() => listenCalls === 1, 'the first LISTEN to be on its way');

	// Sent while nobody listens: its NOTIFY is lost.
	await sendAs(database.db, pair.trainee, pair.trainer.id, 'Queued before anyone listened', randomUUID());
	failFirst(
		Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
	);

	const push = await nextPush(0);
	expect(listenCalls).toBe(2);
	expect(JSON.parse(push)).toMatchObject({ preview: 'Queued before anyone listened' });
});

test('a message queued while the first LISTEN is still being set up is sent once it is in place, not at the sweep', async () => {
	const seen = (await pushService.received(device.clientHash)).length;
	// The LISTEN is slow, as on a loaded machine: it is in place only when the test says so.
	let settle: (() => void) | undefined;
	const slow: Db = {
		...pushDb,
		listen: async (channel, onPayload, options) => {
			await new Promise<void>((resolve) => (settle = resolve));
			return pushDb.listen(channel, onPayload, options);
		}
	};
	dispatcher = startPushDispatcher({ db: slow, vapid, sweepMs: 120_000, onError: () => {} });
	await waitFor(() => settle !== undefined, 'the LISTEN to be on its way');
	// Its first look at the outbox is over (nothing due), so only the LISTEN can bring the next one.
	await dispatcher.drain();

	// Sent while the LISTEN is on its way: its NOTIFY reaches nobody.
	await sendAs(database.db, pair.trainee, pair.trainer.id, 'Queued while the LISTEN was slow', randomUUID());
	settle!();

	expect(JSON.parse(await nextPush(seen))).toMatchObject({ preview: 'Queued while the LISTEN was slow' });
});

test('a NOTIFY that arrives while a cycle makes its last check for due rows is not lost: the push goes out at once, not at the sweep', async () => {
	const seen = (await pushService.received(device.clientHash)).length;
	// The LISTEN is in place only when the test says so, and each NOTIFY it delivers is counted.
	let settle: (() => void) | undefined;
	let notified = 0;
	// Armed, the cycle's next look for due rows answers what the database said before a message
	// was sent and its NOTIFY had reached the dispatcher: nothing due — as when the commit and its
	// notification land between that query's snapshot and its answer.
	let armed = false;
	const racing: Db = {
		...pushDb,
		listen: async (channel, onPayload, options) => {
			await new Promise<void>((resolve) => (settle = resolve));
			return pushDb.listen(
				channel,
				(payload) => {
					notified++;
					onPayload(payload);
				},
				options
			);
		},
		query: async <T = Record<string, unknown>>(sql: string, params?: unknown[]) => {
			const result = await pushDb.query<T>(sql, params);
			if (armed && sql.includes('push_ms_until_due')) {
				armed = false;
				expect(result.rows).toEqual([{ ms: null }]);
				const before = notified;
				await sendAs(database.db, pair.trainee, pair.trainer.id, 'Sent during the last check', randomUUID());
				await waitFor(() => notified > before, 'its NOTIFY to reach the dispatcher');
			}
			return result;
		}
	};
	dispatcher = startPushDispatcher({ db: racing, vapid, sweepMs: 120_000, onError: () => {} });
	await waitFor(() => settle !== undefined, 'the LISTEN to be on its way');
	// Its first look at the outbox is over (nothing due).
	await dispatcher.drain();

	// The LISTEN in place starts a cycle, whose last check is the armed one.
	armed = true;
	settle!();

	expect(JSON.parse(await nextPush(seen))).toMatchObject({ preview: 'Sent during the last check' });
	expect(armed).toBe(false);
});
