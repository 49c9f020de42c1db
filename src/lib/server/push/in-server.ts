// The push dispatcher inside the production Node server (adapter-node): started from
// hooks.server.ts `init` when DATABASE_URL names the Spotter database, with VAPID_* keys from the
// environment. PUSH_DISPATCHER=off leaves it to scripts/push-dispatcher.ts instead.
import { openPostgres } from '../../../../db/postgres.ts';
import { startPushDispatcher, type PushDispatcher } from './dispatcher.ts';
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
export async function startDispatcherFromEnv(
	env: Env
): Promise<{ dispatcher: PushDispatcher; stop: () => Promise<void> } | undefined> {
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
	const db = await openPostgres(env.DATABASE_URL as string, 4, 'push');
	const dispatcher = startPushDispatcher({ db, vapid });
	return {
		dispatcher,
		stop: async () => {
			await dispatcher.stop();
			await db.close();
		}
	};
}
