// Runs SQL as one of Spotter's demo users (or anon, service_role, dashboard impersonation) the way
// PostgREST and Realtime do: role and request.jwt.* set transaction-locally, rolled back by default.
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.ts';
import { actAs, type Caller } from '../../localbase/request-auth.ts';

/** The fixed ids of supabase/seed.sql. */
export const ids = {
	coach: '10000000-0000-4000-8000-000000000001',
	alex: '10000000-0000-4000-8000-000000000002',
	sam: '10000000-0000-4000-8000-000000000003',
	rival: '10000000-0000-4000-8000-000000000004',
	jordan: '10000000-0000-4000-8000-000000000005',
	solo: '10000000-0000-4000-8000-000000000006'
} as const;

export const conversationIds = {
	coachAlex: '20000000-0000-4000-8000-000000000001',
	coachSam: '20000000-0000-4000-8000-000000000002',
	rivalJordan: '20000000-0000-4000-8000-000000000003'
} as const;

/** Seeded message ids: coach ↔ alex n = 1…80, coach ↔ sam and rival ↔ jordan two each. */
export const seededMessageId = (n: number) => `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const seededMessageIds = {
	coachToSam: '30000000-0000-4000-8001-000000000001',
	samToCoach: '30000000-0000-4000-8001-000000000002',
	rivalToJordan: '30000000-0000-4000-8002-000000000001',
	jordanToRival: '30000000-0000-4000-8002-000000000002'
} as const;

export type UserName = keyof typeof ids;
export type ActorName = UserName | 'anon' | 'service_role' | 'impersonation';

export interface Actor {
	name: string;
	caller: Caller;
	/** The auth user id, for signed-in actors. */
	id?: string;
}

/** A Postgres error as a value, so tests assert its exact SQLSTATE. */
export interface PgError {
	code: string;
	message: string;
}

export type Outcome<T> =
	| { ok: true; rows: T[]; rowCount: number; error?: undefined }
	| { ok: false; error: PgError; rows?: undefined; rowCount?: undefined };

function userClaims(id: string, sessionId: string, extra: Record<string, unknown> = {}) {
	const now = Math.floor(Date.now() / 1000);
	return {
		iss: 'http://127.0.0.1:54321/auth/v1',
		sub: id,
		aud: 'authenticated',
		exp: now + 3600,
		iat: now,
		role: 'authenticated',
		aal: 'aal1',
		amr: [{ method: 'password', timestamp: now }],
		session_id: sessionId,
		is_anonymous: false,
		...extra
	};
}

/** A live auth session for the user, committed, as Supabase Auth creates one at sign-in. */
export async function signIn(db: Db, userId: string, name = userId): Promise<Actor> {
	const sessionId = randomUUID();
	await db.query(
		`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values ($1, $2, now(), now(), 'aal1')`,
		[sessionId, userId]
	);
	return {
		name,
		id: userId,
		caller: { role: 'authenticated', claims: userClaims(userId, sessionId), token: '' }
	};
}

export type Actors = Record<ActorName, Actor>;

/** Every actor of the matrix; signed-in demo users get a live session each (committed once per file). */
export async function createActors(db: Db): Promise<Actors> {
	const signedIn = {} as Record<UserName, Actor>;
	for (const name of Object.keys(ids) as UserName[]) signedIn[name] = await signIn(db, ids[name], name);
	const now = Math.floor(Date.now() / 1000);
	return {
		...signedIn,
		anon: {
			name: 'anon',
			caller: { role: 'anon', claims: { iss: 'supabase-demo', role: 'anon', exp: now + 3600 }, token: '' }
		},
		service_role: {
			name: 'service_role',
			caller: {
				role: 'service_role',
				claims: { iss: 'supabase-demo', role: 'service_role', exp: now + 3600 },
				token: ''
			}
		},
		// The dashboard's "impersonate user": alex's claims, but a session_id that is no auth session.
		impersonation: {
			name: 'impersonation',
			id: ids.alex,
			caller: { role: 'authenticated', claims: userClaims(ids.alex, randomUUID()), token: '' }
		}
	};
}

/** A new auth user (profile created by the sign-up trigger), committed, signed in. */
export async function createUser(
	db: Db,
	opts: { role: 'trainer' | 'trainee'; name: string; trainerId?: string }
): Promise<Actor> {
	const id = randomUUID();
	const email = `${opts.name.toLowerCase().replace(/\W+/g, '-')}-${id.slice(0, 8)}@db.test`;
	await db.query(
		`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
		 values ($1, 'authenticated', 'authenticated', $2, $3, now(), now())`,
		[id, email, JSON.stringify({ role: opts.role, display_name: opts.name })]
	);
	if (opts.trainerId)
		await db.query('update public.profiles set trainer_id = $1 where id = $2', [opts.trainerId, id]);
	return signIn(db, id, opts.name);
}

function asPgError(err: unknown): PgError {
	const e = err as { code?: unknown; message?: unknown };
	if (typeof e?.code !== 'string' || e.code.length !== 5) throw err;
	return { code: e.code, message: String(e.message) };
}

let savepoints = 0;

/** A transaction in which the current actor can change; every statement runs as that actor. */
export class ActorTx {
	constructor(readonly tx: Queryable) {}

	/** Switches to the actor: role and request.jwt.* transaction-locally, exactly as PostgREST. */
	async become(actor: Actor, extra: Record<string, string> = {}): Promise<this> {
		await actAs(this.tx, actor.caller, extra);
		return this;
	}

	/** Back to the migration role with no JWT at all (the dashboard's SQL editor, Supabase Auth). */
	async becomePostgres(): Promise<this> {
		await this.tx.query(
			`select set_config('role', 'none', true), set_config('request.jwt.claims', '', true),
			        set_config('request.jwt.claim.sub', '', true), set_config('request.jwt.claim.role', '', true)`
		);
		return this;
	}

	/**
	 * The role the push dispatcher connects as: the migration role, postgres, with no JWT. Unlike
	 * becomePostgres() it names the role, so it is postgres even when the session user is another
	 * (the superuser of the hosted-roles leg).
	 */
	async becomeDispatcher(): Promise<this> {
		await this.becomePostgres();
		await this.tx.query(`select set_config('role', 'postgres', true)`);
		return this;
	}

	/** Runs a statement that must succeed; returns its rows. */
	async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
		return (await this.tx.query<T>(sql, params)).rows;
	}

	async one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T> {
		const rows = await this.query<T>(sql, params);
		if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`);
		return rows[0];
	}

	/** Runs a statement inside a savepoint; a Postgres error comes back as a value and the transaction goes on. */
	async attempt<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Outcome<T>> {
		const name = `attempt_${++savepoints}`;
		await this.tx.query(`savepoint ${name}`);
		try {
			const r = await this.tx.query<T>(sql, params);
			await this.tx.query(`release savepoint ${name}`);
			return { ok: true, rows: r.rows, rowCount: r.rowCount };
		} catch (err) {
			const error = asPgError(err);
			await this.tx.query(`rollback to savepoint ${name}`);
			return { ok: false, error };
		}
	}

	/** The SQLSTATE a statement fails with, or null when it succeeds. */
	async errorCode(sql: string, params?: unknown[]): Promise<string | null> {
		const r = await this.attempt(sql, params);
		return r.ok ? null : r.error.code;
	}
}

