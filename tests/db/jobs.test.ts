// Jobs on a schedule: the 30-day purge the migrations register with cron.schedule, and the runner
// that stands in for pg_cron (localbase/cron, also behind scripts/jobs.ts): each time of a job runs
// once, at that time, as the job's user — however many runners race, and once more after a time
// missed while none was up. Runner tests commit (the runner opens its own transactions) and use jobs
// of their own, removed afterwards.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runDueJobs, latestDue, nextDue } from '../../localbase/cron/index.ts';
import { createTestDatabase, serverUrl, type TestDatabase } from '../support/database.ts';
import { as, createActors, ids, inTransaction, type Actors } from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
	await t.db.exec(`
		create table public.job_log (id bigint generated always as identity primary key, who text, at timestamptz default now());
		comment on table public.job_log is 'Test only: what the test jobs did.';
		comment on column public.job_log.id is 'Test only.';
		comment on column public.job_log.who is 'Test only.';
		comment on column public.job_log.at is 'Test only.';
		alter table public.job_log enable row level security;
	`);
});
afterAll(async () => {
	await t?.release();
});
const testJobs: string[] = [];
afterEach(async () => {
	for (const name of testJobs.splice(0))
		await t.db.query(`select cron.unschedule(jobid) from cron.job where jobname = $1`, [name]);
	await t.db.query(`delete from public.job_log where id > 0`);
});

/** Registers a job as the migration role would, committed; resolves to when its clock started. */
async function schedule(schedule: string, command: string): Promise<{ name: string; since: Date }> {
	const name = `test-${randomUUID().slice(0, 8)}`;
	testJobs.push(name);
	await t.db.query(`select cron.schedule($1, $2, $3)`, [name, schedule, command]);
	const { rows } = await t.db.query<{ scheduled_at: Date }>(
		`select c.scheduled_at from cron.localbase_job_clock c join cron.job j using (jobid) where j.jobname = $1`,
		[name]
	);
	return { name, since: rows[0].scheduled_at };
}
const logged = async () =>
	(await t.db.query<{ n: number }>(`select count(*)::int as n from public.job_log`)).rows[0].n;
const runsOf = async (name: string) =>
	(
		await t.db.query<{ status: string; return_message: string; username: string }>(
			`select d.status, d.return_message, d.username from cron.job_run_details d
			 join cron.job j using (jobid) where j.jobname = $1 order by d.runid`,
			[name]
		)
	).rows;
const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);

describe('the 30-day purge', () => {
	test('is registered with cron.schedule: daily at 03:17 UTC, as the migration role', async () => {
		const { rows } = await t.db.query(
			`select schedule, command, active, username from cron.job where jobname = 'spotter-purge-deleted-messages'`
		);
		expect(rows).toEqual([
			{
				schedule: '17 3 * * *',
				command: 'select private.purge_deleted_messages()',
				active: true,
				username: 'postgres'
			}
		]);
	});

	test('removes the kept text and earlier versions of messages deleted over 30 days ago, and nothing younger', async () => {
		await as(t.db, a.coach, async (x) => {
			const send = async (body: string) =>
				(
					await x.one<{ id: string }>(`select id from public.send_message($1, $2, $3)`, [
						ids.alex,
						body,
						randomUUID()
					])
				).id;
			const old = await send('old draft');
			await x.query(`select public.edit_message($1, 'old, edited')`, [old]);
			await x.query(`select public.delete_message($1)`, [old]);
			const recent = await send('recent');
			await x.query(`select public.edit_message($1, 'recent, edited')`, [recent]);
			await x.query(`select public.delete_message($1)`, [recent]);
			const kept = await send('kept, edited later');
			await x.query(`select public.edit_message($1, 'kept')`, [kept]);
			await x.becomePostgres();
			await x.query(
				`update private.deleted_messages set deleted_at = now() - interval '31 days' where message_id = $1`,
				[old]
			);
			await x.query(
				`update private.deleted_messages set deleted_at = now() - interval '29 days' where message_id = $1`,
				[recent]
			);
			expect(await x.one(`select private.purge_deleted_messages() as purged`)).toEqual({ purged: 1 });
			const left = await x.query<{ message_id: string }>(
				`select message_id from private.deleted_messages where message_id in ($1, $2, $3)
				 union all select message_id from private.message_versions where message_id in ($1, $2, $3)
				 order by 1`,
				[old, recent, kept]
			);
			expect(left.map((r) => r.message_id).sort()).toEqual([recent, recent, kept].sort());
			// The tombstone stays: history has no gap.
			expect(await x.query(`select body from public.messages where id = $1`, [old])).toEqual([{ body: '' }]);
		});
	});

	test('is no API: signed-in users cannot run it', async () => {
		await as(t.db, a.coach, async (x) => {
			const r = await x.attempt(`select private.purge_deleted_messages()`);
			expect(r.ok ? 'ok' : r.error.code).toBe('42501');
		});
	});
});

