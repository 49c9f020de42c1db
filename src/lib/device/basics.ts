// What pages read of the device stores synchronously: their sizes and naming rules. Apart from
// last-seen.ts and outbox.ts (which re-export them) so that importing these does not load the
// stores and idb with the page (they load on demand: on-demand.ts).

/** How many of a conversation's newest messages are kept for offline reading. */
export const KEPT_MESSAGES = 50;
/** How many conversations of the list are kept for offline reading. */
export const KEPT_CONVERSATIONS = 30;
/** A copy changed again within this long of its last write is written once, at its end (see throttle.ts). */
export const WRITE_DELAY_MS = 200;

/** Where a conversation's unsent messages are kept on the device before it exists. */
export function newThread(recipientId: string): string {
	return `new:${recipientId}`;
}

/** Whether a device write failed because the browser's storage for this site is full. */
export function isQuotaExceeded(error: unknown): boolean {
	return (
		error instanceof DOMException &&
		(error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED')
	);
}
