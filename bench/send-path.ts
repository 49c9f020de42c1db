// `[DATABASE_URL=…] npx tsx bench/send-path.ts [--runs N] [--reps N] [--messages N]`: section 2 (the
// send path) alone, on a smaller data set than a full run's, so that a change to the message
// triggers can be measured in a minute or two (bench/README.md, "Send path alone").
// The trainers have 50 and 5,000 conversations like the full data set (one in three with unread
// messages); only the number of messages is smaller (default 50,000 in the largest trainer's).
import os from 'node:os';
import { loadData } from './data.ts';
import { createScratchDatabase } from './lib/database.ts';
import { modes } from './modes.ts';
import { renderTable, type Row } from './report.ts';
import { sendPath } from './sql.ts';
import { runScript } from './lib/script.ts';

const arg = (name: string, fallback: number) => {
	const at = process.argv.indexOf(name);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg('--runs', 2);
const reps = arg('--reps', modes.full.sql.reps);
const largestMessages = arg('--messages', 50_000);
const serverUrl = process.env.DATABASE_URL || undefined;
const load = () =>
	os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ');

async function main(): Promise<void> {
	const scratch = await createScratchDatabase(serverUrl, 'send');
	console.log(`send path on ${scratch.label}; load average ${load()} (${os.cpus().length} cores)`);
	try {
		const data = await loadData(
			scratch.db,
			{ sizes: [50, 5000], largestMessages, messagesPerConversation: 20, depth: 1_000 },
			(line) => console.log(line)
		);
		const rows: Row[] = [];
		for (let run = 1; run <= runs; run++) {
			// Each run takes ≤ 25 sends per trainee from its own senders (sendPath's rule), so runs
			// after the first would meet the 30-per-minute limit: the earlier runs' sends are moved
			// an hour back between runs, outside any timing; the bare copy is emptied (sendPath numbers
			// its rows from the same start every run).
			if (run > 1)
				await scratch.db.transaction(async (tx) => {
					await tx.exec(`truncate bench.messages_bare`);
					await tx.exec(`set local session_replication_role = replica`);
					await tx.exec(
						`update public.messages set created_at = created_at - interval '1 hour'
						 where created_at > now() - interval '10 minutes'`
					);
				});
			const result = await sendPath(scratch.db, data, { ...modes.full.sql, reps });
			rows.push(...result.map((r) => ({ ...r, name: `run ${run}: ${r.name}` })));
			console.log(`  run ${run} done; load average ${load()}`);
		}
		console.log('');
		console.log(renderTable(rows));
	} finally {
		await scratch.release();
	}
}

runScript(main);
