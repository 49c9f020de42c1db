import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverSkipReason, startPush } from './start';
import { generateVapidKeys } from './vapid';

let dir: string;
let devKeysFile: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'spotter-push-start-'));
	devKeysFile = path.join(dir, 'vapid.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the push dispatcher inside the production server', () => {
	it('is not started without a database connection', async () => {
		expect(serverSkipReason({})).toBe('no DATABASE_URL');
		await expect(startPush({ env: {}, devKeysFile })).rejects.toThrow(/needs a database: set DATABASE_URL/);
	});

	it('can be turned off when the standalone dispatcher runs instead', () => {
		expect(serverSkipReason({ DATABASE_URL: 'postgresql://x', PUSH_DISPATCHER: 'off' })).toBe(
			'PUSH_DISPATCHER=off'
		);
		expect(serverSkipReason({ DATABASE_URL: 'postgresql://x' })).toBeUndefined();
	});

	it('refuses to start in production with a database but no VAPID keys, naming what is missing', async () => {
		await expect(
			startPush({
				env: { NODE_ENV: 'production', DATABASE_URL: 'postgresql://127.0.0.1:1/none' },
				devKeysFile
			})
		).rejects.toThrow(/VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are not set/);
		// No development pair was generated in its place.
		expect(await readdir(dir)).toEqual([]);
	});

	it('refuses a public key for browsers that differs from the dispatcher’s key', async () => {
		const keys = generateVapidKeys('mailto:ops@spotter.test');
		await expect(
			startPush({
				env: {
					NODE_ENV: 'production',
					DATABASE_URL: 'postgresql://127.0.0.1:1/none',
					VAPID_PUBLIC_KEY: keys.publicKey,
					VAPID_PRIVATE_KEY: keys.privateKey,
					VAPID_SUBJECT: keys.subject
				},
				devKeysFile,
				browserPublicKey: generateVapidKeys('mailto:x@spotter.test').publicKey
			})
		).rejects.toThrow(/PUBLIC_VAPID_PUBLIC_KEY differs/);
	});

	it('outside production, refuses a browser key that differs from the generated development pair', async () => {
		await expect(
			startPush({
				env: { DATABASE_URL: 'postgresql://127.0.0.1:1/none' },
				devKeysFile,
				browserPublicKey: generateVapidKeys('mailto:x@spotter.test').publicKey
			})
		).rejects.toThrow(/PUBLIC_VAPID_PUBLIC_KEY differs/);
		expect(await readdir(dir)).toEqual(['vapid.json']);
	});
});
