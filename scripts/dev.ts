// `npm run dev`: localbase (with its mail inbox), the SvelteKit dev server and the push dispatcher together. When
// PUBLIC_SUPABASE_URL (from the environment or .env) names another backend, such as a hosted
// project, neither localbase nor the dispatcher is started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig, projectRoot, wellKnown } from '../localbase/config.ts';
import { startLocalbase, type Localbase } from '../localbase/server.ts';
import { startPush, type RunningPush } from '../src/lib/server/push/start.ts';
import { loadVapidKeys } from '../src/lib/server/push/vapid.ts';

/** Arguments after `npm run dev --` go to vite, e.g. `-- --port 5373` beside another dev server. */
const viteArgs = process.argv.slice(2);
const appUrl = `http://localhost:${portArgument(viteArgs) ?? 5173}`;
/** The development VAPID pair, generated on first use (gitignored with the rest of .localbase/). */
const devKeysFile = path.join(projectRoot, '.localbase', 'vapid.json');
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

function portArgument(args: string[]): number | undefined {
	const i = args.findIndex((a) => a === '--port' || a.startsWith('--port='));
	if (i < 0) return undefined;
	return Number(args[i].includes('=') ? args[i].slice('--port='.length) : args[i + 1]);
}

const fileEnv = dotenv();
const env = { ...fileEnv, ...process.env };
const config = loadConfig(env);
// Mailed links point at site_url; when the app runs on another port, at the app instead.
if (!env.LOCALBASE_SITE_URL && new URL(config.auth.siteUrl).port !== new URL(appUrl).port) {
	config.auth = { ...config.auth, siteUrl: appUrl };
}
const configuredUrl = process.env.PUBLIC_SUPABASE_URL || fileEnv.PUBLIC_SUPABASE_URL;
const configuredKey =
	process.env.PUBLIC_SUPABASE_PUBLISHABLE_KEY ||
	fileEnv.PUBLIC_SUPABASE_PUBLISHABLE_KEY ||
	process.env.PUBLIC_SUPABASE_ANON_KEY ||
	fileEnv.PUBLIC_SUPABASE_ANON_KEY;
const useLocalbase = !configuredUrl || isLocalbase(configuredUrl, config.port);

let lb: Localbase | undefined;
let push: RunningPush | undefined;
if (useLocalbase) {
	lb = await startLocalbase({ config });
	// Pushes for messages stored while nothing was listening are sent by its first sweep.
	// The storage-removal worker beside it removes files through this localbase's Storage API.
	push = await startPush({ env, devKeysFile, db: lb.db, supabaseUrl: lb.url });
}
// The browser subscribes with the dispatcher's public key (by the same rule when none runs here).
const vapid = push?.vapid ?? (await loadVapidKeys(env, devKeysFile)).keys;
const apiUrl = lb?.url ?? configuredUrl!;
const publishableKey = configuredKey ?? wellKnown.publishableKey;

const vite: ChildProcess = spawn(
	process.execPath,
	[path.join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'dev', ...viteArgs],
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
		lb.mailUrl
			? `  mail inbox        ${lb.mailUrl}  (what Supabase Auth sends: confirmations, password resets; links lead to ${config.auth.siteUrl})`
			: '  mail inbox        off ([local_smtp] enabled = false)',
		`  push dispatcher   running (VAPID key ${vapid.publicKey.slice(0, 16)}…, ${push?.devKeysFile ? path.relative(projectRoot, push.devKeysFile) : 'VAPID_* from the environment'})`,
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
		await push?.stop();
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
