// Runs the jobs of cron.job where pg_cron is absent, as pg_cron would: each job at its times (5-field
// cron syntax in UTC, parsed by cron-parser, or pg_cron's "N seconds"), as the user who scheduled
// it, recorded in cron.job_run_details. localbase starts one; scripts/jobs.ts runs the same code on
// any Postgres that has the platform SQL's cron schema.
//
// Once per time, whatever happens: a run claims its job's clock row (cron.localbase_job_clock)
// FOR UPDATE SKIP LOCKED and runs the command in that same transaction, so a second runner skips the
// job while it runs and sees it done afterwards; a runner that dies mid-run rolls the claim back and
// the time is run again. A time that passed while no runner was up is run once when one starts
// (several missed times of one job: once, for the latest).
import { CronExpressionParser } from 'cron-parser';
import type { Db, Queryable } from '../../db/index.ts';

/** The NOTIFY channel the platform SQL's trigger on cron.job announces changes on. */
const CHANGED_CHANNEL = 'localbase_cron';
/** Sleep at most this long between looks at cron.job (changes also wake the runner at once). */
const MAX_SLEEP_MS = 60_000;

export interface CronJob {
	jobid: number;
	jobname: string | null;
	schedule: string;
	command: string;
	username: string;
}

export interface CronRun {
	jobid: number;
	jobname: string | null;
	/** The scheduled time this run is for. */
	dueAt: Date;
	status: 'succeeded' | 'failed';
	message: string;
}

const secondsSchedule = /^\s*(\d{1,2})\s+seconds?\s*$/;

/**
 * The latest time of `schedule` after `since` and at or before `now`, or null when none is. Throws
 * for a schedule neither pg_cron nor cron-parser accept.
 */
export function latestDue(schedule: string, since: Date, now: Date): Date | null {
	const seconds = secondsSchedule.exec(schedule);
	if (seconds) {
		const period = secondsPeriod(Number(seconds[1]), schedule);
		const due = since.getTime() + Math.floor((now.getTime() - since.getTime()) / period) * period;
		return due > since.getTime() ? new Date(due) : null;
	}
	const previous = parseCron(schedule, new Date(now.getTime() + 1))
		.prev()
		.toDate();
	return previous > since ? previous : null;
}

/** The first time of `schedule` after `after`. */
export function nextDue(schedule: string, after: Date): Date {
	const seconds = secondsSchedule.exec(schedule);
	if (seconds) return new Date(after.getTime() + secondsPeriod(Number(seconds[1]), schedule));
	return parseCron(schedule, after).next().toDate();
}

function secondsPeriod(n: number, schedule: string): number {
	if (n < 1 || n > 59) throw new Error(`invalid schedule "${schedule}": seconds must be 1 to 59`);
	return n * 1000;
}

function parseCron(schedule: string, currentDate: Date) {
	if (schedule.trim().split(/\s+/).length !== 5) {
		throw new Error(
			`invalid schedule "${schedule}": use 5 fields (minute hour day month weekday) or "N seconds"`
		);
	}
	return CronExpressionParser.parse(schedule.trim(), { currentDate, tz: 'UTC' });
}

interface JobRow extends CronJob {
	scheduled_at: Date;
	last_due_at: Date | null;
	now: Date;
}

const jobsSql = `
	select j.jobid::int as jobid, j.jobname, j.schedule, j.command, j.username, c.scheduled_at, c.last_due_at,
	       now() as now
	from cron.job j
	join cron.localbase_job_clock c on c.jobid = j.jobid
	where j.active and j.database = current_database()
	order by j.jobid`;

/** Whether this database's jobs are ours to run: the stand-in schema, not the pg_cron extension. */
export async function hasCronStandIn(db: Queryable): Promise<boolean> {
	const { rows } = await db.query<{ stand_in: boolean; extension: boolean }>(
		`select to_regclass('cron.localbase_job_clock') is not null as stand_in,
		        exists (select 1 from pg_extension where extname = 'pg_cron') as extension`
	);
	return rows[0].stand_in && !rows[0].extension;
}

/**
 * One pass: runs every job that has a time due (by the database's clock, or `at`), each once.
 * Resolves to what ran. A schedule that cannot be parsed is reported through `onError` and skipped.
 */
export async function runDueJobs(
	db: Db,
	options: { at?: Date; onError?: (job: CronJob, err: unknown) => void } = {}
): Promise<CronRun[]> {
	const { rows } = await db.query<JobRow>(jobsSql);
	const runs: CronRun[] = [];
	for (const job of rows) {
		const now = options.at ?? job.now;
		let due: Date | null;
		try {
			due = latestDue(job.schedule, job.last_due_at ?? job.scheduled_at, now);
		} catch (err) {
			options.onError?.(job, err);
			continue;
		}
		if (!due) continue;
		const run = await claimAndRun(db, job, options.at);
		if (run) runs.push(run);
	}
	return runs;
}

async function claimAndRun(db: Db, job: CronJob, at: Date | undefined): Promise<CronRun | null> {
	return db.transaction(async (tx) => {
		const { rows } = await tx.query<{ scheduled_at: Date; last_due_at: Date | null; now: Date }>(
			`select scheduled_at, last_due_at, now() as now from cron.localbase_job_clock
			 where jobid = $1 for update skip locked`,
			[job.jobid]
		);
		// Held by another runner (which is running it now), or unscheduled meanwhile.
		if (rows.length === 0) return null;
		const clock = rows[0];
		const due = latestDue(job.schedule, clock.last_due_at ?? clock.scheduled_at, at ?? clock.now);
		// Another runner ran this time between our look and our claim.
		if (!due) return null;
		await tx.query(`update cron.localbase_job_clock set last_due_at = $2 where jobid = $1`, [job.jobid, due]);
		const [{ runid }] = (
			await tx.query<{ runid: string }>(
				`insert into cron.job_run_details (jobid, job_pid, database, username, command, status, start_time)
				 values ($1, pg_backend_pid(), current_database(), $2, $3, 'running', clock_timestamp())
				 returning runid`,
				[job.jobid, job.username, job.command]
			)
		).rows;
		const outcome = await runCommand(tx, job);
		await tx.query(
			`update cron.job_run_details set status = $2, return_message = $3, end_time = clock_timestamp()
			 where runid = $1`,
			[runid, outcome.status, outcome.message]
		);
		return { jobid: job.jobid, jobname: job.jobname, dueAt: due, ...outcome };
	});
}

