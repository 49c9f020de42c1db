// `DATABASE_URL=… npx tsx bench/send-parts.ts [--rounds N] [--reps N]`: what parts of a send cost,
// measured by switching them off in a scratch database (bench/README.md, "thirteenth round"). On
// send-path.ts's data set, as a trainee of the 5,000-conversation trainer: `send_message()` with
//   as-is          realtime.send as localbase has it (the platform's function, and localbase's
//                  NOTIFY trigger on realtime.messages, which a hosted project does not have);
//   no-notify      that trigger disabled;
//   no-exception   realtime.send without its exception block (no subtransaction per broadcast);
//   no-broadcast   realtime.send doing nothing: a send that tells no one;
//   no-search-path every function of the project's schemas without its `set search_path` (the
//                  other settings, plan_cache_mode among them, kept);
// each round runs every variant (warm-up sends, then sends interleaved with bare inserts into a
// trigger-less copy, as section 2 does); p50 per round, and the median of the rounds. Never part of
// `npm run bench`: it rewrites platform functions in its own scratch database, which it drops.
import os from 'node:os';
import { loadData, pairs } from './data.ts';
import { asCaller, asOwner, callerFor, newId } from './lib/acting.ts';
import { createScratchDatabase } from './lib/database.ts';
import { summarize } from './lib/stats.ts';
import { runScript } from './lib/script.ts';

const arg = (name: string, fallback: number) => {
	const at = process.argv.indexOf(name);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = arg('--rounds', 8);
const reps = arg('--reps', 150);
const warmup = 30;
const body = 'Same time tomorrow? Bring the training log and your lifting shoes.';

const NOOP_SEND = `create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void language plpgsql as $$ begin end; $$`;
async function main(): Promise<void> {
	const serverUrl = process.env.DATABASE_URL;
	if (!serverUrl) throw new Error('send-parts.ts measures on a Postgres server: set DATABASE_URL');
	const scratch = await createScratchDatabase(serverUrl, 'parts');
	const db = scratch.db;
	const load = () =>
		os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' / ');
	console.log(`send parts on ${scratch.label}; load average ${load()} (${os.cpus().length} cores)`);
	try {
		const data = await loadData(
			db,
			{ sizes: [50, 5000], largestMessages: 50_000, messagesPerConversation: 20, depth: 1_000 },
			(line) => console.log(line)
		);
		const trainer = data.trainers.get(5000)!;
		const senders = (await pairs(db, 'trainer_size = $1 and rank > 0', [5000])).reverse();
		await db.exec(`create table if not exists bench.messages_bare (like public.messages including all)`);
		const platformSend = (
			await db.query<{ d: string }>(
				`select pg_get_functiondef('realtime.send(jsonb,text,text,boolean)'::regprocedure) as d`
			)
		).rows[0].d;
		// The same function without its exception handler: the block runs without a subtransaction.
		const sendWithoutException = platformSend.replace(/\n\s*exception when others then[^;]*;/, '');
		if (sendWithoutException === platformSend)
			throw new Error('realtime.send has no exception block to take out');
		// The project's functions with `set` clauses, as they are, to put back after no-search-path.
		const configuredQuery = `select p.oid::regprocedure::text as f, p.proconfig as config
			from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			where n.nspname in ('public', 'private') and p.proconfig is not null
			order by 1`;
		const configured = (await db.query<{ f: string; config: string[] }>(configuredQuery)).rows;
		const restore = async () => {
			await db.exec(platformSend);
			await db.exec(`alter table realtime.messages enable trigger messages_after_insert_localbase_notify`);
			// Put back exactly as they were (the catalog row itself: this is a scratch database).
			for (const { f, config } of configured) {
				await db.query(`update pg_catalog.pg_proc set proconfig = $2 where oid = $1::regprocedure`, [
					f,
					config
				]);
			}
		};
		const variants: Record<string, () => Promise<void>> = {
			'as-is': async () => {},
			'no-notify': () =>
				db.exec(`alter table realtime.messages disable trigger messages_after_insert_localbase_notify`),
			'no-exception': () => db.exec(sendWithoutException),
			'no-broadcast': () => db.exec(NOOP_SEND),
			'no-search-path': async () => {
				for (const { f } of configured) await db.exec(`alter function ${f} reset search_path`);
			}
		};

		let next = 0;
		let bareSeq = 1_000_000_000;
		const send = async () => {
			const s = senders[next++ % senders.length];
			await asCaller(db, callerFor(s.traineeId, s.sessionId), async (q) => {
				await q.query('select id from public.send_message($1, $2, $3)', [trainer.id, body, newId()]);
			});
		};
		const bare = async () => {
			const s = senders[next % senders.length];
			await asOwner(db, callerFor(s.traineeId, s.sessionId), async (q) => {
				await q.query(
					`insert into bench.messages_bare (id, conversation_id, seq, sender_id, body) values ($1, $2, $3, $4, $5)`,
					[newId(), s.conversationId, bareSeq++, s.traineeId, body]
				);
			});
		};
		// Every sender's sends so far an hour back (triggers off), so the rate limit never refuses.
		const moveBack = () =>
			db.transaction(async (tx) => {
				await tx.exec(`set local session_replication_role = replica`);
				await tx.exec(
					`update public.messages set created_at = created_at - interval '1 hour'
					 where created_at > now() - interval '10 minutes'`
				);
			});

		const p50s: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
		const bareP50s: number[] = [];
		for (let round = 1; round <= rounds; round++) {
			for (const [name, apply] of Object.entries(variants)) {
				await restore();
				await apply();
				await moveBack();
				for (let i = 0; i < warmup; i++) await send();
				const sends: number[] = [];
				const bares: number[] = [];
				for (let i = 0; i < reps; i++) {
					let t = performance.now();
					await send();
					sends.push(performance.now() - t);
					t = performance.now();
					await bare();
					bares.push(performance.now() - t);
				}
				p50s[name].push(summarize(sends).p50);
				bareP50s.push(summarize(bares).p50);
			}
			console.log(`  round ${round} done; load average ${load()}`);
		}
		await restore();
		const after = await db.query<{ f: string; config: string[] }>(configuredQuery);
		if (JSON.stringify(after.rows) !== JSON.stringify(configured))
			throw new Error("the functions' settings were not put back as they were");

		const median = (values: number[]) => summarize(values).p50;
		const bareMedian = median(bareP50s);
		console.log('');
		console.log(`bare insert: median of ${bareP50s.length} p50s ${bareMedian.toFixed(3)} ms`);
		for (const [name, values] of Object.entries(p50s)) {
			const m = median(values);
			console.log(
				`${name.padEnd(14)} send_message() p50 ${m.toFixed(3)} ms (rounds ${Math.min(...values).toFixed(3)}–${Math.max(
					...values
				).toFixed(3)})  ${(m / bareMedian).toFixed(2)}× bare`
			);
		}
	} finally {
		await scratch.release();
	}
}

runScript(main);
