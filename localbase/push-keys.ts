// VAPID keys for development: VAPID_* from the environment when set (production), otherwise a
// pair generated on first use and kept in .localbase/vapid.json (gitignored), so browsers that
// subscribed keep working across restarts.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
	generateVapidKeys,
	assertVapidKeys,
	vapidFromEnv,
	type VapidKeys
} from '../src/lib/server/push/vapid.ts';
import { projectRoot } from './config.ts';

export const devVapidPath = path.join(projectRoot, '.localbase', 'vapid.json');

export async function loadVapidKeys(
	env: Record<string, string | undefined> = process.env,
	file = devVapidPath
): Promise<VapidKeys> {
	const fromEnv = vapidFromEnv(env);
	if (fromEnv) return fromEnv;
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
	await writeFile(file, `${JSON.stringify(keys, null, '\t')}\n`, { mode: 0o600, flag: 'wx' }).catch(
		async (err: NodeJS.ErrnoException) => {
			// Another process generated them first: use theirs.
			if (err.code !== 'EEXIST') throw err;
		}
	);
	return JSON.parse(await readFile(file, 'utf8')) as VapidKeys;
}
