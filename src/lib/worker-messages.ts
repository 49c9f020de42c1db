// The messages the app posts to its service worker (src/service-worker.ts), defined once for both.

/** Sent on sign-out and account deletion: the kept pages hold the user's data. */
export const clearPages = { type: 'spotter:clear-pages' } as const;

export function isClearPages(data: unknown): boolean {
	return (data as { type?: unknown } | null)?.type === clearPages.type;
}

/**
 * Sent after the app went to a signed-in address without a page load (a link, a redirect in the
 * app): the worker asks the server for that page once, so that the next start there is warm too.
 */
export function keepPage(path: string) {
	return { type: 'spotter:keep-page', path } as const;
}

/** The address of a keep-page message: a path on this origin, or null for anything else. */
export function keptPath(data: unknown): string | null {
	const message = data as { type?: unknown; path?: unknown } | null;
	if (message?.type !== 'spotter:keep-page' || typeof message.path !== 'string') return null;
	return message.path.startsWith('/') && !message.path.startsWith('//') ? message.path : null;
}
