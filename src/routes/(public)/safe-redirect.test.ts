import { describe, expect, it } from 'vitest';
import { safeRedirect } from './safe-redirect';

describe('the redirect after signing in', () => {
	it('keeps paths on this site', () => {
		expect(safeRedirect('/messages/abc?x=1')).toBe('/messages/abc?x=1');
	});

	it('refuses other origins and falls back to the messages', () => {
		for (const target of ['https://evil.test/', '//evil.test', '/\\evil.test', 'javascript:alert(1)', null]) {
			expect(safeRedirect(target)).toBe('/messages');
		}
	});

	it('takes an absolute URL only on this site, as its path', () => {
		const origin = 'http://127.0.0.1:4873';
		expect(safeRedirect('http://127.0.0.1:4873/auth/reset-password?x=1', '/messages', origin)).toBe(
			'/auth/reset-password?x=1'
		);
		for (const target of [
			'http://127.0.0.1:4874/settings',
			'https://127.0.0.1:4873/settings',
			'http://evil.test/settings',
			'http://127.0.0.1:4873@evil.test/'
		]) {
			expect(safeRedirect(target, '/messages', origin)).toBe('/messages');
		}
	});
});