class Rollback extends Error {
	constructor(readonly value: unknown) {
		super('test transaction rolled back');
	}
}

/**
 * Runs `fn` in a transaction, starting as postgres (no JWT), rolled back afterwards unless
 * `commit` is set, so tests sharing one seeded database never see each other's changes.
 */
export async function inTransaction<T>(
	db: Db,
	fn: (t: ActorTx) => Promise<T>,
	opts: { commit?: boolean } = {}
): Promise<T> {
	if (opts.commit) return db.transaction((tx) => fn(new ActorTx(tx)));
	try {
		await db.transaction(async (tx) => {
			throw new Rollback(await fn(new ActorTx(tx)));
		});
	} catch (err) {
		if (err instanceof Rollback) return err.value as T;
		throw err;
	}
	throw new Error('unreachable: the transaction must roll back');
}

/** Runs `fn` as `actor` in a transaction that is rolled back (or committed with `commit`). */
export function as<T>(
	db: Db,
	actor: Actor,
	fn: (t: ActorTx) => Promise<T>,
	opts: { commit?: boolean; settings?: Record<string, string> } = {}
): Promise<T> {
	return inTransaction(db, async (t) => fn(await t.become(actor, opts.settings)), opts);
}

/** Runs one statement as `actor` and rolls back: its rows, or the error as a value. */
export function attemptAs<T = Record<string, unknown>>(
	db: Db,
	actor: Actor,
	sql: string,
	params?: unknown[]
): Promise<Outcome<T>> {
	return as(db, actor, (t) => t.attempt<T>(sql, params));
}

/**
 * Realtime's read check for private channels: probe rows inserted by the server, selected back
 * as the actor with `realtime.topic` set. Returns which extensions the actor may receive.
 */
