// The Postgres server adapter: a connection pool with transactions, and LISTEN on a connection of
// its own. The app's server imports only this adapter (never PGlite).
//
// A server can end any connection at any moment (pg_terminate_backend, a restart, a network
// fault). None of that may crash the process: every connection has an error listener while it is
// in use, a failed request fails with a SQLSTATE of class 08 (isConnectionFailure in db/index.ts)
// so the caller can answer "try again", and LISTEN re-connects by itself.
import pg from 'pg';
import { isConnectionFailure, type Db, type ListenOptions, type Queryable } from './index.ts';

/** A pooled Postgres server connection; `kind` tells it apart from PGlite where both can occur. */
export interface PostgresDb extends Db {
	readonly kind: 'postgres';
}

/** int8 as a JavaScript number when it is safe, the same on both backends. */
function parseInt8(value: string): number | string {
	const n = Number(value);
	return Number.isSafeInteger(n) ? n : value;
}

/** Socket errors node-postgres passes through, as the SQLSTATE Postgres clients use for them. */
const socketErrorStates: Record<string, string> = {
	ECONNREFUSED: '08001',
	ENOTFOUND: '08001',
	EHOSTUNREACH: '08001',
	ETIMEDOUT: '08001',
	ECONNRESET: '08006',
	EPIPE: '08006'
};

/**
 * node-postgres reports a lost connection without a SQLSTATE ("Connection terminated
 * unexpectedly", a socket error code). Such an error gets connection_failure (08006) or
 * sqlclient_unable_to_establish_sqlconnection (08001), so callers can tell "the database went
 * away" from "the database refused this". Errors the server sent keep their own code.
 */
export function withSqlState(err: unknown): unknown {
	if (!(err instanceof Error)) return err;
	const code = (err as { code?: unknown }).code;
	if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return err;
	const state =
		typeof code === 'string' && socketErrorStates[code]
			? socketErrorStates[code]
			: /connection terminated|not queryable|connection ended|connection error/i.test(err.message)
				? '08006'
				: undefined;
	if (!state) return err;
	return Object.assign(new Error(`The database connection was lost: ${err.message}`, { cause: err }), {
		code: state
	});
}

function wrapPgClient(client: pg.PoolClient | pg.Pool): Queryable {
	return {
		query: async (sql, params) => {
			try {
				const r = await client.query(sql, params);
				return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length, fields: r.fields };
			} catch (err) {
				throw withSqlState(err);
			}
		},
		exec: async (sql) => {
			try {
				await client.query(sql);
			} catch (err) {
				throw withSqlState(err);
			}
		}
	};
}

/** How often a transaction is started again on a fresh connection when `begin` meets a dead one. */
const beginAttempts = 3;

/**
 * `label` prefixes its log lines and names its connections (application_name): `localbase`, `push`…;
 * a LISTEN connection is `<label> listen <channel>`.
 */
