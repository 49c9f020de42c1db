// Signing out — of this device, or of every device (`scope`) — in the order that leaves nothing of
// the user behind here: notifications off for this device (the next person using this browser must
// not get this user's messages), the Auth session ended (with `global`, every session of the user:
// the other devices find out through the session watch), then the pages and last-seen data kept
// for offline use forgotten (they belong to the user who left; unsent messages stay in the outbox
// for when they come back).
import * as lastSeen from '$lib/device/last-seen';
import { failed, ok, type Result } from '$lib/data/result';
import { describeAuthError } from '$lib/errors';
import { forgetDevice } from '$lib/push/device';
import type { Supabase } from '$lib/supabase/types';
import { clearPages } from '$lib/worker-messages';
import { expectSignOut } from './session-watch';

/** The error code when this device could not be unregistered from notifications. */
export const NOTIFICATIONS_KEPT = 'notifications-kept';

export interface SignOutOptions {
	/** The user chose to go on although notifications cannot be turned off here. */
	anyway?: boolean;
	/** `local`: this device only; `global`: every device the user is signed in on. */
	scope?: 'local' | 'global';
}

/**
 * Signs the user out of this device (or of all of them). Stops before ending the session when
 * notifications cannot be turned off here (error code NOTIFICATIONS_KEPT), unless `anyway`: then
 * the user decided.
 */
export async function signOut(
	supabase: Supabase,
	userId: string,
	{ anyway = false, scope = 'local' }: SignOutOptions = {}
): Promise<Result<void>> {
	const forgotten = await forgetDevice(supabase);
	if (!forgotten.ok && !anyway) {
		return failed({
			code: NOTIFICATIONS_KEPT,
			message: `Notifications could not be turned off on this device, so it may keep showing your messages after you sign out. ${forgotten.error.message}`,
			retryable: true
		});
	}
	const done = expectSignOut();
	try {
		const { error } = await supabase.auth.signOut({ scope });
		if (error) return failed(describeAuthError(error));
	} finally {
		done();
	}
	navigator.serviceWorker?.controller?.postMessage(clearPages);
	await lastSeen.forget(userId);
	return ok(undefined);
}