export function realtimeCanRead(
	db: Db,
	actor: Actor,
	topic: string,
	setup?: (t: ActorTx) => Promise<unknown>
): Promise<{ broadcast: boolean; presence: boolean }> {
	return inTransaction(db, async (t) => {
		if (setup) await setup(t);
		const broadcast = randomUUID();
		const presence = randomUUID();
		await t.query(
			`insert into realtime.messages (id, topic, extension, private) values ($1, $3, 'broadcast', true), ($2, $3, 'presence', true)`,
			[broadcast, presence, topic]
		);
		await t.become(actor, { 'realtime.topic': topic });
		const rows = await t.query<{ id: string }>('select id from realtime.messages where id in ($1, $2)', [
			broadcast,
			presence
		]);
		const seen = new Set(rows.map((row) => row.id));
		return { broadcast: seen.has(broadcast), presence: seen.has(presence) };
	});
}

/** Realtime's write check: the actor INSERTs a probe per extension; 42501 means denied. */
export function realtimeCanWrite(
	db: Db,
	actor: Actor,
	topic: string,
	setup?: (t: ActorTx) => Promise<unknown>
): Promise<{ broadcast: boolean | PgError; presence: boolean | PgError }> {
	return inTransaction(db, async (t) => {
		if (setup) await setup(t);
		await t.become(actor, { 'realtime.topic': topic });
		const result: { broadcast: boolean | PgError; presence: boolean | PgError } = {
			broadcast: false,
			presence: false
		};
		for (const extension of ['broadcast', 'presence'] as const) {
			const r = await t.attempt(
				'insert into realtime.messages (topic, extension, private) values ($1, $2, true)',
				[topic, extension]
			);
			// Anything but success or 42501 is a broken probe, reported as the error itself.
			result[extension] = r.ok ? true : r.error.code === '42501' ? false : r.error;
		}
		return result;
	});
}

export interface UnreadTotalMismatch {
	user_id: string;
	stored: number;
	summed: number;
}

/**
 * Users whose stored unread total (private.unread_totals) is not the sum of their unread counts
 * over their conversations; [] when the triggers kept every total exact. Reads as the session user
 * (RLS off) and switches back to `actor` when given.
 */
export async function unreadTotalMismatches(x: ActorTx, actor?: Actor): Promise<UnreadTotalMismatch[]> {
	await x.becomePostgres();
	const rows = await x.query<UnreadTotalMismatch>(
		`with summed as (
		   select s.user_id, sum(s.unread)::int as summed
		   from (select c.trainer_id as user_id, c.trainer_unread_count as unread from public.conversations c
		         union all
		         select c.trainee_id, c.trainee_unread_count from public.conversations c) s
		   where s.user_id is not null
		   group by s.user_id
		 )
		 select coalesce(s.user_id, t.user_id) as user_id, coalesce(t.total, 0) as stored, coalesce(s.summed, 0) as summed
		 from summed s full join private.unread_totals t on t.user_id = s.user_id
		 where coalesce(t.total, 0) <> coalesce(s.summed, 0)`
	);
	if (actor) await x.become(actor);
	return rows;
}

/** A database broadcast (a realtime.messages row), as Realtime would deliver it. */
export interface BroadcastRow {
	topic: string;
	event: string;
	payload: Record<string, unknown>;
}

/** Forgets the broadcasts and push outbox rows so far (seed, setup) inside the test's transaction. */
export async function forgetEvents(x: ActorTx, actor: Actor): Promise<void> {
	await x.becomePostgres();
	await x.query(`delete from realtime.messages`);
	await x.query(`update private.push_outbox set done_at = now(), outcome = 'sent' where done_at is null`);
	await x.become(actor);
}

/** The broadcasts written since forgetEvents, oldest first (read with RLS off), then back to `actor`. */
export async function broadcasts(x: ActorTx, actor: Actor, event?: string): Promise<BroadcastRow[]> {
	await x.becomePostgres();
	const rows = await x.query<BroadcastRow>(
		`select topic, event, payload from realtime.messages
		 where extension = 'broadcast' and ($1::text is null or event = $1)
		 order by inserted_at, event, topic`,
		[event ?? null]
	);
	await x.become(actor);
	return rows;
}

/**
 * Moves a message's sending time back by `minutes`, as the test's superuser with triggers off: time
 * passes without any production query being rewritten.
 */
export async function ageMessage(
	x: ActorTx,
	actor: Actor,
	messageId: string,
	minutes: number
): Promise<void> {
	await x.becomePostgres();
	await x.query(`set local session_replication_role = replica`);
	await x.query(
		`update public.messages set created_at = created_at - make_interval(mins => $2) where id = $1`,
		[messageId, minutes]
	);
	await x.query(`set local session_replication_role = origin`);
	await x.become(actor);
}
