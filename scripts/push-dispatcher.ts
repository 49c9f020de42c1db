// `npx tsx scripts/push-dispatcher.ts`: the push dispatcher on its own, against any Postgres that
// has Spotter's migrations. For a hosted Supabase project use the direct (or session-pooler)
// connection string, not the transaction pooler (LISTEN needs a session), and production keys:
//   DATABASE_URL=postgresql://postgres:…@db.<ref>.supabase.co:5432/postgres \
//   VAPID_PUBLIC_KEY=… VAPID_PRIVATE_KEY=… VAPID_SUBJECT=mailto:ops@example.com \
//   npx tsx scripts/push-dispatcher.ts
// Without VAPID_* it uses the development pair in .localbase/vapid.json (created on first use).
import { openPostgres } from '../db/postgres.ts';
import { loadVapidKeys } from '../localbase/push-keys.ts';
import { startPushDispatcher } from '../src/lib/server/push/dispatcher.ts';

const url = process.env.DATABASE_URL;
if (!url) {
	console.error('Set DATABASE_URL to the Postgres connection string of the Spotter database.');
	process.exit(2);
}
const vapid = await loadVapidKeys();
const db = await openPostgres(url, 4);
const dispatcher = startPushDispatcher({
	db,
	vapid,
	sweepMs: Number(process.env.PUSH_SWEEP_MS ?? 30_000)
});
console.log(`push dispatcher running (VAPID public key ${vapid.publicKey})`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: finishing in-flight pushes…`);
	await dispatcher.stop();
	await db.close();
	console.log(`stopped; ${JSON.stringify(dispatcher.stats())}`);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
