// One interface over the two Postgres backends localbase runs on: embedded PGlite (a single
// connection, so every transaction is serialized) and a Postgres server (a pool, in parallel,
// from src/lib/server/postgres.ts, which the app's server shares).
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { openPostgres, type Db } from '../src/lib/server/postgres.ts';

export { openPostgres };
export type { Db, Queryable, QueryResult } from '../src/lib/server/postgres.ts';

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

export function openDb(databaseUrl: string | undefined, dataDir?: string): Promise<Db> {
	return databaseUrl ? openPostgres(databaseUrl) : openPglite(dataDir);
}