describe('schedules', () => {
	test('the latest time due and the next one, in UTC, for cron syntax and pg_cron’s “N seconds”', () => {
		const since = new Date('2026-03-01T03:00:00Z');
		expect(latestDue('17 3 * * *', since, new Date('2026-03-01T03:16:59Z'))).toBeNull();
		expect(latestDue('17 3 * * *', since, new Date('2026-03-01T03:17:00Z'))).toEqual(
			new Date('2026-03-01T03:17:00Z')
		);
		expect(latestDue('17 3 * * *', since, new Date('2026-03-04T12:00:00Z'))).toEqual(
			new Date('2026-03-04T03:17:00Z')
		);
		expect(nextDue('17 3 * * *', new Date('2026-03-01T03:17:00Z'))).toEqual(new Date('2026-03-02T03:17:00Z'));
		expect(latestDue('5 seconds', since, new Date('2026-03-01T03:00:04Z'))).toBeNull();
		expect(latestDue('5 seconds', since, new Date('2026-03-01T03:00:12Z'))).toEqual(
			new Date('2026-03-01T03:00:10Z')
		);
		expect(() => latestDue('61 * * * *', since, since)).toThrow();
		expect(() => latestDue('* * * * * *', since, since)).toThrow(/5 fields/);
	});

	test('cron.schedule refuses what is not a schedule, updates a job of the same name, and unschedules', async () => {
		await expect(t.db.query(`select cron.schedule('bad', 'every day', 'select 1')`)).rejects.toThrow(
			/invalid schedule/
		);
		const { name } = await schedule('0 * * * *', `select 1`);
		await t.db.query(`select cron.schedule($1, '30 * * * *', 'select 2')`, [name]);
		const { rows } = await t.db.query(`select schedule, command from cron.job where jobname = $1`, [name]);
		expect(rows).toEqual([{ schedule: '30 * * * *', command: 'select 2' }]);
		await t.db.query(`select cron.unschedule($1::text)`, [name]);
		expect((await t.db.query(`select 1 from cron.job where jobname = $1`, [name])).rows).toEqual([]);
		testJobs.pop();
	});
});

