import { describe, expect, it } from 'vitest';
import { dispatcherSkipReason, startDispatcherFromEnv } from './in-server';
import { generateVapidKeys } from './vapid';

describe('the push dispatcher inside the production server', () => {
	it('is not started without a database connection', async () => {
		expect(dispatcherSkipReason({})).toBe('no DATABASE_URL');
		await expect(startDispatcherFromEnv({})).resolves.toBeUndefined();
	});

	it('can be turned off when the standalone dispatcher runs instead', () => {
		expect(dispatcherSkipReason({ DATABASE_URL: 'postgresql://x', PUSH_DISPATCHER: 'off' })).toBe(
			'PUSH_DISPATCHER=off'
		);
	});

	it('refuses to start with a database but no VAPID keys, naming what is missing', async () => {
		await expect(startDispatcherFromEnv({ DATABASE_URL: 'postgresql://127.0.0.1:1/none' })).rejects.toThrow(
			/VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT/
		);
	});

	it('refuses a public key for browsers that differs from the dispatcher’s key', async () => {
		const keys = generateVapidKeys('mailto:ops@spotter.test');
		await expect(
			startDispatcherFromEnv({
				DATABASE_URL: 'postgresql://127.0.0.1:1/none',
				VAPID_PUBLIC_KEY: keys.publicKey,
				VAPID_PRIVATE_KEY: keys.privateKey,
				VAPID_SUBJECT: keys.subject,
				PUBLIC_VAPID_PUBLIC_KEY: generateVapidKeys('mailto:x@spotter.test').publicKey
			})
		).rejects.toThrow(/PUBLIC_VAPID_PUBLIC_KEY differs/);
	});
});
