// The push dispatcher inside the production Node server (adapter-node): started from
// hooks.server.ts `init` when DATABASE_URL names the Spotter database, with VAPID_* keys from the
// environment. PUSH_DISPATCHER=off leaves it to scripts/push-dispatcher.ts instead.
import pg from 'pg';
import { startPushDispatcher, type PushDb, type PushDispatcher } from './dispatcher.ts';
import { vapidFromEnv } from './vapid.ts';

export type Env = Record<string, string | undefined>;

/** Why the server starts no dispatcher, or undefined when it should start one. */
export function dispatcherSkipReason(env: Env): string | undefined {
	if (env.PUSH_DISPATCHER === 'off') return 'PUSH_DISPATCHER=off';
	if (!env.DATABASE_URL) return 'no DATABASE_URL';
	return undefined;
}

/**
 * Starts the dispatcher when a database connection is configured. Throws (so the server refuses
 * to start) when DATABASE_URL is set but the VAPID keys are missing or malformed.
 */
export function startDispatcherFromEnv(
	env: Env
): { dispatcher: PushDispatcher; stop: () => Promise<void> } | undefined {
	if (dispatcherSkipReason(env)) return undefined;
	const vapid = vapidFromEnv(env);
	if (!vapid) {
		throw new Error(
			'DATABASE_URL is set, so this server runs the push dispatcher, but VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY ' +
				'and VAPID_SUBJECT are not. Set them (npx web-push generate-vapid-keys), or set PUSH_DISPATCHER=off.'
		);
	}
	if (env.PUBLIC_VAPID_PUBLIC_KEY && env.PUBLIC_VAPID_PUBLIC_KEY !== vapid.publicKey) {
		throw new Error(
			'PUBLIC_VAPID_PUBLIC_KEY differs from VAPID_PUBLIC_KEY: browsers would subscribe with the wrong key.'
		);
	}
	const db = openPushDb(env.DATABASE_URL as string);
	const dispatcher = startPushDispatcher({ db, vapid });
	return {
		dispatcher,
		stop: async () => {
			await dispatcher.stop();
			await db.close();
		}
	};
}

/** bigint (int8) as a JS number: outbox ids and counts stay far below 2^53. */
function parseInt8(value: string): number {
	return Number.parseInt(value, 10);
}

/** A pg pool for the dispatcher's queries and one dedicated connection for LISTEN. */
export function openPushDb(url: string): PushDb & { close(): Promise<void> } {
	const types = {
		getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
			oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
	};
	const pool = new pg.Pool({ connectionString: url, max: 4, types });
	// An idle connection that fails (database restart) must not crash the server; the pool drops it.
	pool.on('error', (err) => console.error('[push] idle database connection failed:', err.message));
	const listeners = new Set<pg.Client>();
	return {
		query: async <T>(sql: string, params?: unknown[]) => {
			const result = await pool.query(sql, params);
			return { rows: result.rows as T[] };
		},
		listen: async (channel, onPayload) => {
			const client = new pg.Client({ connectionString: url, types });
			// A lost LISTEN connection leaves the interval sweep to pick rows up; say so loudly.
			client.on('error', (err) =>
				console.error(
					`[push] LISTEN ${channel} connection failed (sweeping only until restart):`,
					err.message
				)
			);
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
