// `npm test`: every suite, in order. The database and localbase suites run on embedded PGlite,
// and again on the Postgres server when DATABASE_URL is set (CI sets it), together with the fault
// suite and the Supabase CLI checks. With DATABASE_URL set, the database suite and the CLI's push and advisors
// also run once more on a private cluster laid out like a hosted project, where the migrations are
// applied by the non-superuser postgres (scripts/hosted-cluster; the shared server is not touched).
// Ends with a table of the suites, each failed or flaky test with the first lines of its error,
// and one "N passed, N failed" line over all suites. Suite names as arguments run only those.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { startHostedCluster, type HostedCluster } from './hosted-cluster/index.ts';

const serverUrl = process.env.DATABASE_URL || undefined;
const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const reportDir = await mkdtemp(path.join(tmpdir(), 'spotter-test-'));

interface Step {
	name: string;
	backend: string;
	command: string;
	args: string[];
	env: NodeJS.ProcessEnv;
	report: string;
	kind: 'vitest' | 'playwright';
	/** Runs against the hosted-like private cluster (started before its first step). */
	hosted?: boolean;
}

const withoutServer = { ...process.env, DATABASE_URL: '' };
const steps: Step[] = [];
const vitest = (project: string, backend: 'pglite' | 'postgres' | 'hosted' | '-', files: string[] = []) => {
	const report = path.join(reportDir, `${project}-${backend}.json`);
	steps.push({
		name: project,
		backend,
		command: bin('vitest'),
		args: [
			'run',
			'--project',
			project,
			'--reporter=default',
			'--reporter=json',
			`--outputFile.json=${report}`,
			...files
		],
		env: backend === 'postgres' ? { ...process.env, DATABASE_URL: serverUrl } : withoutServer,
		report,
		kind: 'vitest',
		hosted: backend === 'hosted'
	});
};

