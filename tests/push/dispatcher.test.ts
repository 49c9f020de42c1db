// The push dispatcher end to end: messages sent through localbase with supabase-js, devices
// registered through the app's own $lib/push code, and a real push service on loopback that
// checks VAPID and decrypts every push.
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../db/index.ts';
import { openPostgres } from '../../db/postgres.ts';
import { startLocalbase, type Localbase } from '../../localbase/server.ts';
import * as pushSubscriptions from '../../src/lib/data/push-subscriptions.ts';
import { enablePush } from '../../src/lib/push/device.ts';
import { pushPayloadSchema } from '../../src/lib/schemas/push-payload.ts';
import {
	startPushDispatcher,
	type PushDispatcher,
	type PushDispatcherOptions
} from '../../src/lib/server/push/dispatcher.ts';
import { generateVapidKeys } from '../../src/lib/server/push/vapid.ts';
import { createTestClient, demoUsers, mintAccessToken, userIdOf, wellKnown } from '../localbase/harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startLocalPushService, type LocalPushService, type TestSubscription } from './push-service.ts';

const vapid = generateVapidKeys('mailto:push-tests@spotter.test');

let database: TestDatabase;
let lb: Localbase;
let pushService: LocalPushService;
let coach: SupabaseClient;
let alex: SupabaseClient;
let alexId: string;
let conversationId: string;
const running: PushDispatcher[] = [];
const extraDbs: Db[] = [];

beforeAll(async () => {
	database = await createTestDatabase('platform');
	lb = await startLocalbase({ db: database.db, seed: true, config: { port: 0 } });
	pushService = await startLocalPushService();
	alexId = await userIdOf(lb, demoUsers.alex);
	coach = createTestClient(
		lb.url,
		wellKnown.publishableKey,
		await mintAccessToken(lb, await userIdOf(lb, demoUsers.coach))
	);
	alex = createTestClient(lb.url, wellKnown.publishableKey, await mintAccessToken(lb, alexId));
	const { rows } = await lb.db.query<{ id: string }>(
		'select id from public.conversations where trainee_id = $1',
		[alexId]
	);
	conversationId = rows[0].id;
	// The seed's unread messages are queued too; settle them before the tests count pushes.
	await lb.db.query('update private.push_outbox set not_before = now() where done_at is null');
	const settle = startPushDispatcher({ db: lb.db, vapid });
	await settle.drain();
	await settle.stop();
});

afterEach(async () => {
	await Promise.all(running.splice(0).map((d) => d.stop()));
	await lb.db.query('delete from public.push_subscriptions');
});

afterAll(async () => {
	await Promise.all(extraDbs.map((db) => db.close()));
	await pushService?.close();
	await lb?.close();
	await database?.release();
});

function dispatcher(options: Partial<PushDispatcherOptions> = {}): PushDispatcher {
	const d = startPushDispatcher({ db: lb.db, vapid, sweepMs: 60_000, ...options });
	running.push(d);
	return d;
}

/** A browser's registration whose PushManager subscribes at the local push service. */
function fakeRegistration(): {
	registration: Parameters<typeof enablePush>[1]['registration'];
	device: () => TestSubscription;
} {
	let subscription: TestSubscription | undefined;
	const asPushSubscription = (s: TestSubscription) => ({
		endpoint: s.endpoint,
		toJSON: () => ({ endpoint: s.endpoint, keys: s.keys }),
		unsubscribe: async () => true
	});
	return {
		registration: {
			pushManager: {
				getSubscription: async () => (subscription ? asPushSubscription(subscription) : null),
				subscribe: async ({ applicationServerKey }) => {
					subscription = await pushService.subscribe(Buffer.from(applicationServerKey).toString('base64url'));
					return asPushSubscription(subscription);
				}
			}
		},
		device: () => {
			if (!subscription) throw new Error('not subscribed');
			return subscription;
		}
	};
}

/** Enables notifications for alex on a new device, as the Settings button does. */
async function alexDevice(): Promise<TestSubscription> {
	const { registration, device } = fakeRegistration();
	const result = await enablePush(alex, {
		vapidPublicKey: vapid.publicKey,
		registration,
		requestPermission: async () => 'granted',
		userAgent: 'push-suite'
	});
	expect(result).toEqual({ ok: true });
	return device();
}

