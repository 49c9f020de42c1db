import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateVapidKeys, loadVapidKeys } from './vapid';

let dir: string;
let devKeysFile: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'spotter-vapid-'));
	devKeysFile = path.join(dir, 'keys', 'vapid.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const production = generateVapidKeys('mailto:ops@spotter.test');
const productionEnv = {
	VAPID_PUBLIC_KEY: production.publicKey,
	VAPID_PRIVATE_KEY: production.privateKey,
	VAPID_SUBJECT: production.subject
};

describe('the VAPID key rule in production (NODE_ENV=production)', () => {
	it('refuses without any VAPID key, naming all three', async () => {
		await expect(loadVapidKeys({ NODE_ENV: 'production' }, devKeysFile)).rejects.toThrow(
			/VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are not set/
		);
		expect(await readdir(dir)).toEqual([]);
	});

	it('names only the variable that is missing', async () => {
		await expect(
			loadVapidKeys({ ...productionEnv, NODE_ENV: 'production', VAPID_SUBJECT: ' ' }, devKeysFile)
		).rejects.toThrow(/but VAPID_SUBJECT is not set/);
		await expect(
			loadVapidKeys({ NODE_ENV: 'production', VAPID_SUBJECT: production.subject }, devKeysFile)
		).rejects.toThrow(/but VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not set/);
	});

	it('does not fall back to a development pair, even one already generated', async () => {
		const development = await loadVapidKeys({}, devKeysFile);
		expect(development.devKeysFile).toBe(devKeysFile);
		await expect(loadVapidKeys({ NODE_ENV: 'production' }, devKeysFile)).rejects.toThrow(/not set/);
	});

	it('uses the keys from the environment and writes no file', async () => {
		const loaded = await loadVapidKeys({ ...productionEnv, NODE_ENV: 'production' }, devKeysFile);
		expect(loaded).toEqual({ keys: production });
		expect(await readdir(dir)).toEqual([]);
	});

	it('refuses a malformed key', async () => {
		await expect(
			loadVapidKeys({ ...productionEnv, NODE_ENV: 'production', VAPID_PUBLIC_KEY: 'not-a-key' }, devKeysFile)
		).rejects.toThrow();
	});
});

describe('the VAPID key rule outside production', () => {
	it('generates a development pair once into the named file and reuses it', async () => {
		const first = await loadVapidKeys({ DATABASE_URL: 'postgresql://127.0.0.1/x' }, devKeysFile);
		expect(first.devKeysFile).toBe(devKeysFile);
		expect(JSON.parse(await readFile(devKeysFile, 'utf8'))).toEqual(first.keys);
		expect((await stat(devKeysFile)).mode & 0o777).toBe(0o600);

		const second = await loadVapidKeys({ NODE_ENV: 'development' }, devKeysFile);
		expect(second.keys).toEqual(first.keys);
	});

	it('gives processes that start at once the same pair', async () => {
		const all = await Promise.all([1, 2, 3, 4].map(() => loadVapidKeys({}, devKeysFile)));
		for (const loaded of all) expect(loaded.keys).toEqual(all[0].keys);
	});

	it('prefers VAPID_* from the environment and then generates nothing', async () => {
		const loaded = await loadVapidKeys(productionEnv, devKeysFile);
		expect(loaded).toEqual({ keys: production });
		expect(await readdir(dir)).toEqual([]);
	});

	it('refuses half a key pair', async () => {
		await expect(loadVapidKeys({ VAPID_PUBLIC_KEY: production.publicKey }, devKeysFile)).rejects.toThrow(
			/Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY/
		);
	});
});
