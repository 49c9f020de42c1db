// `npx tsx scripts/push-dispatcher.ts`: the push dispatcher on its own, against any Postgres that
// has Spotter's migrations. For a hosted Supabase project use the direct (or session-pooler)
// connection string, not the transaction pooler (LISTEN needs a session), and production keys:
//   NODE_ENV=production DATABASE_URL=postgresql://postgres:…@db.<ref>.supabase.co:5432/postgres \
//   VAPID_PUBLIC_KEY=… VAPID_PRIVATE_KEY=… VAPID_SUBJECT=mailto:ops@example.com \
//   npx tsx scripts/push-dispatcher.ts
// Keys follow the dispatcher's one rule (src/lib/server/push/vapid.ts): with NODE_ENV=production it
// refuses to start without VAPID_*; otherwise, without them, it uses the development pair of
// `npm run dev` in .localbase/vapid.json (created on first use) and says so.
import path from 'node:path';
import { projectRoot } from '../localbase/config.ts';
import { startPush } from '../src/lib/server/push/start.ts';

if (!process.env.DATABASE_URL) {
	console.error('Set DATABASE_URL to the Postgres connection string of the Spotter database.');
	process.exit(2);
}
const push = await startPush({
	env: process.env,
	devKeysFile: path.join(projectRoot, '.localbase', 'vapid.json'),
	sweepMs: Number(process.env.PUSH_SWEEP_MS ?? 30_000)
});
const { dispatcher, vapid } = push;
console.log(
	`push dispatcher running (VAPID public key ${vapid.publicKey}` +
		(push.devKeysFile ? `, the development pair in ${push.devKeysFile}: not for production)` : ')')
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: finishing in-flight pushes…`);
	await push.stop();
	console.log(`stopped; ${JSON.stringify(dispatcher.stats())}`);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
