import { afterEach, expect, test, vi } from 'vitest';
import { runReporter, type CronRun } from './index.ts';

afterEach(() => vi.restoreAllMocks());

const run = (jobid: number, second: number, status: CronRun['status'], message: string): CronRun => ({
	jobid,
	jobname: `job-${jobid}`,
	dueAt: new Date(Date.UTC(2026, 10, 30, 12, 0, second)),
	status,
	message
});

test('a job’s success is logged once while it repeats, again when it changes; every failure is logged', () => {
	const lines: string[] = [];
	const errors: string[] = [];
	vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
	const report = runReporter('jobs', (line) => lines.push(line));
	report([run(1, 0, 'succeeded', '1 row'), run(2, 0, 'succeeded', '1 row')]);
	report([run(1, 20, 'succeeded', '1 row')]);
	report([run(1, 40, 'succeeded', '1 row')]);
	report([run(1, 59, 'failed', 'permission denied')]);
	report([run(1, 59, 'failed', 'permission denied')]);
	report([run(1, 59, 'succeeded', '1 row'), run(1, 59, 'succeeded', '3 rows')]);
	expect(lines).toEqual([
		'[jobs] job-1 (2026-11-30T12:00:00.000Z): succeeded, 1 row (the same again is not logged; cron.job_run_details records every run)',
		'[jobs] job-2 (2026-11-30T12:00:00.000Z): succeeded, 1 row (the same again is not logged; cron.job_run_details records every run)',
		'[jobs] job-1 (2026-11-30T12:00:59.000Z): succeeded, 1 row (the same again is not logged; cron.job_run_details records every run)',
		'[jobs] job-1 (2026-11-30T12:00:59.000Z): succeeded, 3 rows (the same again is not logged; cron.job_run_details records every run)'
	]);
	expect(errors).toEqual([
		'[jobs] job-1 (2026-11-30T12:00:59.000Z): failed, permission denied',
		'[jobs] job-1 (2026-11-30T12:00:59.000Z): failed, permission denied'
	]);
});