async function coachSends(body: string): Promise<string> {
	const id = randomUUID();
	const { error } = await coach.rpc('send_message', { recipient_id: alexId, body, message_id: id });
	expect(error).toBeNull();
	return id;
}

/**
 * Makes these messages' pushes due now instead of after the trigger's grace period, for the tests
 * that are not about it (a running dispatcher's drain() picks them up at once).
 */
async function dueNow(...messageIds: string[]): Promise<void> {
	await lb.db.query('update private.push_outbox set not_before = now() where message_id = any($1::uuid[])', [
		messageIds
	]);
}

async function receivedIds(device: TestSubscription): Promise<string[]> {
	return (await pushService.received(device.clientHash)).map(
		(text) => pushPayloadSchema.parse(JSON.parse(text)).message_id
	);
}

/** Polls until done; throws with the last value read, so a wait that gives up names itself. */
async function waitFor<T>(
	what: string,
	read: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs = 15_000
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline) {
			throw new Error(`waited ${timeoutMs} ms for ${what}; last read: ${JSON.stringify(value)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

async function outboxRow(messageId: string) {
	const { rows } = await lb.db.query<{
		outcome: string | null;
		attempts: number;
		done: boolean;
		last_error: string | null;
	}>(
		`select outcome, attempts, done_at is not null as done, last_error
		 from private.push_outbox where message_id = $1`,
		[messageId]
	);
	return rows[0];
}

describe('a device registered from the app', () => {
	test('receives an encrypted push with the sender, preview, unread total and deep link, woken by NOTIFY after the grace period', async () => {
		const device = await alexDevice();
		expect(await pushSubscriptions.has(alex, device.endpoint)).toEqual({ ok: true, data: true });
		const d = dispatcher();
		const started = Date.now();
		const messageId = await coachSends('  Leg day moved to 7am\nsee you there  ');
		const received = await waitFor(
			'the push to arrive',
			() => pushService.received(device.clientHash),
			(m) => m.length > 0
		);
		// The sweep is a minute away: only the NOTIFY can have woken the dispatcher this soon, and not
		// before the 2 s the trigger gives a reader to read it first.
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
		const { data: unreadTotal } = await alex.rpc('unread_total');
		expect(received.map((text) => JSON.parse(text))).toEqual([
			{
				conversation_id: conversationId,
				message_id: messageId,
				sender_name: 'Casey Coach',
				preview: 'Leg day moved to 7am see you there',
				unread_total: unreadTotal,
				url: `/messages/${conversationId}`
			}
		]);
		await d.drain();
		expect(pushService.attempts(device.clientHash)).toBe(1);
		expect(await outboxRow(messageId)).toMatchObject({ outcome: 'sent', attempts: 1, done: true });
		const { rows } = await lb.db.query<{ delivered: boolean; last_success: boolean }>(
			`select d.delivered_at is not null as delivered, s.last_success_at is not null as last_success
			 from private.push_deliveries d
			 join private.push_outbox o on o.id = d.outbox_id
			 join public.push_subscriptions s on s.id = d.subscription_id
			 where o.message_id = $1`,
			[messageId]
		);
		expect(rows).toEqual([{ delivered: true, last_success: true }]);
	});
});

describe('delivery', () => {
	test('messages sent while no dispatcher runs are each delivered exactly once when one starts', async () => {
		const device = await alexDevice();
		const sent = [await coachSends('one'), await coachSends('two'), await coachSends('three')];
		await dueNow(...sent);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(pushService.attempts(device.clientHash)).toBe(0);

		const first = dispatcher();
		await first.drain();
		expect((await receivedIds(device)).sort()).toEqual([...sent].sort());
		await first.stop();

		// A later dispatcher (a restart) finds nothing left to send.
		await dispatcher({ sweepMs: 50 }).drain();
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(pushService.attempts(device.clientHash)).toBe(3);
		for (const id of sent) expect(await outboxRow(id)).toMatchObject({ outcome: 'sent', done: true });
	});

	test('a device the push service reports gone (410) is removed', async () => {
		const gone = await alexDevice();
		const kept = await alexDevice();
		await pushService.expire(gone.clientHash);
		const d = dispatcher();
		const messageId = await coachSends('are you still there?');
		await dueNow(messageId);
		await d.drain();
		expect(await pushSubscriptions.has(alex, gone.endpoint)).toEqual({ ok: true, data: false });
		expect(await pushSubscriptions.has(alex, kept.endpoint)).toEqual({ ok: true, data: true });
		expect(await receivedIds(kept)).toEqual([messageId]);
		expect(d.stats()).toMatchObject({ removedSubscriptions: 1, delivered: 1 });
	});

	test('a message read within the grace period sends no push', async () => {
		const device = await alexDevice();
		const d = dispatcher();
		const messageId = await coachSends('you are looking at this one');
		const { error } = await alex.rpc('mark_conversation_read', { conversation_id: conversationId });
		expect(error).toBeNull();
		await d.drain();
		expect(pushService.attempts(device.clientHash)).toBe(0);
		expect(await outboxRow(messageId)).toMatchObject({ outcome: 'read', done: true });
		expect(d.stats().skippedRead).toBe(1);
	});

	test('transient failures (503, 429) are retried with backoff and then delivered once', async () => {
		const device = await alexDevice();
		pushService.failNext(device.clientHash, [503, 429]);
		const d = dispatcher({ backoff: { baseMs: 100, maxMs: 400 } });
		const messageId = await coachSends('third time lucky');
		await dueNow(messageId);
		await d.drain();
		expect(await receivedIds(device)).toEqual([messageId]);
		expect(pushService.attempts(device.clientHash)).toBe(3);
		expect(await outboxRow(messageId)).toMatchObject({
			outcome: 'sent',
			attempts: 3,
			done: true,
			last_error: null
		});
		expect(d.stats()).toMatchObject({ retried: 2, delivered: 1 });
	});

	test('two dispatchers at once deliver each message to each device exactly once', async () => {
		const phone = await alexDevice();
		const laptop = await alexDevice();
		// On the server, the second dispatcher has its own connections, as a second process would.
		const otherDb = database.url ? await openPostgres(database.url) : lb.db;
		if (otherDb !== lb.db) extraDbs.push(otherDb);
		const options = { batchSize: 1, concurrency: 4 };
		const a = dispatcher(options);
		const b = dispatcher({ ...options, db: otherDb });
		const sent: string[] = [];
		for (let i = 0; i < 8; i++) sent.push(await coachSends(`set ${i + 1}`));
		await dueNow(...sent);
		await Promise.all([a.drain(), b.drain()]);
		for (const device of [phone, laptop]) {
			expect((await receivedIds(device)).sort()).toEqual([...sent].sort());
			expect(pushService.attempts(device.clientHash)).toBe(8);
		}
		expect(a.stats().delivered + b.stats().delivered).toBe(16);
	});

	test('a dispatcher that takes over an expired lease does not send again what the first is still sending', async () => {
		const device = await alexDevice();
		// Held until the takeover has run, far longer than the lease: the takeover finds the row
		// while the first send is still in flight, however slow the machine.
		const release = pushService.holdNext(device.clientHash);
		// Its request outlasts every wait below, so the hold, not the timeout, decides when it ends.
		const slow = dispatcher({ leaseMs: 200, requestTimeoutMs: 120_000 });
		const messageId = await coachSends('slow network today');
		// Not made due at once: the first claim comes from the slow dispatcher's own timer.
		await waitFor(
			"the slow dispatcher's first request",
			async () => pushService.attempts(device.clientHash),
			(n) => n === 1
		);
		// The takeover must find the lease expired by the database's clock, whatever the load.
		await waitFor(
			"the first dispatcher's lease to expire",
			async () => {
				const { rows } = await lb.db.query<{ expired: boolean }>(
					`select locked_until <= now() as expired from private.push_outbox where message_id = $1`,
					[messageId]
				);
				return rows[0]?.expired === true;
			},
			(expired) => expired
		);
		const takeover = dispatcher({ leaseMs: 200 });
		const takingOver = takeover.drain();
		// Released once the takeover holds the row (its claim is the row's second attempt) — and
		// well inside the first request's timeout, which would otherwise turn it into a retry.
		await waitFor(
			"the takeover's claim",
			async () => (await outboxRow(messageId)).attempts,
			(attempts) => attempts === 2
		);
		release();
		await Promise.all([takingOver, slow.drain()]);
		expect(await receivedIds(device)).toEqual([messageId]);
		expect(pushService.attempts(device.clientHash)).toBe(1);
		expect((await outboxRow(messageId)).attempts).toBe(2);
		expect(slow.stats().delivered + takeover.stats().delivered).toBe(1);
	}, 120_000);
});
