// `npm run dev`: localbase and the SvelteKit dev server together. When PUBLIC_SUPABASE_URL (from
// the environment or .env) names another backend, such as a hosted project, localbase is not started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { startPushDispatcher, type PushDispatcher } from '../src/lib/server/push/dispatcher.ts';
import { loadConfig, projectRoot, wellKnown } from './config.ts';
import { loadVapidKeys } from './push-keys.ts';
import { startLocalbase, type Localbase } from './server.ts';

const appUrl = 'http://localhost:5173';
const demoLogins = ['coach', 'alex', 'sam', 'rival', 'jordan', 'solo'].map((name) => `${name}@spotter.test`);

function dotenv(): Record<string, string | undefined> {
	const file = path.join(projectRoot, '.env');
	return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
}

/** True when `url` is this machine's localbase address, which this script is meant to serve. */
function isLocalbase(url: string, port: number): boolean {
	const u = new URL(url);
	return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && Number(u.port || 80) === port;
}

const fileEnv = dotenv();
const config = loadConfig({ ...fileEnv, ...process.env });
const configuredUrl = process.env.PUBLIC_SUPABASE_URL || fileEnv.PUBLIC_SUPABASE_URL;
const configuredKey =
	process.env.PUBLIC_SUPABASE_PUBLISHABLE_KEY ||
	fileEnv.PUBLIC_SUPABASE_PUBLISHABLE_KEY ||
	process.env.PUBLIC_SUPABASE_ANON_KEY ||
	fileEnv.PUBLIC_SUPABASE_ANON_KEY;
const useLocalbase = !configuredUrl || isLocalbase(configuredUrl, config.port);

let lb: Localbase | undefined;
let dispatcher: PushDispatcher | undefined;
const vapid = await loadVapidKeys({ ...fileEnv, ...process.env });
if (useLocalbase) {
	lb = await startLocalbase({ config });
	// Pushes for messages stored while nothing was listening are sent by its first sweep.
	dispatcher = startPushDispatcher({ db: lb.db, vapid });
}
const apiUrl = lb?.url ?? configuredUrl!;
const publishableKey = configuredKey ?? wellKnown.publishableKey;

const vite: ChildProcess = spawn(
	process.execPath,
	[path.join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'dev'],
	{
		cwd: projectRoot,
		stdio: 'inherit',
		env: {
			...process.env,
			PUBLIC_SUPABASE_URL: apiUrl,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: publishableKey,
			PUBLIC_VAPID_PUBLIC_KEY: vapid.publicKey
		}
	}
);

const lines = [
	'',
	`  Spotter app       ${appUrl}`,
	`  Supabase API      ${apiUrl}${lb ? ` (localbase on ${lb.db.kind === 'pglite' ? `PGlite, ${config.dataDir}` : 'DATABASE_URL'})` : ' (external, localbase not started)'}`
];
if (lb) {
	lines.push(
		`  publishable key   ${wellKnown.publishableKey}`,
		`  anon key          ${wellKnown.anonKey}`,
		`  secret key        ${wellKnown.secretKey}  (server-side only)`,
		`  push dispatcher   running (VAPID key ${vapid.publicKey.slice(0, 16)}…, .localbase/vapid.json)`,
		`  demo logins       ${demoLogins.join(', ')}`,
		'                    password: spotter-demo',
		lb.migration.seeded
			? '  demo data loaded into a new database'
			: '  existing database kept (npm run db:reset starts over)'
	);
}
lines.push('  Ctrl-C stops everything', '');
console.log(lines.join('\n'));

let stopping = false;
async function stop(code: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		if (vite.exitCode === null) vite.kill('SIGTERM');
		await dispatcher?.stop();
		await lb?.close();
	}
	process.exit(code);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
vite.once('exit', (code) => {
	if (!stopping) {
		console.error(`[dev] vite exited (${code ?? 'signal'}); stopping localbase`);
		void stop(code ?? 1);
	}
});
