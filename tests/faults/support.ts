// The fault suite's pieces: a fleet of trainers and trainees on a Postgres server database,
// localbase in this process or as a child process (to kill -9), senders that retry with the same
// message ids as the app's outbox does, subscribers that hold messages exactly as the app's chat
// does (its data module and merge rules), and the invariants every fault must leave intact.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { expect } from 'vitest';
import type { Db } from '../../db/index.ts';
import { wellKnown } from '../../localbase/config.ts';
import { freePort } from '../../scripts/free-port.ts';
import { signJwt } from '../../localbase/jwt.ts';
import * as messages from '../../src/lib/data/messages.ts';
import { judgeEvent, reconcileMessages } from '../../src/lib/messaging/merge.ts';
import type { MessageRow } from '../../src/lib/schemas/rows.ts';
import { messageCreatedSchema } from '../../src/lib/schemas/realtime.ts';
import type { Supabase } from '../../src/lib/supabase/types.ts';
import { createUser } from '../db/actors.ts';
import { serverUrl } from '../support/database.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** The fault suite needs what only a server has: connections to end, a process to kill. */
export function requireServer(): string {
	if (!serverUrl) {
		throw new Error(
			'the fault suite runs on a Postgres server: set DATABASE_URL (npm test does when it is set)'
		);
	}
	return serverUrl;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
	probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
	what: string,
	timeoutMs = 15_000
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(25);
	}
}

// -------------------------------------------------------------------------------------------------
// The fleet: trainers, their trainees, one conversation per pair
// -------------------------------------------------------------------------------------------------

export interface Person {
	id: string;
	token: string;
}

export interface Pair {
	trainer: Person;
	trainee: Person;
	conversationId: string;
}

/** An access token for a live session of the user (what signing in would give). */
function tokenOf(claims: Record<string, unknown>): string {
	return signJwt(claims, wellKnown.jwtSecret);
}

