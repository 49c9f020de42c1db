// Faults injected into localbase on a Postgres server while 20 trainees send with client message
// ids and their trainers' apps subscribe: the database's connections terminated mid-load, the
// LISTEN connection lost, client sockets dropped (realtime and HTTP), the process killed with -9
// and restarted. After each, the senders' retries with the same ids leave exactly one row per id,
// dense seq, exact unread counters and one push outbox row per message, and every subscriber holds
// what the database has.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../db/index.ts';
import { openPostgres } from '../../db/postgres.ts';
import { loadConfig } from '../../localbase/config.ts';
import { startLocalbase, type Localbase } from '../../localbase/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	clientFor,
	createFleet,
	expectCaughtUp,
	expectConsistent,
	load,
	localbaseProcess,
	newSendLog,
	requireServer,
	sendUntilStored,
	sleep,
	sockets,
	Subscriber,
	terminateBackends,
	waitFor,
	type Pair
} from './support.ts';

/** The mail inbox port localbase takes unless told otherwise (supabase/config.toml's inbucket port). */
const DEFAULT_MAIL_PORT = loadConfig({}).mail.port;

let database: TestDatabase;
let pairs: Pair[];
/** Every id sent by any test: the invariants hold over all of them. */
const sent: string[] = [];

beforeAll(async () => {
	requireServer();
	database = await createTestDatabase('seeded');
	pairs = await createFleet(database.db, 20, 4);
});
afterAll(async () => {
	await database?.release();
});

/** The trainers' apps, each joined to its trainees' conversations. */
function subscribe(url: string): Subscriber[] {
	const byTrainer = new Map<string, Pair[]>();
	for (const pair of pairs) byTrainer.set(pair.trainer.id, [...(byTrainer.get(pair.trainer.id) ?? []), pair]);
	return [...byTrainer.values()].map((mine) => {
		const subscriber = new Subscriber(url, mine[0].trainer);
		subscriber.join(mine.map((p) => p.conversationId));
		return subscriber;
	});
}

const joined = (subscribers: Subscriber[]) =>
	waitFor(
		() => subscribers.every((s) => s.statuses.filter((x) => x === 'SUBSCRIBED').length >= s.held.size),
		'every channel to be joined'
	);

/** localbase in this process, on a pool of its own (application_name "localbase", "localbase listen"). */
async function inProcessLocalbase(): Promise<{ lb: Localbase; db: Db; close(): Promise<void> }> {
	const db = await openPostgres(database.url!, 10, 'localbase');
	const lb = await startLocalbase({ db, seed: false, config: { port: 0 } });
	return {
		lb,
		db,
		close: async () => {
			await lb.close();
			await db.close();
		}
	};
}

