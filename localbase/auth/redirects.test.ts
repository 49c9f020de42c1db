import { describe, expect, test } from 'vitest';
import { chooseRedirect, globToRegExp, isRedirectAllowed } from './redirects.ts';

const auth = {
	siteUrl: 'https://spotter.example',
	additionalRedirectUrls: ['https://*.preview.example/**', 'myapp://callback', 'https://exact.example/path']
};

describe('redirect allow-list', () => {
	test.each([
		['the site itself, any path', 'https://spotter.example/auth/confirm?x=1', true],
		['the site on another scheme', 'http://spotter.example/', false],
		['the site on another port', 'https://spotter.example:8443/', false],
		['a loopback IP on any port', 'http://127.0.0.1:4173/cb', true],
		['IPv6 loopback', 'http://[::1]:3000/', true],
		['another IP literal, even if it were listed', 'http://10.0.0.1/', false],
		['a decimal IP', 'http://2130706433/', false],
		['a glob with * for one label and ** for the path', 'https://pr-12.preview.example/a/b/c', true],
		['* does not cross a dot', 'https://a.b.preview.example/', false],
		['an exact entry', 'https://exact.example/path', true],
		['an exact entry plus more', 'https://exact.example/path/more', false],
		['a custom scheme listed exactly', 'myapp://callback', true],
		['an unlisted host', 'https://evil.example/', false],
		['the fragment is ignored when matching', 'https://exact.example/path#frag', true],
		['not a URL', 'nonsense', false]
	])('%s', (_case, url, allowed) => {
		expect(isRedirectAllowed(auth, url)).toBe(allowed);
	});

	test('a loopback site allows any port of its own host', () => {
		expect(
			isRedirectAllowed(
				{ siteUrl: 'http://localhost:5173', additionalRedirectUrls: [] },
				'http://localhost:4173/x'
			)
		).toBe(true);
	});

	test('an unlisted redirect falls back to the allowed Referer, then to the site URL', () => {
		expect(chooseRedirect(auth, 'https://evil.example/', 'https://spotter.example/from')).toBe(
			'https://spotter.example/from'
		);
		expect(chooseRedirect(auth, 'https://evil.example/', 'https://evil.example/')).toBe(
			'https://spotter.example'
		);
		expect(chooseRedirect(auth, null)).toBe('https://spotter.example');
	});

	test('globs: ? is one non-separator character, [..] a class, {a,b} alternatives', () => {
		expect(globToRegExp('https://a?.test').test('https://ab.test')).toBe(true);
		expect(globToRegExp('https://a?.test').test('https://a..test')).toBe(false);
		expect(globToRegExp('https://[xy].test').test('https://y.test')).toBe(true);
		expect(globToRegExp('https://{one,two}.test').test('https://two.test')).toBe(true);
		expect(globToRegExp('https://{one,two}.test').test('https://three.test')).toBe(false);
	});
});