/** `trainees` trainees spread over `trainers` trainers, each pair with a first message already sent. */
export async function createFleet(db: Db, trainees = 20, trainers = 4): Promise<Pair[]> {
	const coaches: Person[] = [];
	for (let i = 0; i < trainers; i++) {
		const actor = await createUser(db, { role: 'trainer', name: `Fault Coach ${i}` });
		coaches.push({ id: actor.id!, token: tokenOf(actor.caller.claims) });
	}
	const pairs: Pair[] = [];
	for (let i = 0; i < trainees; i++) {
		const trainer = coaches[i % trainers];
		const actor = await createUser(db, {
			role: 'trainee',
			name: `Fault Trainee ${i}`,
			trainerId: trainer.id
		});
		const trainee = { id: actor.id!, token: tokenOf(actor.caller.claims) };
		const { rows } = await db.transaction(async (tx) => {
			await tx.query(
				`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
				[JSON.stringify(actor.caller.claims)]
			);
			return tx.query<{ conversation_id: string }>(
				'select conversation_id from public.send_message($1, $2, $3)',
				[trainer.id, `Hello from trainee ${i}`, randomUUID()]
			);
		});
		pairs.push({ trainer, trainee, conversationId: rows[0].conversation_id });
	}
	return pairs;
}

// -------------------------------------------------------------------------------------------------
// Clients
// -------------------------------------------------------------------------------------------------

/** Every realtime socket the suite's clients opened, so a test can drop them. */
export const sockets = new Set<WebSocket>();

class TrackedWebSocket extends WebSocket {
	constructor(address: string, protocols?: string | string[]) {
		super(address, protocols);
		sockets.add(this);
		this.on('close', () => sockets.delete(this));
	}
}

/** A supabase-js client acting with `token` for REST and every channel it joins. */
export function clientFor(url: string, person: Person, fetchImpl: typeof fetch = fetch): SupabaseClient {
	return createClient(url, wellKnown.publishableKey, {
		accessToken: async () => person.token,
		realtime: { transport: TrackedWebSocket as never },
		global: { fetch: fetchImpl }
	});
}

/** What the senders saw: HTTP statuses of failed attempts, and how many attempts were retries. */
export interface SendLog {
	failures: Map<number, number>;
	retries: number;
}

export function newSendLog(): SendLog {
	return { failures: new Map(), retries: 0 };
}

/**
 * Sends one message and retries it with the same id until the database has it, as the app's
 * outbox does: a failure that is not a refusal (no answer, 503) may or may not have committed, so
 * only the same id makes the retry safe. A refusal (4xx) is a bug in the suite and fails it.
 */
export async function sendUntilStored(
	client: SupabaseClient,
	recipientId: string,
	body: string,
	id: string,
	log: SendLog,
	deadlineMs = 30_000
): Promise<MessageRow> {
	const deadline = Date.now() + deadlineMs;
	for (let attempt = 0; ; attempt++) {
		if (attempt > 0) log.retries++;
		const { data, error, status } = await client.rpc('send_message', {
			recipient_id: recipientId,
			body,
			message_id: id
		});
		if (!error) return data as MessageRow;
		log.failures.set(status, (log.failures.get(status) ?? 0) + 1);
		if (status >= 400 && status < 500)
			throw new Error(`send_message refused (${status}): ${JSON.stringify(error)}`);
		if (Date.now() > deadline) throw new Error(`send_message never succeeded: ${JSON.stringify(error)}`);
		await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
	}
}

export interface Load {
	/** Every id sent (or being sent), in no particular order. */
	ids: string[];
	/** How many sends the database has answered so far. */
	stored(): number;
	/** Resolves once `n` sends are stored (to inject a fault mid-load, whatever the machine's speed). */
	after(n: number): Promise<void>;
	done: Promise<void>;
}

/** Every trainee sends `count` messages to their trainer, one after another, retrying each. */
export function load(
	url: string,
	pairs: Pair[],
	count: number,
	log: SendLog,
	options: { fetch?: typeof fetch; gapMs?: number } = {}
): Load {
	const ids: string[] = [];
	let stored = 0;
	const done = Promise.all(
		pairs.map(async (pair, n) => {
			const client = clientFor(url, pair.trainee, options.fetch);
			for (let i = 0; i < count; i++) {
				const id = randomUUID();
				ids.push(id);
				await sendUntilStored(client, pair.trainer.id, `load ${n}.${i} ${id.slice(0, 8)}`, id, log);
				stored++;
				if (options.gapMs) await sleep(Math.random() * options.gapMs);
			}
		})
	).then(() => undefined);
	return {
		ids,
		stored: () => stored,
		after: (n) => waitFor(() => stored >= n, `${n} messages stored`, 60_000).then(() => undefined),
		done
	};
}

/**
 * A trainer's app, reduced to what it holds: one channel per conversation; a new message event
 * is shown when it is the next one, anything else makes it read the database; after every
 * (re)join it reads the database from what it has not checked, and a read the server could not
 * answer is tried again. The same modules as the chat.
 */
export class Subscriber {
	readonly held = new Map<string, MessageRow[]>();
	readonly statuses: string[] = [];
	readonly #client: SupabaseClient;
	readonly #me: string;
	readonly #unchecked = new Map<string, Set<string>>();
	readonly #reading = new Map<string, Promise<void>>();
	readonly #again = new Set<string>();
	/** Per conversation, ids shown from events while a read runs (newer than its answer). */
	readonly #arrived = new Map<string, Set<string>>();
	#closed = false;

	constructor(url: string, person: Person) {
		this.#client = clientFor(url, person);
		this.#me = person.id;
	}

	join(conversationIds: string[]): void {
		for (const id of conversationIds) {
			this.held.set(id, []);
			this.#unchecked.set(id, new Set());
			this.#client
				.channel(`conversation:${id}`, { config: { private: true } })
				.on('broadcast', { event: 'message_created' }, ({ payload }) => this.#onEvent(id, payload))
				.subscribe((status) => {
					this.statuses.push(status);
					if (status === 'SUBSCRIBED') void this.catchUp(id);
				});
		}
	}

	#onEvent(conversationId: string, payload: unknown): void {
		const parsed = messageCreatedSchema.safeParse(payload);
		const held = this.held.get(conversationId) ?? [];
		if (!parsed.success || parsed.data.message.conversation_id !== conversationId) {
			void this.catchUp(conversationId);
			return;
		}
		const message = parsed.data.message;
		const verdict = judgeEvent(held, message);
		if (verdict === 'new') {
			this.held.set(conversationId, [...held, message]);
			this.#unchecked.get(conversationId)?.add(message.id);
			this.#arrived.get(conversationId)?.add(message.id);
		} else if (verdict !== 'held') {
			void this.catchUp(conversationId);
		}
	}

	catchUp(conversationId: string): Promise<void> {
		const running = this.#reading.get(conversationId);
		if (running) {
			this.#again.add(conversationId);
			return running;
		}
		const read = (async () => {
			do {
				this.#again.delete(conversationId);
				const held = this.held.get(conversationId) ?? [];
				const unchecked = this.#unchecked.get(conversationId) ?? new Set<string>();
				let from = (held.at(-1)?.seq ?? 0) + 1;
				for (const m of held) if (unchecked.has(m.id)) from = Math.min(from, m.seq);
				const arrived = new Set<string>();
				this.#arrived.set(conversationId, arrived);
				const result = await messages.since(this.#client as unknown as Supabase, conversationId, from);
				this.#arrived.delete(conversationId);
				// 503 while a fault lasts (the socket may stay up, so no rejoin follows): read again
				// shortly, as the chat does.
				if (!result.ok) {
					if (!this.#closed) setTimeout(() => void this.catchUp(conversationId), 250);
					return;
				}
				const now = this.held.get(conversationId) ?? [];
				const rows = result.data.rows.filter((m) => m.seq >= from);
				const reconciled = reconcileMessages(now, rows, from, this.#me, arrived);
				this.held.set(conversationId, reconciled.messages);
				for (const m of rows) unchecked.delete(m.id);
			} while (this.#again.has(conversationId));
		})().finally(() => this.#reading.delete(conversationId));
		this.#reading.set(conversationId, read);
		return read;
	}

	async close(): Promise<void> {
		this.#closed = true;
		await this.#client.removeAllChannels();
	}
}

// -------------------------------------------------------------------------------------------------
// Invariants
// -------------------------------------------------------------------------------------------------

/**
 * What no fault may break: each id stored exactly once; seq dense (1..n) in every conversation and
 * the conversation's newest seq equal to it; each unread counter the count of unread messages and
 * every stored unread total the sum of the user's counters; one push outbox row per message.
 */
export async function expectConsistent(db: Db, pairs: Pair[], ids: string[]): Promise<void> {
	const { rows: copies } = await db.query<{ id: string; n: number }>(
		'select id, count(*)::int as n from public.messages where id = any($1::uuid[]) group by id',
		[ids]
	);
	expect(copies.length, 'every message id stored').toBe(ids.length);
	expect(
		copies.filter((c) => c.n !== 1),
		'ids stored more than once'
	).toEqual([]);

	const conversationIds = pairs.map((p) => p.conversationId);
	const { rows: seqs } = await db.query<{
		id: string;
		n: number;
		distinct_seqs: number;
		low: number;
		high: number;
		last: number;
	}>(
		`select c.id, count(m.id)::int as n, count(distinct m.seq)::int as distinct_seqs,
		        min(m.seq)::int as low, max(m.seq)::int as high, c.last_message_seq::int as last
		 from public.conversations c join public.messages m on m.conversation_id = c.id
		 where c.id = any($1::uuid[]) group by c.id`,
		[conversationIds]
	);
	expect(seqs.length).toBe(conversationIds.length);
	for (const s of seqs) {
		// n messages numbered 1..n, each number once, and the conversation's newest is n.
		expect([s.distinct_seqs, s.low, s.high, s.last], `seq of ${s.id}`).toEqual([s.n, 1, s.n, s.n]);
	}

	const { rows: counters } = await db.query<{ id: string; stored: number; counted: number }>(
		`select c.id, c.trainer_unread_count + c.trainee_unread_count as stored,
		        (select count(*)::int from public.messages m where m.conversation_id = c.id and m.read_at is null) as counted
		 from public.conversations c where c.id = any($1::uuid[])`,
		[conversationIds]
	);
	expect(
		counters.filter((c) => c.stored !== c.counted),
		'unread counters'
	).toEqual([]);
	const { rows: totals } = await db.query(
		`with summed as (
		   select s.user_id, sum(s.unread)::int as summed
		   from (select trainer_id as user_id, trainer_unread_count as unread from public.conversations
		         union all select trainee_id, trainee_unread_count from public.conversations) s
		   where s.user_id is not null group by s.user_id)
		 select coalesce(s.user_id, t.user_id) as user_id, coalesce(t.total, 0) as stored, coalesce(s.summed, 0) as summed
		 from summed s full join private.unread_totals t on t.user_id = s.user_id
		 where coalesce(t.total, 0) <> coalesce(s.summed, 0)`
	);
	expect(totals, 'private.unread_totals equals the sum of the counters').toEqual([]);

	const { rows: outbox } = await db.query<{ message_id: string; n: number }>(
		`select message_id, count(*)::int as n from private.push_outbox where message_id = any($1::uuid[]) group by message_id`,
		[ids]
	);
	expect(outbox.length, 'a push outbox row for every message').toBe(ids.length);
	expect(
		outbox.filter((o) => o.n !== 1),
		'push outbox rows per message'
	).toEqual([]);
}

/** Waits until every subscriber holds exactly what the database has in each of its conversations. */
export async function expectCaughtUp(db: Db, subscribers: Subscriber[], timeoutMs = 20_000): Promise<void> {
	const truth = async (conversationId: string) =>
		(
			await db.query<{ id: string; seq: number; body: string }>(
				'select id, seq::int as seq, body from public.messages where conversation_id = $1 order by seq',
				[conversationId]
			)
		).rows;
	const differences = async () => {
		const wrong: string[] = [];
		for (const subscriber of subscribers) {
			for (const [conversationId, held] of subscriber.held) {
				const expected = await truth(conversationId);
				const got = held.map((m) => ({ id: m.id, seq: m.seq, body: m.body }));
				if (JSON.stringify(got) !== JSON.stringify(expected)) {
					wrong.push(`${conversationId}: holds ${got.length}, database ${expected.length}`);
				}
			}
		}
		return wrong;
	};
	const deadline = Date.now() + timeoutMs;
	let wrong = await differences();
	while (wrong.length > 0 && Date.now() < deadline) {
		await sleep(200);
		wrong = await differences();
	}
	expect(wrong, 'subscribers that do not hold what the database has').toEqual([]);
}

// -------------------------------------------------------------------------------------------------
// localbase as a child process (kill -9 and restart)
// -------------------------------------------------------------------------------------------------

export interface LocalbaseProcess {
	url: string;
	kill9(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Everything it wrote to stderr, across restarts. */
	stderr(): string;
}

/**
 * `npm run localbase` on a port of its own (see freePort), over `databaseUrl`, with a mail inbox
 * on a port of its own too: the default inbox port is the one `npm run dev` holds. A port found
 * free can still be taken before localbase listens on it: the first start then moves to other
 * ports, and a restart, which must keep its ports, tries again.
 */
export async function localbaseProcess(databaseUrl: string): Promise<LocalbaseProcess> {
	let port = await freePort();
	let mailPort = await freePort();
	let child: ChildProcess | undefined;
	let errors = '';
	const spawnOnce = async (): Promise<'up' | 'port taken'> => {
		// Node itself with tsx's loader (not the tsx CLI, which would run the server in a child of
		// its own that a SIGKILL of the CLI leaves running).
		const c = spawn(process.execPath, ['--import', 'tsx', 'localbase/main.ts'], {
			cwd: root,
			env: {
				...process.env,
				DATABASE_URL: databaseUrl,
				LOCALBASE_PORT: String(port),
				LOCALBASE_MAIL_PORT: String(mailPort),
				LOCALBASE_HOST: '127.0.0.1'
			},
			stdio: ['ignore', 'ignore', 'pipe']
		});
		child = c;
		let own = '';
		c.stderr?.on('data', (chunk: Buffer) => {
			errors += chunk.toString();
			own += chunk.toString();
		});
		const health = `http://127.0.0.1:${port}/health`;
		const outcome = await waitFor(
			async () => {
				if (c.exitCode !== null || c.signalCode !== null) return 'exited' as const;
				return (await fetch(health).catch(() => undefined))?.ok ? ('up' as const) : undefined;
			},
			'localbase to start',
			30_000
		).catch((err: unknown) => {
			// Still not answering: what it said so far is the clue.
			c.kill('SIGKILL');
			throw new Error(
				`${err instanceof Error ? err.message : String(err)}; its stderr:\n${own.slice(-2000)}`
			);
		});
		if (outcome === 'up') return 'up';
		if (/EADDRINUSE/.test(own)) return 'port taken';
		throw new Error(`localbase exited while starting (${c.exitCode ?? c.signalCode}):\n${own.slice(-2000)}`);
	};
	const start = async (first = false) => {
		for (let attempt = 1; ; attempt++) {
			if ((await spawnOnce()) === 'up') return;
			if (attempt === 5)
				throw new Error(`localbase could not listen on ports ${port} and ${mailPort} (taken)`);
			if (first) [port, mailPort] = [await freePort(), await freePort()];
			else await sleep(200);
		}
	};
	const exited = (c: ChildProcess) =>
		new Promise<void>((resolve) => {
			if (c.exitCode !== null || c.signalCode !== null) resolve();
			else c.once('exit', () => resolve());
		});
	await start(true);
	return {
		url: `http://127.0.0.1:${port}`,
		start: () => start(),
		kill9: async () => {
			const c = child!;
			c.kill('SIGKILL');
			await exited(c);
		},
		stop: async () => {
			const c = child;
			if (!c || c.exitCode !== null || c.signalCode !== null) return;
			c.kill('SIGTERM');
			await exited(c);
		},
		stderr: () => errors
	};
}

/** Ends every connection of `applicationName` (like) to the current database; resolves to how many. */
export async function terminateBackends(db: Db, applicationName: string): Promise<number> {
	const { rows } = await db.query<{ n: number }>(
		`select count(pg_terminate_backend(pid, 5000))::int as n from pg_stat_activity
		 where datname = current_database() and application_name like $1 and pid <> pg_backend_pid()`,
		[applicationName]
	);
	return rows[0].n;
}

/** Sends a message as `person` straight in the database, framed as PostgREST frames a request. */
export async function sendAs(
	db: Db,
	person: Person,
	recipientId: string,
	body: string,
	id: string
): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.query(
			`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
			[JSON.stringify({ sub: person.id, role: 'authenticated', session_id: sessionOf(person.token) })]
		);
		await tx.query('select public.send_message($1, $2, $3)', [recipientId, body, id]);
	});
}

function sessionOf(token: string): string {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).session_id;
}
