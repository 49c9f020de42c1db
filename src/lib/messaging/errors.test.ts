import { describe, expect, it } from 'vitest';
import { describeApiError, describeAuthError } from './errors';

describe('database errors', () => {
	it('explain every error code the database raises', () => {
		for (const code of [
			'SP001',
			'SP002',
			'SP003',
			'SP004',
			'SP005',
			'SP006',
			'SP007',
			'SP008',
			'SP010',
			'SP011',
			'SP012'
		]) {
			const error = describeApiError({ code, message: 'raw database text' });
			expect(error.code).toBe(code);
			expect(error.message).not.toContain('raw database text');
			expect(error.message).toMatch(/^[A-Z].*\.$/);
		}
	});

	it('let the rate limit be retried but not an archived conversation', () => {
		expect(describeApiError({ code: 'SP005' }).retryable).toBe(true);
		expect(describeApiError({ code: 'SP002' }).retryable).toBe(false);
	});

	it('recognise a request that never reached the server as offline', () => {
		const error = describeApiError({ code: '', message: 'TypeError: Failed to fetch', status: 0 });
		expect(error.code).toBe('offline');
		expect(error.retryable).toBe(true);
	});

	it('name unknown codes without inventing a reason', () => {
		expect(describeApiError({ code: 'XX000', message: 'boom' }).message).toBe(
			'Something went wrong (XX000). Try again in a moment.'
		);
	});
});

describe('auth errors', () => {
	it('explain wrong credentials and taken emails in words', () => {
		expect(describeAuthError({ code: 'invalid_credentials' }).message).toMatch(/do not match/);
		expect(describeAuthError({ code: 'user_already_exists' }).message).toMatch(/already exists/);
	});
});
