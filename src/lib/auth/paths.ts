import type { ResolvedPathname } from '$app/types';

/** A path of this app (from resolve()) with a query string added: still a path of this app. */
export function withQuery(
	path: ResolvedPathname,
	query: Record<string, string> | URLSearchParams
): ResolvedPathname {
	return `${path}?${new URLSearchParams(query)}` as ResolvedPathname;
}
