// Where Supabase Auth may send a user back to (`redirect_to`): the site URL's own origin, any
// loopback address, or a URL matching `additional_redirect_urls`; anything else falls back to
// `site_url`. The patterns are globs whose separators are `.` and `/`: `*` stops at them, `**`
// crosses them, `?` is one non-separator character, `[…]` a class, `{a,b}` alternatives. No npm
// glob matcher treats `.` as a separator, so the pattern is translated to a regular expression here.
import type { AuthSettings } from '../config.ts';

const loopbackNames = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::', '[::]']);
const regularHostname = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

function isLoopbackIp(host: string): boolean {
	const h = host.replace(/^\[|\]$/g, '');
	if (h === '::1') return true;
	return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const isIpLiteral = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');

export function isRedirectAllowed(
	auth: Pick<AuthSettings, 'siteUrl' | 'additionalRedirectUrls'>,
	redirect: string
): boolean {
	if (!redirect) return false;
	let target: URL;
	let site: URL;
	try {
		target = new URL(redirect);
		site = new URL(auth.siteUrl);
	} catch {
		return false;
	}
	// The site itself: same scheme and host, and the same port unless the host is a loopback name.
	if (
		target.hostname === site.hostname &&
		target.protocol === site.protocol &&
		(target.port === site.port || loopbackNames.has(target.hostname))
	) {
		return true;
	}
	const http = target.protocol === 'http:' || target.protocol === 'https:';
	// The host as written: WHATWG URL parsing turns a decimal host such as 2130706433 into an IP.
	const host = rawHostname(redirect) ?? target.hostname;
	if (/^[0-9]+$/.test(host)) return false;
	if (isIpLiteral(host)) return isLoopbackIp(host);
	if (http && !regularHostname.test(host)) return false;
	const withoutFragment = redirect.split('#')[0];
	return auth.additionalRedirectUrls.some((pattern) => globToRegExp(pattern).test(withoutFragment));
}

function rawHostname(url: string): string | undefined {
	const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1];
	if (authority === undefined) return undefined;
	const host = authority.slice(authority.lastIndexOf('@') + 1);
	return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

/** The redirect Auth uses: `redirect_to` when allowed, else the Referer when allowed, else the site URL. */
export function chooseRedirect(
	auth: Pick<AuthSettings, 'siteUrl' | 'additionalRedirectUrls'>,
	requested: string | null | undefined,
	referer?: string
): string {
	if (requested && isRedirectAllowed(auth, requested)) return requested;
	if (referer && isRedirectAllowed(auth, referer)) return referer;
	return auth.siteUrl;
}

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
	const cached = cache.get(pattern);
	if (cached) return cached;
	const sep = '[^./]';
	let out = '';
	let depth = 0;
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && i + 1 < pattern.length) {
			out += escapeRe(pattern[++i]);
		} else if (c === '*') {
			if (pattern[i + 1] === '*') {
				while (pattern[i + 1] === '*') i++;
				out += '.*';
			} else out += `${sep}*`;
		} else if (c === '?') {
			out += sep;
		} else if (c === '[') {
			const end = pattern.indexOf(']', i + 2);
			if (end < 0) {
				out += '\\[';
				continue;
			}
			let body = pattern.slice(i + 1, end);
			const negate = body.startsWith('!');
			if (negate) body = body.slice(1);
			out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
			i = end;
		} else if (c === '{') {
			depth++;
			out += '(?:';
		} else if (c === '}' && depth > 0) {
			depth--;
			out += ')';
		} else if (c === ',' && depth > 0) {
			out += '|';
		} else {
			out += escapeRe(c);
		}
	}
	const re = new RegExp(`^${out}$`);
	cache.set(pattern, re);
	return re;
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
