/**
 * Where to go after signing in or following an emailed link: a path on this site only, never
 * another origin. An absolute URL is accepted when it is on `origin` (this site), as the `next`
 * of an emailed link may be.
 */
export function safeRedirect(target: string | null, fallback = '/messages', origin?: string): string {
	if (!target) return fallback;
	if (origin && /^https?:\/\//i.test(target)) {
		const url = URL.parse(target);
		return url && url.origin === origin
			? safeRedirect(url.pathname + url.search + url.hash, fallback)
			: fallback;
	}
	if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
	return target;
}
