// One interface over the two Postgres backends localbase runs on: embedded PGlite (a single
// connection, so every transaction is serialized) and a Postgres server (a pool, in parallel).
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import pg from 'pg';

export interface QueryResult<T> {
	rows: T[];
	rowCount: number;
	fields: { name: string; dataTypeID: number }[];
}

export interface Queryable {
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
	/** Runs one or more statements without parameters. */
	exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
	readonly kind: 'pglite' | 'postgres';
	/** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	/** Calls `onPayload` for each NOTIFY on `channel`; resolves to an unsubscribe function. */
	listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
	close(): Promise<void>;
}

/** int8 as a JavaScript number when it is safe, the same on both backends. */
function parseInt8(value: string): number | string {
	const n = Number(value);
	return Number.isSafeInteger(n) ? n : value;
}

export async function openPglite(dataDir?: string): Promise<Db> {
	const lite = await PGlite.create({ dataDir, extensions: { pgcrypto } });
	return {
		kind: 'pglite',
		query: async (sql, params) => {
			const r = await lite.query(sql, params as unknown[]);
			return { rows: r.rows as never[], rowCount: r.affectedRows ?? r.rows.length, fields: r.fields };
		},
		exec: async (sql) => {
			await lite.exec(sql);
		},
		transaction: (fn) =>
			lite.transaction((tx) =>
				fn({
					query: async (sql, params) => {
						const r = await tx.query(sql, params as unknown[]);
						return {
							rows: r.rows as never[],
							rowCount: r.affectedRows ?? r.rows.length,
							fields: r.fields
						};
					},
					exec: async (sql) => {
						await tx.exec(sql);
					}
				})
			),
		listen: async (channel, onPayload) => {
			const unsubscribe = await lite.listen(channel, onPayload);
			return async () => unsubscribe();
		},
		close: () => lite.close()
	};
}

function wrapPgClient(client: pg.PoolClient | pg.Pool): Queryable {
	return {
		query: async (sql, params) => {
			const r = await client.query(sql, params);
			return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length, fields: r.fields };
		},
		exec: async (sql) => {
			await client.query(sql);
		}
	};
}

export async function openPostgres(url: string, max = 10): Promise<Db> {
	const types = {
		getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
			oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
	};
	const pool = new pg.Pool({ connectionString: url, max, types });
	// An idle client that errors (server restart) must not crash the process; the pool drops it.
	pool.on('error', (err) => console.error('[localbase] idle database connection failed:', err.message));
	const listeners = new Set<pg.Client>();
	return {
		kind: 'postgres',
		...wrapPgClient(pool),
		transaction: async (fn) => {
			const client = await pool.connect();
			let broken = false;
			try {
				await client.query('begin');
				const result = await fn(wrapPgClient(client));
				await client.query('commit');
				return result;
			} catch (err) {
				try {
					await client.query('rollback');
				} catch (rollbackError) {
					broken = true;
					console.error('[localbase] rollback failed, discarding the connection:', rollbackError);
				}
				throw err;
			} finally {
				client.release(broken);
			}
		},
		listen: async (channel, onPayload) => {
			const client = new pg.Client({ connectionString: url });
			client.on('error', (err) => console.error(`[localbase] LISTEN ${channel} failed:`, err.message));
			await client.connect();
			client.on('notification', (n) => {
				if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
			});
			await client.query(`listen ${pg.escapeIdentifier(channel)}`);
			listeners.add(client);
			return async () => {
				listeners.delete(client);
				await client.end();
			};
		},
		close: async () => {
			await Promise.all([...listeners].map((c) => c.end()));
			await pool.end();
		}
	};
}

export function openDb(databaseUrl: string | undefined, dataDir?: string): Promise<Db> {
	return databaseUrl ? openPostgres(databaseUrl) : openPglite(dataDir);
}
