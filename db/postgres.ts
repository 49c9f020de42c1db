// The Postgres server adapter: a connection pool with transactions, and LISTEN on a connection of
// its own. The app's server imports only this adapter (never PGlite).
import pg from 'pg';
import type { Db, Queryable } from './index.ts';

/** A pooled Postgres server connection; `kind` tells it apart from PGlite where both can occur. */
export interface PostgresDb extends Db {
	readonly kind: 'postgres';
}

/** int8 as a JavaScript number when it is safe, the same on both backends. */
function parseInt8(value: string): number | string {
	const n = Number(value);
	return Number.isSafeInteger(n) ? n : value;
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

/** `label` prefixes its log lines (who owns the pool: localbase, the push dispatcher…). */
export async function openPostgres(url: string, max = 10, label = 'postgres'): Promise<PostgresDb> {
	const types = {
		getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
			oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
	};
	const pool = new pg.Pool({ connectionString: url, max, types });
	// An idle client that errors (server restart) must not crash the process; the pool drops it.
	pool.on('error', (err) => console.error(`[${label}] idle database connection failed:`, err.message));
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
					console.error(`[${label}] rollback failed, discarding the connection:`, rollbackError);
				}
				throw err;
			} finally {
				client.release(broken);
			}
		},
		listen: async (channel, onPayload) => {
			const client = new pg.Client({ connectionString: url });
			client.on('error', (err) => console.error(`[${label}] LISTEN ${channel} failed:`, err.message));
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
