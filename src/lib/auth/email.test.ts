import { describe, expect, it } from 'vitest';
import { emailRedirect, emailWaitSeconds } from './email';

describe('waiting before another email', () => {
	it('reads the seconds Auth names when an email is asked for too soon', () => {
		expect(
			emailWaitSeconds({
				code: 'over_email_send_rate_limit',
				status: 429,
				message: 'For security purposes, you can only request this after 37 seconds.'
			})
		).toBe(37);
		expect(
			emailWaitSeconds({
				code: 'over_email_send_rate_limit',
				message: 'you can only request this after 1 second.'
			})
		).toBe(1);
	});

	it('waits a minute when the hourly limit says no number, and not at all for other errors', () => {
		expect(
			emailWaitSeconds({ code: 'over_email_send_rate_limit', message: 'email rate limit exceeded' })
		).toBe(60);
		expect(
			emailWaitSeconds({ code: 'validation_failed', status: 400, message: 'after 5 seconds' })
		).toBeNull();
	});
});

describe('where an emailed link finishes', () => {
	it('is a page of this site', () => {
		expect(emailRedirect('http://127.0.0.1:4873', '/auth/reset-password')).toBe(
			'http://127.0.0.1:4873/auth/reset-password'
		);
	});
});
