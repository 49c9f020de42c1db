// `npm run localbase` / `npm run db:reset`: start the local Supabase stand-in and its mail inbox.
import { rm } from 'node:fs/promises';
import { loadConfig } from './config.ts';
import { startLocalbase } from './server.ts';

const args = new Set(process.argv.slice(2));
const config = loadConfig();

if (args.has('--reset')) {
	if (config.databaseUrl) {
		console.error('db:reset with DATABASE_URL would drop a server database; reset it with your own tools.');
		process.exit(1);
	}
	await rm(config.dataDir, { recursive: true, force: true });
	console.log(`[localbase] removed ${config.dataDir}`);
}

const lb = await startLocalbase({ config });
console.log(
	`[localbase] ${lb.url} on ${lb.db.kind === 'pglite' ? `PGlite (${config.dataDir})` : 'Postgres (DATABASE_URL)'}` +
		`; migrations applied: ${lb.migration.applied.length}${lb.migration.seeded ? ', demo seed loaded' : ''}` +
		`; mail inbox: ${lb.mailUrl ?? 'off ([local_smtp] enabled = false)'}`
);

if (args.has('--exit')) {
	await lb.close();
} else {
	const stop = async () => {
		await lb.close();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}
