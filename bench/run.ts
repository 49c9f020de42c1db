// `npm run bench [-- --quick]`: builds Spotter's data at scale in a scratch database, measures every
// comparison listed in bench/README.md side by side in one run, prints one table and writes
// bench/results/latest.json.
// Reports timings; never asserts them (CI runs --quick only to prove the benchmarks still run).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadData } from './data.ts';
import { describePageJs, measurePageJs, pageJsRows, type PageJs } from './app.ts';
import { broadcastBenchmarks } from './broadcast.ts';
import { browserBenchmarks } from './browser.ts';
import { createScratchDatabase, type ScratchDatabase } from './lib/database.ts';
import { modes } from './modes.ts';
import { pushBenchmarks } from './push.ts';
import { realtimeBenchmarks } from './realtime.ts';
import { searchBenchmarks } from './search.ts';
import { storageBenchmarks } from './storage.ts';
import { machine, renderTable, writeResults, type Row } from './report.ts';
import { conversationList, historyPaging, sendPath, unreadTotal } from './sql.ts';
import { runScript } from './lib/script.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const serverUrl = process.env.DATABASE_URL || undefined;

/** 1-, 5- and 15-minute load averages: the machine is shared, and timings move with its load. */
const load = () =>
	os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ');

async function main(): Promise<void> {
	const mode = modes[quick ? 'quick' : 'full'];
	const started = Date.now();
	const log = (line: string) => console.log(line);
	const rows: Row[] = [];
	const loadAtStart = load();

	const scratch = await createScratchDatabase(serverUrl, 'data');
	log(`Spotter benchmarks (${quick ? 'quick' : 'full'} mode) on ${scratch.label}`);
	if (!serverUrl) log('  (set DATABASE_URL to run on a Postgres server instead)');
	log(`  load average at start (1/5/15 min, ${os.cpus().length} cores): ${loadAtStart}`);
	let dataInfo: Record<string, unknown>;
	try {
		log('Loading data…');
		const data = await loadData(scratch.db, mode.data, log);
		dataInfo = {
			trainers: mode.data.sizes,
			messages: data.messageTotal,
			deepConversationMessages: data.deep.messages,
			loadSeconds: data.loadSeconds,
			aggregatesVerifiedOn: data.verified.length
		};
		log('Measuring the database paths…');
		rows.push(...(await conversationList(scratch.db, data, mode.sql)));
		log('  1 conversation list done');
		rows.push(...(await historyPaging(scratch.db, data, mode.sql)));
		log('  3 history paging done');
		rows.push(...(await unreadTotal(scratch.db, data, mode.sql)));
		log('  4 unread total done');
		rows.push(...(await sendPath(scratch.db, data, mode.sql)));
		log('  2 send path done');
		rows.push(...(await searchBenchmarks(scratch.db, data, mode.sql, log)));
		log('  7 search done');
		rows.push(...(await pushBenchmarks(scratch.db, data, mode.push, log)));
		log('  6 push dispatcher done');
		// Quick mode runs section 8 last on this database (after every measurement of it), sparing two
		// migrations; a full run gives it scratch databases of its own (below), so that localbase's
		// cron and pruning over a million messages do not move the upload timings.
		if (quick) rows.push(...(await mediaBenchmarks(mode, log, scratch)));
	} finally {
		await scratch.release();
	}

	log('Measuring realtime through localbase…');
	rows.push(...(await realtimeBenchmarks(serverUrl, mode.realtime, log)));
	if (!quick) rows.push(...(await mediaBenchmarks(mode, log)));

	// Last, so that the build's CPU use cannot overlap a timed section. The browser measurements run
	// on the same production build, once it is measured.
	log('Building the app for the messages page JavaScript and the browser measurements…');
	let pageJs: PageJs | undefined;
	try {
		pageJs = await measurePageJs(
			log,
			process.argv.includes('--app-at-head') ? 'HEAD' : 'worktree',
			async (dir) => {
				log('Measuring in Chromium…');
				try {
					rows.push(...(await browserBenchmarks(dir, mode.browser, log, serverUrl)));
				} catch (err) {
					// Reported in the table, loudly; the other sections stand.
					console.error(err);
					rows.push({
						section: '7 in the browser',
						name: 'browser to browser and cold start',
						missing: `failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`
					});
				}
			}
		);
		rows.push(...pageJsRows(pageJs));
	} catch (err) {
		// The build is not the benchmark's to fix: report it in the table, loudly, and go on.
		console.error(err);
		rows.push({
			section: '6 app and push',
			name: 'messages page JS',
			missing: `build failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`,
			target: { text: '≤ 100 kB gzip', pass: false }
		});
	}

	const order = (r: Row) => Number(r.section[0]);
	rows.sort((a, b) => order(a) - order(b));
	const seconds = (Date.now() - started) / 1000;
	console.log('');
	console.log(renderTable(rows));
	console.log('');
	if (pageJs) {
		for (const line of describePageJs(pageJs)) console.log(line);
		console.log('');
	}
	const loadAtEnd = load();
	console.log(
		`${quick ? 'quick' : 'full'} mode on ${scratch.label}; ${machine().cpus} × ${machine().cpuModel}, ` +
			`Node ${process.version}; ${seconds.toFixed(0)} s in total; ` +
			`load average ${loadAtStart} at start, ${loadAtEnd} at the end`
	);
	const file = path.join(here, 'results', 'latest.json');
	await writeResults(file, {
		date: new Date().toISOString(),
		mode: quick ? 'quick' : 'full',
		backend: scratch.label,
		machine: { ...machine(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAtEnd },
		seconds,
		data: dataInfo,
		rows,
		messagesPageJs: pageJs
	});
	console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

/** Section 8: uploads and broadcast, on `shared` or on scratch databases of their own. */
async function mediaBenchmarks(
	mode: (typeof modes)['full'],
	log: (line: string) => void,
	shared?: ScratchDatabase
): Promise<Row[]> {
	log('Measuring media and coach tools…');
	const rows = [
		...(await storageBenchmarks(mode.media.storageRuns, log, shared)),
		...(await broadcastBenchmarks(serverUrl, mode.media.broadcast, log, shared))
	];
	log('  8 storage and broadcast done');
	return rows;
}

// Everything opened above is closed by now; realtime-js's disconnect() still leaves a 10-second timer
// per client behind (socketAdapter.ts never clears it), so exit rather than wait for them.
runScript(main);
