import { createChunks, stringToBase64URL } from '@supabase/ssr';
import { describe, expect, it } from 'vitest';
import { inlineStylesheets, isKeptAddress, KEPT_PAGE_ATTRIBUTE, markKept, sessionUserId } from './kept-pages';

const id = '10000000-0000-4000-8000-000000000001';
const key = 'sb-127-auth-token';

/** The session cookies as @supabase/ssr writes them (base64url, chunked past its size limit). */
function cookiesFor(session: object, encode = true) {
	const json = JSON.stringify(session);
	return createChunks(key, encode ? `base64-${stringToBase64URL(json)}` : json);
}

describe('which user the session cookie names', () => {
	it('reads the user of a session stored in one cookie', () => {
		const cookies = cookiesFor({ access_token: 'a', user: { id } });
		expect(cookies).toHaveLength(1);
		expect(sessionUserId(cookies)).toBe(id);
	});

	it('reads a session split into chunks, in their order', () => {
		const cookies = cookiesFor({ access_token: 'a'.repeat(6000), user: { id, name: 'Ünïcode' } });
		expect(cookies.length).toBeGreaterThan(1);
		expect(sessionUserId([...cookies].reverse())).toBe(id);
	});

	it('reads a session stored as plain JSON (the older cookie encoding)', () => {
		const [cookie] = cookiesFor({ user: { id } }, false);
		expect(sessionUserId([{ name: cookie!.name, value: encodeURIComponent(cookie!.value) }])).toBe(id);
	});

	it('names nobody without a session cookie, with a broken one, or with two sessions', () => {
		expect(sessionUserId([{ name: 'theme', value: 'dark' }])).toBeNull();
		expect(sessionUserId([{ name: key, value: 'base64-!!!' }])).toBeNull();
		expect(
			sessionUserId([{ name: key, value: 'base64-' + stringToBase64URL('{"user":{"id":"me"}}') }])
		).toBeNull();
		expect(
			sessionUserId([...cookiesFor({ user: { id } }), { name: 'sb-other-auth-token', value: 'x' }])
		).toBeNull();
		// A chunk missing in the middle leaves JSON that does not parse.
		const chunks = cookiesFor({ access_token: 'a'.repeat(8000), user: { id } });
		expect(sessionUserId(chunks.filter((c) => !c.name.endsWith('.1')))).toBeNull();
	});
});

describe('the mark of a kept page', () => {
	it('marks the html element and nothing else', () => {
		const html = '<!doctype html>\n<html lang="en"><head></head><body><p>html</p></body></html>';
		const kept = markKept(html);
		expect(kept).toBe(
			`<!doctype html>\n<html ${KEPT_PAGE_ATTRIBUTE} lang="en"><head></head><body><p>html</p></body></html>`
		);
	});

	it('refuses a body that is not a page', () => {
		expect(markKept('{"type":"data"}')).toBeNull();
	});
});

describe('the stylesheets of a kept page', () => {
	const page =
		'<head><link href="/_app/a.css" rel="stylesheet">\n<link href="/_app/b.css" rel="stylesheet"><link href="/_app/c.css" rel="stylesheet"></head>';

	it('are written into the page in their order, each where its link was', async () => {
		const css: Record<string, string> = {
			'/_app/a.css': '.a{}',
			'/_app/b.css': '.b{}',
			'/_app/c.css': '.c{}'
		};
		expect(await inlineStylesheets(page, async (href) => css[href] ?? null)).toBe(
			'<head><style data-href="/_app/a.css">.a{}</style>\n<style data-href="/_app/b.css">.b{}</style><style data-href="/_app/c.css">.c{}</style></head>'
		);
	});

	it('keep their link when the text is missing, names other files, or could end the style element', async () => {
		const css: Record<string, string> = {
			'/_app/b.css': '.b{background:url(x.png)}',
			'/_app/c.css': '.c{}</style><p>'
		};
		expect(await inlineStylesheets(page, async (href) => css[href] ?? null)).toBe(page);
	});
});

describe('isKeptAddress', () => {
	it('keeps the list and the conversations only, not the pages whose forms start from the page data', () => {
		expect(isKeptAddress('/messages')).toBe(true);
		expect(isKeptAddress('/messages/20000000-0000-4000-8000-000000000001')).toBe(true);
		expect(isKeptAddress('/messages/with/10000000-0000-4000-8000-000000000002')).toBe(true);
		for (const other of [
			'/trainees/10000000-0000-4000-8000-000000000002',
			'/settings',
			'/broadcast',
			'/scheduled',
			'/messagesx'
		])
			expect(isKeptAddress(other)).toBe(false);
	});
});
