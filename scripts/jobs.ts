// `npx tsx scripts/jobs.ts [--once]`: runs the scheduled jobs (cron.job) against a plain Postgres
// server that has the platform SQL and the migrations, as pg_cron does on hosted Supabase and
// localbase does for itself. Several may run at once (and beside a localbase on the same database):
// each job's time runs once. --once runs what is due now and exits (for a system cron or a CI step).
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/spotter npx tsx scripts/jobs.ts
// A database with the pg_cron extension (a hosted project) needs no runner: pg_cron runs the jobs.
import { openPostgres } from '../db/postgres.ts';
import { hasCronStandIn, runDueJobs, startCron } from '../localbase/cron/index.ts';

const url = process.env.DATABASE_URL;
if (!url) {
	console.error('Set DATABASE_URL to the Postgres connection string of the Spotter database.');
	process.exit(2);
}
const db = await openPostgres(url, 2, 'spotter-jobs');
if (!(await hasCronStandIn(db))) {
	await db.close();
	console.error(
		'This database has no cron stand-in (localbase/sql/platform.sql): either pg_cron runs its jobs, or the platform SQL is missing.'
	);
	process.exit(2);
}

if (process.argv.includes('--once')) {
	const runs = await runDueJobs(db, {
		onError: (job, err) =>
			console.error(`job ${job.jobname ?? job.jobid} is skipped:`, (err as Error).message)
	});
	for (const run of runs)
		console.log(`${run.jobname ?? run.jobid} (${run.dueAt.toISOString()}): ${run.status}, ${run.message}`);
	await db.close();
	process.exit(runs.some((run) => run.status === 'failed') ? 1 : 0);
}

const runner = await startCron(db, { label: 'jobs' });
console.log('scheduled jobs running (cron.job, UTC); Ctrl-C stops');
let stopping = false;
async function shutdown(signal: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: finishing the job that is running…`);
	await runner.stop();
	await db.close();
	process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