describe('the runner', () => {
	test('runs a job at its time, once, as the user who scheduled it, and records the run', async () => {
		const { name, since } = await schedule(
			'*/5 * * * *',
			`insert into public.job_log (who) values (current_user)`
		);
		const slot = new Date(Math.ceil((since.getTime() + 1) / 300_000) * 300_000);
		// Only this job is looked at: the migrations' own jobs (a 20-second one among them) run too.
		expect(
			(await runDueJobs(t.db, { at: new Date(slot.getTime() - 1000) })).filter((r) => r.jobname === name)
		).toEqual([]);
		const runs = await runDueJobs(t.db, { at: slot });
		expect(runs.filter((r) => r.jobname === name)).toEqual([
			{ jobid: expect.any(Number), jobname: name, dueAt: slot, status: 'succeeded', message: '1 row' }
		]);
		expect(
			(await runDueJobs(t.db, { at: new Date(slot.getTime() + 1000) })).filter((r) => r.jobname === name)
		).toEqual([]);
		// The test schedules as its connection's role (postgres, or the hosted-roles leg's superuser).
		const { rows: me } = await t.db.query<{ me: string }>(`select current_user as me`);
		expect((await t.db.query(`select who from public.job_log`)).rows).toEqual([{ who: me[0].me }]);
		expect(await runsOf(name)).toEqual([
			{ status: 'succeeded', return_message: '1 row', username: me[0].me }
		]);
	});

	test('a time missed while no runner was up runs once when one starts, for the latest time', async () => {
		const { name, since } = await schedule(
			'*/5 * * * *',
			`insert into public.job_log (who) values ('missed')`
		);
		const runs = await runDueJobs(t.db, { at: minutes(since, 23) });
		const slot = new Date(Math.floor(minutes(since, 23).getTime() / 300_000) * 300_000);
		expect(runs.filter((r) => r.jobname === name).map((r) => r.dueAt)).toEqual([slot]);
		expect(await logged()).toBe(1);
	});

	test('two runners racing for the same time run it once', async () => {
		const { name, since } = await schedule(
			'* * * * *',
			`insert into public.job_log (who) select 'race' from pg_sleep(0.2)`
		);
		const at = minutes(since, 1);
		const [first, second] = await Promise.all([runDueJobs(t.db, { at }), runDueJobs(t.db, { at })]);
		expect([...first, ...second].filter((r) => r.jobname === name)).toHaveLength(1);
		expect(await logged()).toBe(1);
		expect(await runsOf(name)).toHaveLength(1);
	});

	test('a failing job is recorded as failed with its error, changes nothing, and runs again at its next time', async () => {
		const { name, since } = await schedule(
			'* * * * *',
			`insert into public.job_log (who) values ('before'); select 1 / 0`
		);
		const runs = await runDueJobs(t.db, { at: minutes(since, 1) });
		expect(runs.filter((r) => r.jobname === name)).toEqual([
			expect.objectContaining({ status: 'failed', message: expect.stringMatching(/division by zero/) })
		]);
		expect(await logged()).toBe(0);
		expect(await runsOf(name)).toEqual([
			{
				status: 'failed',
				return_message: expect.stringMatching(/division by zero/),
				username: expect.any(String)
			}
		]);
		expect(
			(await runDueJobs(t.db, { at: minutes(since, 2) })).filter((r) => r.jobname === name)
		).toHaveLength(1);
	});

	test('an inactive job does not run', async () => {
		const { name, since } = await schedule(
			'* * * * *',
			`insert into public.job_log (who) values ('inactive')`
		);
		await t.db.query(`select cron.alter_job(jobid, active => false) from cron.job where jobname = $1`, [
			name
		]);
		expect((await runDueJobs(t.db, { at: minutes(since, 5) })).filter((r) => r.jobname === name)).toEqual([]);
		expect(await logged()).toBe(0);
	});
});

// scripts/jobs.ts connects to a Postgres server by URL; on the PGlite leg there is none to give it.
if (serverUrl) {
	describe('scripts/jobs.ts on a Postgres server', () => {
		const run = promisify(execFile);
		const root = path.resolve(import.meta.dirname, '../..');
		const once = () =>
			run(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/jobs.ts', '--once'], {
				cwd: root,
				env: { ...process.env, DATABASE_URL: t.url }
			});

		test('runs a due job once, even when two are started at the same moment', async () => {
			// Daily, twelve hours from now, scheduled a day ago: one time is due, the next is hours away,
			// however long the two processes take to start.
			const hour = (new Date().getUTCHours() + 12) % 24;
			const { name } = await schedule(
				`0 ${hour} * * *`,
				`insert into public.job_log (who) select 'worker' from pg_sleep(0.3)`
			);
			await t.db.query(
				`update cron.localbase_job_clock c set scheduled_at = now() - interval '25 hours'
				 from cron.job j where j.jobid = c.jobid and j.jobname = $1`,
				[name]
			);
			const [first, second] = await Promise.all([once(), once()]);
			expect(`${first.stdout}${second.stdout}`.match(/succeeded/g)).toHaveLength(1);
			expect(await logged()).toBe(1);
		});
	});
}

describe('jobs in a rolled-back transaction', () => {
	test('a job scheduled in a transaction that rolls back leaves no job behind', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`select cron.schedule('rolled-back', '* * * * *', 'select 1')`);
		});
		expect((await t.db.query(`select 1 from cron.job where jobname = 'rolled-back'`)).rows).toEqual([]);
	});
});
