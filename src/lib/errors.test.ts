import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databaseErrors, describeApiError, describeAuthError } from './errors';

/** The SP… codes the migrations raise (`using errcode = 'SP…'` or `raise sqlstate 'SP…'`). */
function codesRaisedByMigrations(): Set<string> {
	const folder = new URL('../../supabase/migrations/', import.meta.url);
	const codes = new Set<string>();
	for (const file of readdirSync(folder).filter((name) => name.endsWith('.sql'))) {
		const sql = readFileSync(new URL(file, folder), 'utf8').replace(/--.*$/gm, '');
		for (const [, code] of sql.matchAll(/(?:errcode\s*=\s*|raise\s+sqlstate\s+)'(SP\d{3})'/gi)) {
			codes.add(code.toUpperCase());
		}
	}
	return codes;
}

const raised = codesRaisedByMigrations();
const explained = Object.keys(databaseErrors).filter((code) => /^SP\d{3}$/.test(code));

describe('database errors', () => {
	it('are read from the migrations (the scan finds the codes they raise)', () => {
		expect(raised.size).toBeGreaterThan(0);
	});

	it('have a sentence for every code the migrations raise', () => {
		expect([...raised].filter((code) => !explained.includes(code)).sort()).toEqual([]);
	});

	it('are not explained for codes the migrations no longer raise', () => {
		expect(explained.filter((code) => !raised.has(code)).sort()).toEqual([]);
	});

	it('explain every error code the database raises in a sentence, never in the database’s words', () => {
		for (const code of raised) {
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

	it('say that a body the server refuses as too large (413) is too large, not that the user is offline', () => {
		const error = describeApiError({
			code: 'PGRST413',
			message: 'Request body exceeds 1048576 bytes',
			status: 413
		});
		expect(error.code).toBe('too-large');
		expect(error.message).toMatch(/too large/);
		expect(error.retryable).toBe(false);
	});

	it('make a NUL character the database cannot store (22P05) a clear refusal that retrying cannot fix', () => {
		const error = describeApiError({
			code: '22P05',
			message: 'unsupported Unicode escape sequence',
			status: 400
		});
		expect(error.message).toMatch(/NUL character/);
		expect(error.message).not.toMatch(/Something went wrong/);
		expect(error.retryable).toBe(false);
	});

	it('let a request be retried when the server lost its database (503)', () => {
		const error = describeApiError({ code: 'PGRST001', message: 'Database client error.', status: 503 });
		expect(error.code).toBe('unavailable');
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
