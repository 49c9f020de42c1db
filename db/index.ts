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

export interface ListenOptions {
	/**
	 * Called each time LISTEN is in place again after its connection was lost. Notifications sent
	 * while it was down are gone (NOTIFY is not queued for a listener that is not connected), so
	 * the caller must catch up by other means.
	 */
	onReconnect?: () => void;
}

export interface Db extends Queryable {
	/** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	/**
	 * Calls `onPayload` for each NOTIFY on `channel`; resolves to an unsubscribe function. A lost
	 * connection is re-opened with backoff until unsubscribed (see ListenOptions.onReconnect).
	 */
	listen(
		channel: string,
		onPayload: (payload: string) => void,
		options?: ListenOptions
	): Promise<() => Promise<void>>;
	close(): Promise<void>;
}

/**
 * SQLSTATEs that mean the connection, not the statement, failed: class 08 (connection exception)
 * and the server shutting a backend down (admin_shutdown 57P01 — pg_terminate_backend —,
 * crash_shutdown 57P02, cannot_connect_now 57P03). A request that meets one can be tried again.
 */
export function isConnectionFailure(err: unknown): boolean {
	const code = (err as { code?: unknown } | null)?.code;
	return typeof code === 'string' && (code.startsWith('08') || /^57P0[123]$/.test(code));
}
