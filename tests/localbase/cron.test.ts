// localbase runs the scheduled jobs itself, as pg_cron does on hosted Supabase: a job registered with
// cron.schedule runs at its times without anyone calling it, each time once, and is picked up at
// once (a change of cron.job wakes the runner).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestLocalbase, type TestLocalbase } from './harness.ts';

let lb: TestLocalbase;

beforeAll(async () => {
	lb = await startTestLocalbase();
	await lb.lb.db.exec(`create table public.cron_probe (at timestamptz not null default clock_timestamp())`);
});
afterAll(async () => {
	await lb?.close();
});

const db = () => lb.lb.db;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await read();
		if (done(value) || Date.now() - started > timeoutMs) return value;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('localbase’s scheduler', () => {
	test('the migrations’ daily and hourly jobs are registered and wait for their time; the send-later job runs', async () => {
		const { rows } = await db().query<{ jobname: string; runs: number }>(
			`select j.jobname, (select count(*)::int from cron.job_run_details d where d.jobid = j.jobid) as runs
			 from cron.job j order by j.jobname`
		);
		expect(rows.map((r) => r.jobname)).toEqual([
			'spotter-purge-deleted-messages',
			'spotter-queue-unattached-uploads',
			'spotter-send-due-messages'
		]);
		expect(rows[0].runs).toBe(0);
	});

	test('runs a job registered with cron.schedule by itself, each second once', async () => {
		const started = Date.now();
		await db().query(
			`select cron.schedule('probe', '1 seconds', 'insert into public.cron_probe default values')`
		);
		const first = await until(
			async () =>
				(await db().query<{ n: number }>(`select count(*)::int as n from public.cron_probe`)).rows[0].n,
			(n) => n >= 1,
			5000
		);
		expect(first).toBeGreaterThanOrEqual(1);
		expect(Date.now() - started).toBeLessThan(4000);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		await db().query(`select cron.unschedule('probe')`);
		const elapsed = (Date.now() - started) / 1000;
		const { rows } = await db().query<{ n: number; succeeded: number; seconds: number }>(
			`select count(*)::int as n,
			        (select count(*)::int from cron.job_run_details where status = 'succeeded') as succeeded,
			        count(distinct date_trunc('second', at))::int as seconds
			 from public.cron_probe`
		);
		// One run a second at most (never two for one time), and every run recorded.
		expect(rows[0].n).toBeGreaterThanOrEqual(2);
		expect(rows[0].n).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
		expect(rows[0].succeeded).toBe(rows[0].n);
	});
});