vitest('unit', '-');
vitest('unit-client', '-');
vitest('db', 'pglite');
vitest('localbase', 'pglite');
if (existsSync(path.join(root, 'tests', 'app'))) vitest('app', 'pglite');
if (existsSync(path.join(root, 'tests', 'push'))) vitest('push', 'pglite');
if (serverUrl) {
	vitest('db', 'postgres');
	vitest('localbase', 'postgres');
	if (existsSync(path.join(root, 'tests', 'push'))) vitest('push', 'postgres');
	// Terminated connections, a killed process, dropped sockets: only a server has them.
	vitest('faults', 'postgres');
	vitest('cli', 'postgres');
	// Migrations applied as the hosted postgres: the database suite, and the CLI's push and advisors
	// (the generated types are the same as on the server run).
	vitest('db', 'hosted');
	vitest('cli', 'hosted', ['tests/cli/supabase-cli.test.ts']);
} else {
	console.log(
		'DATABASE_URL is not set: the server runs of the db/localbase suites, the fault suite and the CLI checks are skipped.'
	);
}
if (existsSync(path.join(root, 'playwright.config.ts'))) {
	const report = path.join(reportDir, 'e2e.json');
	steps.push({
		name: 'e2e',
		backend: 'pglite',
		command: bin('playwright'),
		args: ['test', '--reporter=list,json'],
		env: { ...withoutServer, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
		report,
		kind: 'playwright'
	});
}

// `npm test -- db cli`: only the named suites (on every backend they run on).
const only = process.argv.slice(2);
if (only.length) steps.splice(0, steps.length, ...steps.filter((step) => only.includes(step.name)));

interface Outcome {
	step: Step;
	code: number;
	passed: number;
	failed: number;
	skipped: number;
	/** Failed, then passed on the CI retry (Playwright only). */
	flaky: number;
	/** Each failed or flaky test with the first lines of its error (failuresIn). */
	failures: string[];
	seconds: number;
}

/** A vitest or Playwright JSON report, read only as far as the counts and failures need. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Report = Record<string, any>;

let hostedCluster: HostedCluster | undefined;

async function runStep(step: Step): Promise<Outcome> {
	console.log(`\n=== ${step.name} (${step.backend}) ===`);
	const started = Date.now();
	let env = step.env;
	if (step.hosted) {
		if (!hostedCluster) {
			try {
				hostedCluster = await startHostedCluster();
			} catch (err) {
				console.error('could not start the hosted-like Postgres cluster:', err);
				return { step, code: 1, passed: 0, failed: 1, skipped: 0, flaky: 0, failures: [], seconds: 0 };
			}
			console.log(`hosted-like cluster started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		}
		env = { ...step.env, DATABASE_URL: hostedCluster.superuserUrl, SPOTTER_HOSTED_ROLES: '1' };
	}
	const code = await new Promise<number>((resolve) => {
		const child = spawn(step.command, step.args, { cwd: root, env, stdio: 'inherit' });
		child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
		child.on('error', (err) => {
			console.error(`could not start ${step.command}:`, err);
			resolve(1);
		});
	});
	const report = await readReport(step);
	return {
		step,
		code,
		...countsIn(step, report),
		failures: report ? failuresIn(step, report) : [`  no readable JSON report at ${step.report}`],
		seconds: (Date.now() - started) / 1000
	};
}

/**
 * The runner's JSON report, or undefined when there is none (the runner did not get to run the
 * suite) or it is cut short (the runner was killed while writing it): the suite then counts as failed.
 */
async function readReport(step: Step): Promise<Report | undefined> {
	const text = await readFile(step.report, 'utf8').catch(() => undefined);
	if (!text) return undefined;
	try {
		return JSON.parse(text) as Report;
	} catch {
		return undefined;
	}
}

/** "file > test: first lines of the error" for each test that failed (or was flaky) in a report. */
function failuresIn(step: Step, json: Report): string[] {
	const firstLines = (message: string) =>
		// Playwright's and vitest's messages carry terminal colours; the stack is left out.
		stripVTControlCharacters(message)
			.split('\n')
			.filter((line) => line.trim() && !/^\s*at /.test(line))
			.slice(0, 8)
			.map((line) => `      ${line.trimEnd()}`)
			.join('\n');
	const found: string[] = [];
	if (step.kind === 'vitest') {
		for (const file of json.testResults ?? []) {
			const where = path.relative(root, file.name ?? '');
			for (const test of file.assertionResults ?? []) {
				if (test.status !== 'failed') continue;
				found.push(`  ${where} > ${test.fullName}\n${firstLines((test.failureMessages ?? []).join('\n'))}`);
			}
			// A file that failed outside any test (an import, a hook) has no failed test to name.
			if (
				file.status === 'failed' &&
				!(file.assertionResults ?? []).some((t: { status: string }) => t.status === 'failed')
			) {
				found.push(`  ${where}\n${firstLines(file.message ?? '')}`);
			}
		}
		return found;
	}
	const walk = (suite: { specs?: unknown[]; suites?: unknown[] }) => {
		for (const spec of (suite.specs ?? []) as {
			title: string;
			file: string;
			line: number;
			tests: { status: string; results: { error?: { message?: string } }[] }[];
		}[]) {
			for (const test of spec.tests) {
				if (test.status !== 'unexpected' && test.status !== 'flaky') continue;
				const error = test.results.find((r) => r.error)?.error?.message ?? '';
				found.push(
					`  ${test.status === 'flaky' ? '(flaky) ' : ''}${spec.file}:${spec.line} > ${spec.title}\n${firstLines(error)}`
				);
			}
		}
		for (const child of (suite.suites ?? []) as { specs?: unknown[]; suites?: unknown[] }[]) walk(child);
	};
	for (const suite of json.suites ?? []) walk(suite);
	return found;
}

function countsIn(
	step: Step,
	json: Report | undefined
): { passed: number; failed: number; skipped: number; flaky: number } {
	if (!json) return { passed: 0, failed: 1, skipped: 0, flaky: 0 };
	if (step.kind === 'vitest') {
		return {
			passed: json.numPassedTests ?? 0,
			failed: (json.numFailedTests ?? 0) + (json.success === false && !json.numFailedTests ? 1 : 0),
			skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
			flaky: 0
		};
	}
	const stats = json.stats ?? {};
	return {
		passed: stats.expected ?? 0,
		failed: stats.unexpected ?? 0,
		skipped: stats.skipped ?? 0,
		flaky: stats.flaky ?? 0
	};
}

const outcomes: Outcome[] = [];
try {
	for (const step of steps) outcomes.push(await runStep(step));
} finally {
	hostedCluster?.stop();
}

console.log('\n suite        backend    passed  failed  skipped  flaky  seconds');
for (const o of outcomes) {
	console.log(
		` ${o.step.name.padEnd(12)} ${o.step.backend.padEnd(9)} ${String(o.passed).padStart(7)} ${String(o.failed).padStart(7)} ${String(o.skipped).padStart(8)} ${String(o.flaky).padStart(6)} ${o.seconds.toFixed(1).padStart(8)}${o.code === 0 ? '' : '  ✗'}`
	);
}
// The failures again, after the table: a long run's log is often read from its end.
for (const o of outcomes) {
	if (o.code === 0 && o.failed === 0 && o.flaky === 0) continue;
	const { failures } = o;
	console.log(`\n${o.step.name} (${o.step.backend}):`);
	console.log(
		failures.length ? failures.join('\n') : `  exited with ${o.code}; no failed test in its report`
	);
}
const flaky = outcomes.reduce((n, o) => n + o.flaky, 0);
if (flaky > 0) {
	console.log(
		`\nWARNING: ${flaky} flaky test(s) failed first and passed only on the CI retry (not counted as passed).`
	);
}
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
const skipped = outcomes.reduce((n, o) => n + o.skipped, 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(outcomes.every((o) => o.code === 0) && failed === 0 ? 0 : 1);
