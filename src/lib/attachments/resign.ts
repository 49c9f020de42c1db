// Signed URLs of attachments expire (an hour: SIGNED_URL_SECONDS), and a chat may stay open longer.
// A photo, video or voice note whose URL fails to load asks for a fresh one, once: a URL this
// refresher signed that fails while still valid did not expire (deleted, or a video this browser
// cannot play), and signing again would only loop. The components reach the chat's refresher
// through a Svelte context, so the message bubble between them needs no new prop.
import { getContext, setContext } from 'svelte';

/** How long a signed URL of an attachment stays valid (the chat asks again after it). */
export const SIGNED_URL_SECONDS = 60 * 60;

/** Asks for a fresh signed URL of `path` after `failedUrl` failed to load; resolves to whether one came. */
export type RefreshUrl = (path: string, failedUrl: string) => Promise<boolean>;

/**
 * A refresher: `sign` signs paths (null when it could not: offline, refused), `keep` stores a fresh
 * URL where the components read it; `validMs` is how long a signed URL lasts.
 */
export function urlRefresher(
	sign: (paths: string[]) => Promise<ReadonlyMap<string, string> | null>,
	keep: (path: string, url: string) => void,
	validMs: number,
	now: () => number = Date.now
): RefreshUrl {
	const handled = new Set<string>();
	/** When this refresher last signed each path. */
	const signedAt = new Map<string, number>();
	return async (path, failedUrl) => {
		if (handled.has(failedUrl)) return false;
		handled.add(failedUrl);
		const last = signedAt.get(path);
		if (last !== undefined && now() - last < validMs) return false;
		signedAt.set(path, now());
		const fresh = (await sign([path]))?.get(path);
		if (!fresh || fresh === failedUrl) return false;
		keep(path, fresh);
		return true;
	};
}

const KEY = Symbol('refresh-media-url');

/** Offers the refresher to the media components below (the chat view calls this). */
export function provideUrlRefresh(refresh: RefreshUrl): void {
	setContext(KEY, refresh);
}

/** The refresher of the chat around this component; without one, a failed URL stays failed. */
export function urlRefresh(): RefreshUrl {
	return getContext<RefreshUrl | undefined>(KEY) ?? (async () => false);
}
