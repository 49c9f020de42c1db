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
});
