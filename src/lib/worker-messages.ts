// The messages the app posts to its service worker (src/service-worker.ts), defined once for both.

/** Sent on sign-out: the cached pages hold the previous user's data. */
export const clearPages = { type: 'spotter:clear-pages' } as const;

export function isClearPages(data: unknown): boolean {
	return (data as { type?: unknown } | null)?.type === clearPages.type;
}
