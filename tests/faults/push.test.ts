// The push dispatcher when its LISTEN connection is ended: it listens again and claims what was
// queued meanwhile at once, instead of waiting for its sweep (two minutes here, so only the
// recovery can deliver in time). A real push service on loopback decrypts what arrives.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db/index.ts';
import { openPostgres } from '../../db/postgres.ts';
import { startPushDispatcher, type PushDispatcher } from '../../src/lib/server/push/dispatcher.ts';
import { generateVapidKeys } from '../../src/lib/server/push/vapid.ts';
import { startLocalPushService, type LocalPushService } from '../push/push-service.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createFleet, requireServer, sendAs, terminateBackends, waitFor, type Pair } from './support.ts';

const vapid = generateVapidKeys('mailto:fault-tests@spotter.test');

let database: TestDatabase;
let pushService: LocalPushService;
let pushDb: Db;
let dispatcher: PushDispatcher;
let pair: Pair;

beforeAll(async () => {
	requireServer();
	database = await createTestDatabase('seeded');
	[pair] = await createFleet(database.db, 1, 1);
	// Only this test's push counts: nothing else queued.
	await database.db.query('delete from private.push_outbox');
	pushService = await startLocalPushService();
	pushDb = await openPostgres(database.url!, 4, 'push');
	dispatcher = startPushDispatcher({ db: pushDb, vapid, sweepMs: 120_000 });
});
afterAll(async () => {
	await dispatcher?.stop();
	await pushDb?.close();
	await pushService?.close();
	await database?.release();
});

const listening = async () =>
	(
		await database.db.query(
			// Connected is not enough: LISTEN itself has run (the connection's last statement).
			`select 1 from pg_stat_activity where datname = current_database() and application_name like 'push listen %'
			 and state = 'idle' and query ilike 'listen %'`
		)
	).rows.length === 1;

test('after its LISTEN connection is ended, the dispatcher listens again and sends what was queued meanwhile, long before its sweep', async () => {
	const device = await pushService.subscribe(vapid.publicKey);
	await database.db.query(
		`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4)`,
		[pair.trainer.id, device.endpoint, device.keys.p256dh, device.keys.auth]
	);
	await waitFor(listening, 'the dispatcher to listen');

	// Ended and waited for, then a message at once: its NOTIFY reaches no listener.
	expect(await terminateBackends(database.db, 'push listen %')).toBe(1);
	await sendAs(database.db, pair.trainee, pair.trainer.id, 'Queued while deaf', randomUUID());

	await waitFor(listening, 'LISTEN to be back', 15_000);
	// The 2-second grace of the queue, then the push: well within the 2-minute sweep.
	const received = await waitFor(
		async () => {
			const payloads = await pushService.received(device.clientHash);
			return payloads.length > 0 ? payloads : undefined;
		},
		'the push',
		// Generous for a loaded machine, and still far inside the 2-minute sweep.
		30_000
	);
	expect(JSON.parse(received[0])).toMatchObject({ preview: 'Queued while deaf' });
	await waitFor(() => dispatcher.stats().delivered === 1, 'the delivery to be recorded', 15_000);
});
