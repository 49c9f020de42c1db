/** Where to go after signing in: a path on this site only, never another origin. */
export function safeRedirect(target: string | null, fallback = '/messages'): string {
	if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\'))
		return fallback;
	return target;
}
