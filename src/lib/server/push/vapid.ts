// VAPID: the key pair that identifies this server to push services, and the one rule for where it
// comes from (loadVapidKeys), which every starter of the push dispatcher follows.
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import webpush from 'web-push';

export type Env = Record<string, string | undefined>;

export interface VapidKeys {
	/** base64url, uncompressed P-256 point; the browser subscribes with it. */
	publicKey: string;
	privateKey: string;
	/** `mailto:` or `https:` contact for push services. */
	subject: string;
}

export interface LoadedVapidKeys {
	keys: VapidKeys;
	/** The development file the keys came from; undefined when they came from VAPID_*. */
	devKeysFile?: string;
}

const vapidVariables = ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'] as const;

/** Production is said explicitly; DATABASE_URL is not a signal (development and CI set it too). */
export function isProduction(env: Env): boolean {
	return env.NODE_ENV === 'production';
}

/**
 * The dispatcher's keys, by one rule. In production (NODE_ENV=production) VAPID_PUBLIC_KEY,
 * VAPID_PRIVATE_KEY and VAPID_SUBJECT must be set: it throws, naming what is missing. Otherwise
 * VAPID_* when set, else a development pair generated once into `devKeysFile` and reused after,
 * so browsers that subscribed keep receiving across restarts.
 */
export async function loadVapidKeys(env: Env, devKeysFile: string): Promise<LoadedVapidKeys> {
	if (isProduction(env)) {
		const missing = vapidVariables.filter((name) => !env[name]?.trim());
		if (missing.length > 0) {
			throw new Error(
				`NODE_ENV=production, so the push dispatcher takes its keys from the environment, but ` +
					`${listed(missing)} ${missing.length === 1 ? 'is' : 'are'} not set. Set them (npx web-push ` +
					'generate-vapid-keys makes a pair), or run no dispatcher (PUSH_DISPATCHER=off in the app server).'
			);
		}
	}
	const fromEnv = vapidFromEnv(env);
	if (fromEnv) return { keys: fromEnv };
	return { keys: await developmentKeys(devKeysFile), devKeysFile };
}

/** The keys from VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT, or undefined if unset. */
export function vapidFromEnv(env: Env): VapidKeys | undefined {
	const publicKey = env.VAPID_PUBLIC_KEY?.trim();
	const privateKey = env.VAPID_PRIVATE_KEY?.trim();
	if (!publicKey && !privateKey) return undefined;
	if (!publicKey || !privateKey) {
		throw new Error('Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (or neither in development).');
	}
	const keys = { publicKey, privateKey, subject: env.VAPID_SUBJECT?.trim() || '' };
	if (!keys.subject) throw new Error('VAPID_SUBJECT must be set (mailto:you@example.com or an https URL).');
	assertVapidKeys(keys);
	return keys;
}

/** Throws a readable error when a key or the subject is malformed (web-push checks the format). */
export function assertVapidKeys(keys: VapidKeys): void {
	webpush.getVapidHeaders('https://push.invalid', keys.subject, keys.publicKey, keys.privateKey, 'aes128gcm');
}

export function generateVapidKeys(subject: string): VapidKeys {
	return { ...webpush.generateVAPIDKeys(), subject };
}

/**
 * The pair in `file`, generated (mode 600) on first use. The file appears complete or not at all
 * (written aside, then linked into place), and a process that loses the race to create it uses
 * the winner's pair.
 */
async function developmentKeys(file: string): Promise<VapidKeys> {
	const stored = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
		if (err.code === 'ENOENT') return undefined;
		throw err;
	});
	if (stored !== undefined) {
		const keys = JSON.parse(stored) as VapidKeys;
		assertVapidKeys(keys);
		return keys;
	}
	const keys = generateVapidKeys('mailto:dev@spotter.test');
	await mkdir(path.dirname(file), { recursive: true });
	const aside = `${file}.${process.pid}.${randomUUID()}`;
	await writeFile(aside, `${JSON.stringify(keys, null, '\t')}\n`, { mode: 0o600 });
	try {
		await link(aside, file);
		return keys;
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
		return developmentKeys(file);
	} finally {
		await unlink(aside);
	}
}

function listed(names: readonly string[]): string {
	return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
