// The database interface every part of Spotter shares: the app's server (the push dispatcher),
// localbase, the tests and the benchmarks. Two adapters implement it: db/postgres.ts (a pooled
// Postgres server, the only one the app's server bundle imports) and db/pglite.ts (embedded PGlite,
// for localbase and the suites); db/open.ts picks one for code that runs on either.

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
	/** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	/** Calls `onPayload` for each NOTIFY on `channel`; resolves to an unsubscribe function. */
	listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
	close(): Promise<void>;
}
