import { describe, expect, it } from 'vitest';
import { describeStorageError } from './upload';

const body = (statusCode: string, message: string) =>
	JSON.stringify({ statusCode, code: 'x', error: 'x', message });

describe('Storage’s answers to an upload', () => {
	it('counts an object already at the key as uploaded (my own earlier try)', () => {
		expect(describeStorageError(400, body('409', 'The resource already exists'))).toEqual({ ok: true });
		expect(describeStorageError(409, '')).toEqual({ ok: true });
	});

	it('reads the real status from the body, not the HTTP 400', () => {
		expect(describeStorageError(400, body('413', 'The object exceeded the maximum allowed size'))).toEqual({
			ok: false,
			cancelled: false,
			message: 'The server refused this file as too large.',
			retryable: false
		});
		expect(
			describeStorageError(400, body('415', 'mime type application/zip is not supported'))
		).toMatchObject({
			message: 'The server does not accept this type of file.',
			retryable: false
		});
		expect(
			describeStorageError(400, body('403', 'new row violates row-level security policy'))
		).toMatchObject({
			ok: false,
			retryable: true
		});
	});

	it('lets a busy or unreachable server be retried', () => {
		expect(describeStorageError(503, 'Service Unavailable')).toMatchObject({ ok: false, retryable: true });
		expect(describeStorageError(0, '')).toMatchObject({ ok: false, retryable: true });
	});
});
