// After the account is deleted, nothing of it stays on this device: the push subscription (its row
// went with the account; the browser's own subscription is ended too), the cached pages, what the
// device last saw, the drafts and the unsent messages, which can never be sent now.
import * as drafts from '$lib/device/drafts';
import * as lastSeen from '$lib/device/last-seen';
import * as outbox from '$lib/device/outbox';
import { clearPages } from '$lib/worker-messages';

export async function forgetAccount(userId: string): Promise<void> {
	drafts.forget(userId);
	navigator.serviceWorker?.controller?.postMessage(clearPages);
	const registration = await navigator.serviceWorker?.getRegistration();
	const subscription = await registration?.pushManager.getSubscription();
	await Promise.all([subscription?.unsubscribe(), lastSeen.forget(userId), outbox.forget(userId)]);
}
