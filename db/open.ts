// For code that runs on either backend (localbase, the suites, the benchmarks): a Postgres server
// when a URL is given, else embedded PGlite. They differ where such code must know which it holds:
// PGlite is one connection (transactions queue, no parallelism) and has no statement_timeout.
import { openPglite, type PgliteDb } from './pglite.ts';
import { openPostgres, type PostgresDb } from './postgres.ts';

/** A database opened by either adapter; `kind` says which. */
export type AnyDb = PgliteDb | PostgresDb;

export function openDb(databaseUrl: string | undefined, dataDir?: string, label?: string): Promise<AnyDb> {
	return databaseUrl ? openPostgres(databaseUrl, undefined, label) : openPglite(dataDir);
}
