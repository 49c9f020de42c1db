// The embedded PGlite adapter (Postgres compiled to WebAssembly, with pgcrypto and unaccent, the
// extensions the platform SQL and the migrations create): a single
// connection, so every transaction is serialized. In memory without `dataDir`.
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import type { Db, Queryable } from './index.ts';

/** Embedded PGlite; `kind` tells it apart from a Postgres server where both can occur. */
export interface PgliteDb extends Db {
	readonly kind: 'pglite';
}

/** The database itself or one of its transactions, as a Queryable. */
function wrap(target: PGlite | Transaction): Queryable {
	return {
		query: async (sql, params) => {
			const r = await target.query(sql, params as unknown[]);
			return { rows: r.rows as never[], rowCount: r.affectedRows ?? r.rows.length, fields: r.fields };
		},
		exec: async (sql) => {
			await target.exec(sql);
		}
	};
}

export async function openPglite(dataDir?: string): Promise<PgliteDb> {
	// PGlite creates the data directory itself, but not its parents (a fresh clone has no .localbase/).
	if (dataDir) await mkdir(dataDir, { recursive: true });
	const lite = await PGlite.create({ dataDir, extensions: { pgcrypto, unaccent } });
	return {
		kind: 'pglite',
		...wrap(lite),
		transaction: (fn) => lite.transaction((tx) => fn(wrap(tx))),
		// One in-process connection: there is no LISTEN connection to lose, so no reconnect to report.
		listen: async (channel, onPayload) => {
			const unsubscribe = await lite.listen(channel, onPayload);
			return async () => unsubscribe();
		},
		close: () => lite.close()
	};
}
