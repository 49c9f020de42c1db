// The rules of the signed-in pages the service worker keeps for a warm start (src/service-worker.ts):
// which user a page belongs to, which user this browser's session cookie names, and the mark a kept
// page carries so that the app reads the database again once it runs (src/routes/+layout.svelte).

/** Set by the server (src/hooks.server.ts) on a signed-in page: the user the Auth server confirmed. */
export const PAGE_USER_HEADER = 'x-spotter-user';

/** On `<html>` of a page served from the service worker's copy (`data-kept-page`). */
export const KEPT_PAGE_ATTRIBUTE = 'data-kept-page';

/**
 * Which addresses are kept: the list and the conversations. Their views read the database as soon
 * as they run and follow what it says. Other pages (a trainee's profile, Settings, Broadcast)
 * start their forms from the page's data once. Shown from a kept copy, they would then measure
 * their edits against what the server said at an earlier visit: a note saved since would still be
 * the one to compare with, so "Save" stayed disabled (tests/e2e/profile-settings.spec.ts).
 */
export function isKeptAddress(pathname: string): boolean {
	return pathname === '/messages' || pathname.startsWith('/messages/');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** @supabase/ssr's session cookie, whole or in chunks (`….0`, `….1`, …). */
const AUTH_COOKIE = /^(sb-.+-auth-token)(?:\.(\d+))?$/;
const BASE64_PREFIX = 'base64-';

/**
 * The user id of the session stored in this browser's cookies, as @supabase/ssr writes it, or null
 * when there is none, it cannot be read, or there is more than one. Only chooses which kept page may
 * be shown: the server and the Auth server still check the session on every request.
 */
export function sessionUserId(cookies: readonly { name: string; value: string }[]): string | null {
	const chunks = new Map<string, Map<number, string>>();
	for (const { name, value } of cookies) {
		const match = AUTH_COOKIE.exec(name);
		if (!match) continue;
		const parts = chunks.get(match[1]!) ?? new Map<number, string>();
		parts.set(match[2] === undefined ? -1 : Number(match[2]), value);
		chunks.set(match[1]!, parts);
	}
	if (chunks.size !== 1) return null;
	const [parts] = chunks.values();
	let value = parts!.get(-1);
	if (value === undefined) {
		value = '';
		for (let i = 0; parts!.has(i); i++) value += parts!.get(i);
	}
	try {
		const raw = decodeURIComponent(value);
		const json = raw.startsWith(BASE64_PREFIX) ? fromBase64Url(raw.slice(BASE64_PREFIX.length)) : raw;
		const id = (JSON.parse(json) as { user?: { id?: unknown } } | null)?.user?.id;
		return typeof id === 'string' && UUID.test(id) ? id : null;
	} catch {
		// Not a session @supabase/ssr wrote: no kept page is shown, the server decides.
		return null;
	}
}

function fromBase64Url(text: string): string {
	const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
	const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
	return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The page's HTML as kept: `<html>` marked, so the app knows it started from a copy. */
export function markKept(html: string): string | null {
	const at = html.search(/<html[\s>]/i);
	if (at === -1) return null;
	return `${html.slice(0, at + 5)} ${KEPT_PAGE_ATTRIBUTE}${html.slice(at + 5)}`;
}

/** A stylesheet link as SvelteKit renders it in a page's head. */
const STYLESHEET_LINK = /<link href="([^"]+\.css)" rel="stylesheet">/g;

/**
 * The page with its stylesheets written into it (`css` answers a stylesheet's text, or null to leave
 * its link): a kept page then starts without one request per stylesheet, which at 4× CPU held the
 * parser up by ~150 ms. Only stylesheets without `url()` (which would resolve against the page).
 */
export async function inlineStylesheets(
	html: string,
	css: (href: string) => Promise<string | null>
): Promise<string> {
	const links = [...html.matchAll(STYLESHEET_LINK)];
	const texts = await Promise.all(links.map(([, href]) => css(href!)));
	let at = 0;
	let out = '';
	links.forEach((link, i) => {
		const text = texts[i];
		if (text == null || text.includes('url(') || text.includes('</style')) return;
		out += html.slice(at, link.index) + `<style data-href="${link[1]}">${text}</style>`;
		at = link.index + link[0].length;
	});
	return out + html.slice(at);
}
