// The push dispatcher when its first LISTEN cannot be set up (the connection is ended while LISTEN
// is on its way): it tries again, and once listening it claims at once what was queued while
// nobody listened — not at its sweep, two minutes away here.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
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

beforeAll(async () => {
	requireServer();
	database = await createTestDatabase('seeded');
	[pair] = await createFleet(database.db, 1, 1);
	await database.db.query('delete from private.push_outbox');
	pushService = await startLocalPushService();
	pushDb = await openPostgres(database.url!, 4, 'push');
});
afterAll(async () => {
	await dispatcher?.stop();
	await pushDb?.close();
	await pushService?.close();
	await database?.release();
});

test('a LISTEN that fails while being set up is tried again, and what was queued meanwhile is sent at once', async () => {
	const device = await pushService.subscribe(vapid.publicKey);
	await database.db.query(
		`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4)`,
		[pair.trainer.id, device.endpoint, device.keys.p256dh, device.keys.auth]
	);
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

	const received = await waitFor(
		async () => {
			const payloads = await pushService.received(device.clientHash);
			return payloads.length > 0 ? payloads : undefined;
		},
		'the push',
		// Generous for a loaded machine, and still far inside the 2-minute sweep.
		30_000
	);
	expect(listenCalls).toBe(2);
	expect(JSON.parse(received[0])).toMatchObject({ preview: 'Queued before anyone listened' });
});