/** The command as the job's user, in a savepoint: a failing job is recorded, not rolled back with its record. */
async function runCommand(
	tx: Queryable,
	job: CronJob
): Promise<{ status: 'succeeded' | 'failed'; message: string }> {
	await tx.query('savepoint cron_job');
	try {
		await tx.query(`select set_config('role', $1, true)`, [job.username]);
		const result = await runStatements(tx, job.command);
		await tx.query(`set local role none`);
		await tx.query('release savepoint cron_job');
		return { status: 'succeeded', message: result };
	} catch (err) {
		await tx.query('rollback to savepoint cron_job');
		return { status: 'failed', message: err instanceof Error ? err.message : String(err) };
	}
}

/** pg_cron records how many rows the last statement returned; a multi-statement command runs as a script. */
async function runStatements(tx: Queryable, command: string): Promise<string> {
	await tx.query('savepoint cron_statement');
	try {
		const result = await tx.query(command);
		await tx.query('release savepoint cron_statement');
		return `${result.rowCount} row${result.rowCount === 1 ? '' : 's'}`;
	} catch (err) {
		await tx.query('rollback to savepoint cron_statement');
		if ((err as { code?: string }).code !== '42601' || !/multiple commands/i.test(String(err))) throw err;
	}
	await tx.exec(command);
	return 'done';
}

export interface CronRunner {
	/** Runs what is due now (and wakes the timer); resolves when that pass is over. */
	tick(): Promise<CronRun[]>;
	stop(): Promise<void>;
}

/**
 * Logs runs as they end: every failure, and a success only when it differs from that job's run
 * before (a job every 20 seconds would otherwise fill the log); cron.job_run_details records every
 * run.
 */
export function runReporter(label: string, log: (line: string) => void): (runs: CronRun[]) => void {
	const lastOutcome = new Map<number, string>();
	return (runs) => {
		for (const run of runs) {
			const outcome = `${run.status}, ${run.message}`;
			const line = `[${label}] ${run.jobname ?? `job ${run.jobid}`} (${run.dueAt.toISOString()}): ${outcome}`;
			if (run.status === 'failed') console.error(line);
			else if (lastOutcome.get(run.jobid) !== outcome) {
				log(`${line} (the same again is not logged; cron.job_run_details records every run)`);
			}
			lastOutcome.set(run.jobid, outcome);
		}
	};
}

/**
 * Keeps running due jobs until stopped: after each pass it sleeps until the next job's time (at most a
 * minute), and wakes early when cron.job changes. Failures to reach the database are logged and
 * retried at the next pass.
 */
export async function startCron(
	db: Db,
	options: { label?: string; log?: (line: string) => void } = {}
): Promise<CronRunner> {
	const label = options.label ?? 'cron';
	const log = options.log ?? ((line: string) => console.log(line));
	const reported = new Set<string>();
	const report = runReporter(label, log);
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;
	let current: Promise<CronRun[]> | undefined;
	let again = false;

	const pass = async (): Promise<CronRun[]> => {
		try {
			const runs = await runDueJobs(db, {
				onError: (job, err) => {
					const key = `${job.jobid}:${job.schedule}`;
					if (reported.has(key)) return;
					reported.add(key);
					console.error(`[${label}] job ${job.jobname ?? job.jobid} is skipped:`, (err as Error).message);
				}
			});
			report(runs);
			return runs;
		} catch (err) {
			console.error(`[${label}] running due jobs failed; trying again at the next pass:`, err);
			return [];
		}
	};

	const schedule = async () => {
		if (stopped) return;
		let wait = MAX_SLEEP_MS;
		try {
			const { rows } = await db.query<JobRow>(jobsSql);
			for (const job of rows) {
				try {
					const from = new Date(Math.max(job.now.getTime(), (job.last_due_at ?? job.scheduled_at).getTime()));
					wait = Math.min(wait, nextDue(job.schedule, from).getTime() - job.now.getTime());
				} catch {
					// Reported by the pass; a job that cannot be parsed never wakes the runner.
				}
			}
		} catch (err) {
			console.error(`[${label}] reading cron.job failed; looking again in a minute:`, err);
		}
		if (stopped) return;
		clearTimeout(timer);
		timer = setTimeout(() => void tick(), Math.max(wait, 0) + 5);
		timer.unref();
	};

	const tick = (): Promise<CronRun[]> => {
		if (current) {
			again = true;
			return current;
		}
		current = (async () => {
			let runs: CronRun[] = [];
			do {
				again = false;
				runs = runs.concat(await pass());
			} while (again && !stopped);
			await schedule();
			return runs;
		})().finally(() => {
			current = undefined;
		});
		return current;
	};

	const unlisten = await db.listen(CHANGED_CHANNEL, () => void tick());
	await tick();
	return {
		tick,
		stop: async () => {
			stopped = true;
			clearTimeout(timer);
			await current?.catch(() => undefined);
			await unlisten();
		}
	};
}
