import { AuthApiError, AuthRetryableFetchError, AuthSessionMissingError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { rejectedByAuth } from './session-check';

describe('a failed session check', () => {
	it('means signed out when the Auth server rejects the token or finds no session', () => {
		expect(rejectedByAuth(new AuthApiError('invalid JWT', 403, 'bad_jwt'))).toBe(true);
		expect(rejectedByAuth(new AuthApiError('session not found', 403, 'session_not_found'))).toBe(true);
		expect(rejectedByAuth(new AuthSessionMissingError())).toBe(true);
	});

	it('is an outage when the Auth server cannot be reached or fails', () => {
		expect(rejectedByAuth(new AuthRetryableFetchError('fetch failed', 0))).toBe(false);
		expect(rejectedByAuth(new AuthApiError('unexpected failure', 500, 'unexpected_failure'))).toBe(false);
	});
});
