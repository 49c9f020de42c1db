// Starting the push dispatcher: the one function the app's production server (hooks.server.ts),
// `npm run dev` (scripts/dev.ts) and the standalone worker (scripts/push-dispatcher.ts) all call,
// so the key rule (vapid.ts) and the checks below hold wherever a dispatcher runs.
import { openPostgres } from '../../../../db/postgres.ts';
import { serviceRoleKey } from '../service-role.ts';
import { startStorageRemovals, storageApiRemover, type StorageRemovals } from '../storage-removals.ts';
import { startPushDispatcher, type PushDb, type PushDispatcher } from './dispatcher.ts';
import { loadVapidKeys, type Env, type VapidKeys } from './vapid.ts';

export interface StartPushOptions {
	/** Where NODE_ENV, VAPID_* and DATABASE_URL are read (usually process.env). */
	env: Env;
	/** Where the development key pair is generated once and then reused, outside production when
	 * VAPID_* are unset. */
	devKeysFile: string;
	/** The database to drain. Default: a pool of its own on DATABASE_URL, closed by stop(). */
	db?: PushDb;
	/** The key the pages served by this process subscribe with (PUBLIC_VAPID_PUBLIC_KEY), if any:
	 * it must be the dispatcher's, or no push would ever be accepted for those subscriptions. */
	browserPublicKey?: string;
	/** Safety-net sweep interval (default 30 s). */
	sweepMs?: number;
	/** The Supabase API whose Storage the removal worker calls (default PUBLIC_SUPABASE_URL or
	 * SUPABASE_URL); with none, or no service key for a remote one, no removal worker runs. */
	supabaseUrl?: string;
	/** How often the removal worker looks for due removals (default 60 s). */
	removalsIntervalMs?: number;
}

export interface RunningPush {
	dispatcher: PushDispatcher;
	vapid: VapidKeys;
	/** The development file the keys came from; undefined when they came from VAPID_*. */
	devKeysFile?: string;
	/** The storage-removal worker beside the dispatcher, when a Storage API and its key are known. */
	removals?: StorageRemovals;
	/** Stops the dispatcher (in-flight pushes finish), then closes the pool it opened. */
	stop(): Promise<void>;
}

/**
 * Starts the push dispatcher. Throws, before touching the database, when the keys break the rule
 * (production without VAPID_*), when the browsers' public key differs, or when there is no database.
 */
export async function startPush(options: StartPushOptions): Promise<RunningPush> {
	const { env } = options;
	const { keys: vapid, devKeysFile } = await loadVapidKeys(env, options.devKeysFile);
	if (options.browserPublicKey && options.browserPublicKey !== vapid.publicKey) {
		throw new Error(
			'PUBLIC_VAPID_PUBLIC_KEY differs from VAPID_PUBLIC_KEY: browsers would subscribe with the wrong key.'
		);
	}
	if (!options.db && !env.DATABASE_URL) {
		throw new Error('The push dispatcher needs a database: set DATABASE_URL.');
	}
	const pool = options.db ? undefined : await openPostgres(env.DATABASE_URL as string, 4, 'push');
	const db = options.db ?? pool!;
	const dispatcher = startPushDispatcher({ db, vapid, sweepMs: options.sweepMs });
	// Files leave through the Storage API with the service key, in this same process.
	const supabaseUrl = options.supabaseUrl ?? env.PUBLIC_SUPABASE_URL ?? env.SUPABASE_URL;
	const key = supabaseUrl ? serviceRoleKey(supabaseUrl, env) : null;
	const removals =
		supabaseUrl && key
			? startStorageRemovals({
					db,
					remover: storageApiRemover(supabaseUrl, key),
					intervalMs: options.removalsIntervalMs
				})
			: undefined;
	if (!removals) {
		console.warn(
			'[storage-removals] not running: set PUBLIC_SUPABASE_URL and SUPABASE_SECRET_KEY (or SUPABASE_SERVICE_ROLE_KEY) to remove deleted and unattached files'
		);
	}
	return {
		dispatcher,
		vapid,
		devKeysFile,
		removals,
		stop: async () => {
			await dispatcher.stop();
			await removals?.stop();
			await pool?.close();
		}
	};
}

/** Why the app's production server runs no dispatcher, or undefined when it runs one. */
export function serverSkipReason(env: Env): string | undefined {
	if (env.PUSH_DISPATCHER === 'off') return 'PUSH_DISPATCHER=off';
	if (!env.DATABASE_URL) return 'no DATABASE_URL';
	return undefined;
}