export async function openPostgres(url: string, max = 10, label = 'postgres'): Promise<PostgresDb> {
	const types = {
		getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
			oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
	};
	const pool = new pg.Pool({ connectionString: url, max, types, application_name: label });
	// An idle client that errors (server restart, terminated backend) must not crash the process;
	// the pool drops it and opens a new one when next needed.
	pool.on('error', (err) => console.error(`[${label}] idle database connection failed:`, err.message));
	const listeners = new Set<() => Promise<void>>();

	/** A pooled client with `begin` done. Nothing has run yet, so a dead connection is simply replaced. */
	async function begin(): Promise<{
		client: pg.PoolClient;
		failure: { error?: Error };
		onError: (err: Error) => void;
	}> {
		for (let attempt = 1; ; attempt++) {
			let client: pg.PoolClient;
			try {
				client = await pool.connect();
			} catch (err) {
				throw withSqlState(err);
			}
			// A checked-out client has no listener of the pool's: one that dies while held (the
			// server terminated it mid-query) would otherwise be an unhandled 'error' event.
			const failure: { error?: Error } = {};
			const onError = (err: Error) => {
				failure.error ??= err;
			};
			client.on('error', onError);
			try {
				await client.query('begin');
				return { client, failure, onError };
			} catch (err) {
				client.removeListener('error', onError);
				client.release(true);
				const error = withSqlState(err);
				if (attempt >= beginAttempts || !isConnectionFailure(error)) throw error;
			}
		}
	}

	return {
		kind: 'postgres',
		...wrapPgClient(pool),
		transaction: async (fn) => {
			const { client, failure, onError } = await begin();
			let broken = false;
			try {
				const result = await fn(wrapPgClient(client));
				try {
					await client.query('commit');
				} catch (err) {
					throw withSqlState(err);
				}
				return result;
			} catch (err) {
				try {
					await client.query('rollback');
				} catch (rollbackError) {
					broken = true;
					if (!failure.error) {
						console.error(`[${label}] rollback failed, discarding the connection:`, rollbackError);
					}
				}
				throw err;
			} finally {
				client.removeListener('error', onError);
				client.release(broken || failure.error ? (failure.error ?? true) : undefined);
			}
		},
		listen: async (channel, onPayload, options = {}) => {
			const stop = await listenResiliently(url, channel, onPayload, options, label);
			const unlisten = async () => {
				listeners.delete(unlisten);
				await stop();
			};
			listeners.add(unlisten);
			return unlisten;
		},
		close: async () => {
			await Promise.all([...listeners].map((unlisten) => unlisten()));
			await pool.end();
		}
	};
}

/** Backoff between attempts to LISTEN again: 100 ms doubling to 5 s, with jitter. */
function reconnectDelay(attempt: number): number {
	const ceiling = Math.min(5000, 100 * 2 ** attempt);
	return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * LISTEN on a connection of its own (the pool's connections come and go). When that connection
 * is lost it is opened again with backoff, and `onReconnect` tells the caller that notifications
 * may have been missed meanwhile. Resolves once the first LISTEN is in place (or rejects).
 */
async function listenResiliently(
	url: string,
	channel: string,
	onPayload: (payload: string) => void,
	options: ListenOptions,
	label: string
): Promise<() => Promise<void>> {
	let current: pg.Client | undefined;
	let stopped = false;
	let retry: NodeJS.Timeout | undefined;
	let attempt = 0;

	const connect = async (): Promise<pg.Client> => {
		// Named for its channel too: one process may listen on several (localbase: realtime and cron).
		const client = new pg.Client({ connectionString: url, application_name: `${label} listen ${channel}` });
		let dead = false;
		const lost = (err?: Error) => {
			if (dead) return;
			dead = true;
			if (client !== current || stopped) return;
			current = undefined;
			console.error(
				`[${label}] LISTEN ${channel} lost its connection${err ? ` (${err.message})` : ''}; reconnecting`
			);
			client.end().catch(() => undefined);
			schedule();
		};
		client.on('error', lost);
		client.on('end', () => lost());
		client.on('notification', (n) => {
			if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
		});
		try {
			await client.connect();
			await client.query(`listen ${pg.escapeIdentifier(channel)}`);
		} catch (err) {
			dead = true;
			client.end().catch(() => undefined);
			throw withSqlState(err);
		}
		if (dead) throw new Error(`the connection closed while LISTEN ${channel} was being set up`);
		return client;
	};

	const schedule = () => {
		if (stopped) return;
		clearTimeout(retry);
		retry = setTimeout(async () => {
			try {
				const client = await connect();
				if (stopped) {
					await client.end();
					return;
				}
				current = client;
				attempt = 0;
				console.error(`[${label}] LISTEN ${channel} is back`);
				options.onReconnect?.();
			} catch (err) {
				attempt++;
				if (attempt === 1 || attempt % 10 === 0) {
					console.error(
						`[${label}] LISTEN ${channel} still down (attempt ${attempt}):`,
						(err as Error).message
					);
				}
				schedule();
			}
		}, reconnectDelay(attempt));
	};

	current = await connect();
	return async () => {
		stopped = true;
		clearTimeout(retry);
		const client = current;
		current = undefined;
		await client?.end();
	};
}