describe('localbase on a Postgres server, under faults', () => {
	test('terminating its database connections mid-load fails the requests in flight with 503, never a crash, and loses nothing', async () => {
		const { lb, close } = await inProcessLocalbase();
		const subscribers = subscribe(lb.url);
		try {
			await joined(subscribers);
			const log = newSendLog();
			const sending = load(lb.url, pairs, 8, log, { gapMs: 20 });
			let terminated = 0;
			for (const progress of [20, 60, 100]) {
				await sending.after(progress);
				terminated += await terminateBackends(database.db, 'localbase%');
			}
			await sending.done;
			sent.push(...sending.ids);

			expect(terminated).toBeGreaterThan(0);
			// A failed request was answered (503), not dropped, and nothing answered 500.
			expect([...log.failures.keys()].filter((status) => status !== 503)).toEqual([]);
			const { status } = await clientFor(lb.url, pairs[0].trainee).rpc('unread_total');
			expect(status).toBe(200);
			await expectConsistent(database.db, pairs, sent);
			await expectCaughtUp(database.db, subscribers);
		} finally {
			await Promise.all(subscribers.map((s) => s.close()));
			await close();
		}
	});

	test('a request whose connection is terminated gets a Supabase-style 503 body, and the next one works', async () => {
		const { lb, close } = await inProcessLocalbase();
		const blocker = await openPostgres(database.url!, 1, 'fault-blocker');
		let unblock = () => {};
		try {
			const { pair, id } = { pair: pairs[1], id: randomUUID() };
			const client = clientFor(lb.url, pair.trainee);
			// A send held up by a lock on its conversation, so its connection can be ended mid-request.
			const locked = new Promise<void>((resolve) => {
				const release = blocker.transaction(async (tx) => {
					await tx.query('select 1 from public.conversations where id = $1 for update', [
						pair.conversationId
					]);
					resolve();
					await new Promise<void>((r) => (unblock = r));
				});
				void release;
			});
			await locked;
			// Builders are lazy: then() sends the request now.
			const pending = client
				.rpc('send_message', { recipient_id: pair.trainer.id, body: 'blocked', message_id: id })
				.then((answer) => answer);
			await waitFor(
				async () =>
					(
						await database.db.query(
							`select 1 from pg_stat_activity where datname = current_database()
							 and application_name = 'localbase' and wait_event_type = 'Lock'`
						)
					).rows.length > 0,
				'the send to wait on the lock'
			);
			await terminateBackends(database.db, 'localbase');
			const { status, error } = await pending;
			unblock();
			expect(status).toBe(503);
			expect(error).toMatchObject({ code: '57P01', message: expect.stringMatching(/terminat/) });
			expect(Object.keys(error!).sort()).toEqual(['code', 'details', 'hint', 'message']);

			const retried = await client.rpc('send_message', {
				recipient_id: pair.trainer.id,
				body: 'blocked',
				message_id: id
			});
			expect(retried.error).toBeNull();
			sent.push(id);
			await expectConsistent(database.db, pairs, sent);
		} finally {
			unblock();
			await blocker.close();
			await close();
		}
	});

	test('after the LISTEN connection dies, LISTEN comes back and every subscriber catches up on what was sent meanwhile', async () => {
		const { lb, close } = await inProcessLocalbase();
		const subscribers = subscribe(lb.url);
		try {
			await joined(subscribers);
			const pair = pairs[2];
			const client = clientFor(lb.url, pair.trainee);
			const log = newSendLog();

			// Ended and waited for, then a message at once: its notification has no listener.
			expect(await terminateBackends(database.db, 'localbase listen localbase_realtime')).toBe(1);
			const during = randomUUID();
			await sendUntilStored(client, pair.trainer.id, 'sent while LISTEN was down', during, log);
			sent.push(during);
			await waitFor(
				async () =>
					(
						await database.db.query(
							`select 1 from pg_stat_activity where datname = current_database() and application_name = 'localbase listen localbase_realtime'`
						)
					).rows.length === 1,
				'LISTEN to be back'
			);
			// Told to rejoin (phx_error), the subscribers fetch what the lost notification carried...
			await expectCaughtUp(database.db, subscribers);
			expect(subscribers.some((s) => s.statuses.includes('CHANNEL_ERROR'))).toBe(true);
			// ...and what is sent now arrives as an event again.
			const after = randomUUID();
			await sendUntilStored(client, pair.trainer.id, 'sent after LISTEN came back', after, log);
			sent.push(after);
			await expectCaughtUp(database.db, subscribers, 5000);
			await expectConsistent(database.db, pairs, sent);
		} finally {
			await Promise.all(subscribers.map((s) => s.close()));
			await close();
		}
	});

	test('dropped client sockets (realtime connections cut, HTTP answers lost) lose and double nothing', async () => {
		const { lb, close } = await inProcessLocalbase();
		const subscribers = subscribe(lb.url);
		try {
			await joined(subscribers);
			const log = newSendLog();
			// A quarter of the sends lose their connection mid-request: committed or not, unknown.
			let cut = 0;
			const flaky: typeof fetch = async (input, init) => {
				if (!String(input).includes('/rpc/send_message') || Math.random() > 0.25) return fetch(input, init);
				cut++;
				const controller = new AbortController();
				setTimeout(() => controller.abort(), Math.random() * 15);
				return fetch(input, { ...init, signal: controller.signal });
			};
			const sending = load(lb.url, pairs, 8, log, { fetch: flaky, gapMs: 20 });
			let dropped = 0;
			for (const progress of [20, 60, 100]) {
				await sending.after(progress);
				for (const socket of [...sockets]) {
					socket.terminate();
					dropped++;
				}
			}
			await sending.done;
			sent.push(...sending.ids);

			expect(cut).toBeGreaterThan(0);
			expect(dropped).toBeGreaterThan(0);
			await expectConsistent(database.db, pairs, sent);
			await expectCaughtUp(database.db, subscribers);
		} finally {
			await Promise.all(subscribers.map((s) => s.close()));
			await close();
		}
	});

	test('a localbase process starts beside another that holds the default mail inbox port (npm run dev while the tests run)', async () => {
		const devInbox = net.createServer();
		// Held by this test, or already by something else (a developer's npm run dev): taken either way.
		await new Promise<void>((resolve) => {
			devInbox.once('error', () => resolve());
			devInbox.listen(DEFAULT_MAIL_PORT, '127.0.0.1', resolve);
		});
		try {
			const localbase = await localbaseProcess(database.url!);
			try {
				expect((await fetch(`${localbase.url}/health`)).ok).toBe(true);
			} finally {
				await localbase.stop();
			}
		} finally {
			await new Promise((resolve) => devInbox.close(resolve));
		}
	});

	test('kill -9 mid-load and a restart: senders retry the same ids until the new process answers', async () => {
		const localbase = await localbaseProcess(database.url!);
		try {
			const subscribers = subscribe(localbase.url);
			await joined(subscribers);
			const log = newSendLog();
			const sending = load(localbase.url, pairs, 8, log, { gapMs: 30 });
			await sending.after(40);
			await localbase.kill9();
			await sleep(300);
			await localbase.start();
			await sending.done;
			sent.push(...sending.ids);

			expect(log.retries).toBeGreaterThan(0);
			await expectConsistent(database.db, pairs, sent);
			await expectCaughtUp(database.db, subscribers, 30_000);
			// Nothing of the killed process's is left holding a transaction open.
			const { rows } = await database.db.query(
				`select 1 from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`
			);
			expect(rows).toEqual([]);
			await Promise.all(subscribers.map((s) => s.close()));
		} finally {
			await localbase.stop();
		}
		expect(localbase.stderr()).not.toMatch(/Unhandled 'error' event/);
	});
});
