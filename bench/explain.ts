// `DATABASE_URL=… npx tsx bench/explain.ts [--quick]`: the plans behind the benchmark's numbers, on
// the same data set (bench/README.md, "Reading the results"). Needs a Postgres server (auto_explain).
// Every statement runs as the user, framed as PostgREST frames it, in a transaction that is rolled
// back, so the data set is the same before and after.
//   - list_conversations / list_messages / unread_total / search_messages (PL/pgSQL): each called as
//     the user on one connection until its statements' plans are the ones that connection keeps
//     reusing (plan cache: custom plans for the first five calls), then once more under auto_explain
//     with nested statements: every statement it ran with its duration, and the slowest ones' plans
//     (EXPLAIN ANALYZE, BUFFERS);
//   - the N+1 pattern's two per-row statements;
//   - the send path: the insert's trigger times (EXPLAIN ANALYZE of send_message's INSERT, median of
//     `--reps` runs) next to the bare insert, then every statement send_message runs, nested ones
//     included, with its duration (auto_explain at NOTICE level, log_analyze without per-node timing).
import pg from 'pg';
import type { Queryable } from '../db/index.ts';
import { actAs, type Caller } from '../localbase/request-auth.ts';
import { loadData, pairs } from './data.ts';
import { callerFor, newId } from './lib/acting.ts';
import { createScratchDatabase } from './lib/database.ts';
import { summarize } from './lib/stats.ts';
import { modes } from './modes.ts';
import { fillSearchTable } from './search.ts';
import { runScript } from './lib/script.ts';

const quick = process.argv.includes('--quick');
const serverUrl = process.env.DATABASE_URL;
const repsAt = process.argv.indexOf('--reps');
const reps = repsAt > 0 ? Number(process.argv[repsAt + 1]) : 30;

async function main(): Promise<void> {
	if (!serverUrl) throw new Error('bench/explain.ts needs DATABASE_URL (a Postgres server: auto_explain)');
	const mode = modes[quick ? 'quick' : 'full'];
	const scratch = await createScratchDatabase(serverUrl, 'explain');
	const client = new pg.Client({ connectionString: scratch.url });
	try {
		console.log(`EXPLAIN on ${scratch.label} (${quick ? 'quick' : 'full'} data)`);
		const data = await loadData(scratch.db, mode.data, (l) => console.log(l));
		await scratch.db.exec(
			`create table if not exists bench.messages_bare (like public.messages including all)`
		);
		await client.connect();
		const notices: string[] = [];
		client.on('notice', (n) => notices.push(n.message ?? ''));
		const q: Queryable = {
			query: async (sql, params) => {
				const r = await client.query(sql, params as unknown[]);
				return { rows: r.rows, rowCount: r.rowCount ?? 0, fields: r.fields };
			},
			exec: async (sql) => void (await client.query(sql))
		};
		/** `fn` as `caller` (or as the owner when caller.role is postgres), rolled back. */
		const inTx = async <T>(caller: Caller, fn: () => Promise<T>, before = ''): Promise<T> => {
			await client.query('begin');
			try {
				if (before) await client.query(before);
				await actAs(q, caller);
				return await fn();
			} finally {
				await client.query('rollback');
			}
		};
		const plan = async (sql: string, params: unknown[] = []) =>
			(await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`, params)).rows
				.map((r) => r['QUERY PLAN'])
				.join('\n');
		/** auto_explain for the rest of the transaction: every statement, nested ones, as NOTICEs. */
		const autoExplain = (timing: boolean) => `load 'auto_explain';
			 set local auto_explain.log_min_duration = 0;
			 set local auto_explain.log_analyze = on;
			 set local auto_explain.log_timing = ${timing ? 'on' : 'off'};
			 set local auto_explain.log_buffers = on;
			 set local auto_explain.log_nested_statements = on;
			 set local auto_explain.log_level = notice;
			 set local client_min_messages = notice;`;
		/** The statements auto_explain reported since `notices` was last emptied, slowest first. */
		const explainedStatements = () =>
			notices
				.map((n) => {
					const m = /duration: ([\d.]+) ms\s+plan:\s*\n?Query Text: ([\s\S]*?)\n(\S[\s\S]*)$/.exec(n);
					return m ? { ms: Number(m[1]), text: m[2].replace(/\s+/g, ' ').slice(0, 150), plan: m[3] } : null;
				})
				.filter((x): x is { ms: number; text: string; plan: string } => x !== null)
				.sort((a, b) => b.ms - a.ms);
		/**
		 * `sql` as `caller`: called WARM_CALLS times on this connection (PL/pgSQL keeps each statement's
		 * plan for the session; the plan cache tries custom plans for the first five calls, then keeps
		 * the generic plan if it is not dearer), then once more under auto_explain. Returns the
		 * statements it ran, slowest first, and the plans of the `plans` slowest nested ones.
		 */
		const WARM_CALLS = 6;
		const nestedPlans = async (caller: Caller, sql: string, params: unknown[], plans = 1) =>
			inTx(
				caller,
				async () => {
					for (let i = 0; i < WARM_CALLS; i++) await client.query(sql, params);
					notices.length = 0;
					await client.query(sql, params);
					const statements = explainedStatements();
					const nested = statements.filter((st) => st.text.replace(/\s+/g, ' ') !== sql.replace(/\s+/g, ' '));
					return [
						...statements.map((st) => `${st.ms.toFixed(3).padStart(8)} ms  ${st.text}`),
						...nested.slice(0, plans).map((st) => `--- plan: ${st.text}\n${st.plan}`)
					].join('\n');
				},
				autoExplain(true)
			);
		const print = (title: string, text: string) => console.log(`\n=== ${title}\n${text}`);

		const sizes = [...data.trainers.keys()].sort((a, b) => a - b);
		const smallest = data.trainers.get(sizes[0])!;
		const largest = data.trainers.get(sizes[sizes.length - 1])!;

		// 1. The conversation list and the N+1 pattern.
		for (const t of [smallest, largest]) {
			const caller = callerFor(t.id, t.sessionId);
			print(
				`list_conversations(30), trainer with ${t.size} conversations`,
				await nestedPlans(caller, 'select * from public.list_conversations(page_size => $1)', [30])
			);
		}
		{
			const caller = callerFor(smallest.id, smallest.sessionId);
			const [first] = await pairs(scratch.db, 'trainer_size = $1 and rank > 0', [smallest.size]);
			print(
				`N+1 per-row statements (x30 each per page), trainer with ${smallest.size} conversations`,
				await inTx(caller, async () =>
					[
						await plan(
							`select body, created_at, sender_id from public.messages
							 where conversation_id = $1 order by seq desc limit 1`,
							[first.conversationId]
						),
						await plan(
							`select count(*) from public.messages
							 where conversation_id = $1 and read_at is null and sender_id <> $2`,
							[first.conversationId, smallest.id]
						)
					].join('\n---\n')
				)
			);
		}

		// 3. History paging, 4. unread total.
		{
			const caller = callerFor(largest.id, largest.sessionId);
			const { rows } = await scratch.db.query<{ last: number }>(
				'select last_message_seq as last from public.conversations where id = $1',
				[data.deep.conversationId]
			);
			for (const before of [null, rows[0].last - mode.sql.depth]) {
				print(
					`list_messages(20), before_seq ${before}`,
					await nestedPlans(caller, 'select * from public.list_messages($1, $2, 20)', [
						data.deep.conversationId,
						before
					])
				);
			}
			print(
				`unread_total(), trainer with ${largest.size} conversations`,
				await nestedPlans(caller, 'select public.unread_total()', [])
			);
		}

		// 7. Search, as the largest trainer (the search table filled as its trigger would have).
		await fillSearchTable(scratch.db);
		for (const query of ['squ', 'knee sor']) {
			print(
				`search_messages('${query}'), trainer with ${largest.size} conversations`,
				await nestedPlans(
					callerFor(largest.id, largest.sessionId),
					'select * from public.search_messages($1)',
					[query]
				)
			);
		}

		// 2. The send path, for a trainee of the largest trainer.
		const senders = (await pairs(scratch.db, 'trainer_size = $1 and rank > 0', [largest.size])).reverse();
		const body = 'Same time tomorrow? Bring the training log and your lifting shoes.';
		const triggerTimes = new Map<string, number[]>();
		const totals = { insert: [] as number[], bare: [] as number[] };
		for (let i = 0; i < reps; i++) {
			const s = senders[i % senders.length];
			const caller = callerFor(s.traineeId, s.sessionId);
			const text = await inTx(caller, () =>
				plan(`insert into public.messages (id, conversation_id, sender_id, body) values ($1, $2, $3, $4)`, [
					newId(),
					s.conversationId,
					s.traineeId,
					body
				])
			);
			for (const m of text.matchAll(/Trigger (\S+)(?: on \S+)?: time=([\d.]+) calls=(\d+)/g)) {
				const list = triggerTimes.get(m[1]) ?? [];
				list.push(Number(m[2]));
				triggerTimes.set(m[1], list);
			}
			totals.insert.push(Number(/Execution Time: ([\d.]+)/.exec(text)?.[1] ?? NaN));
			const bare = await inTx({ ...caller, role: 'postgres' }, () =>
				plan(
					`insert into bench.messages_bare (id, conversation_id, seq, sender_id, body) values ($1, $2, $3, $4, $5)`,
					[newId(), s.conversationId, 1_000_000_000 + i, s.traineeId, body]
				)
			);
			totals.bare.push(Number(/Execution Time: ([\d.]+)/.exec(bare)?.[1] ?? NaN));
			if (i === reps - 1) print('INSERT into public.messages as the trainee (last run)', text);
		}
		const med = (xs: number[]) => summarize(xs).p50.toFixed(3);
		print(
			`send path: medians over ${reps} rolled-back inserts to the ${largest.size}-conversation trainer (ms)`,
			[
				`bare INSERT into bench.messages_bare (owner): ${med(totals.bare)}`,
				`INSERT into public.messages as the trainee:   ${med(totals.insert)} (execution, triggers included)`,
				...[...triggerTimes].map(([name, xs]) => `  trigger ${name}: ${med(xs)}`)
			].join('\n')
		);

		const s = senders[0];
		notices.length = 0;
		await inTx(
			callerFor(s.traineeId, s.sessionId),
			() => client.query('select id from public.send_message($1, $2, $3)', [largest.id, body, newId()]),
			autoExplain(false)
		);
		const statements = explainedStatements();
		print(
			`send_message(): every statement it ran, nested ones included (auto_explain), slowest first`,
			statements
				.slice(0, 15)
				.map((st) => `${st.ms.toFixed(3).padStart(8)} ms  ${st.text}`)
				.join('\n')
		);
		const slow = statements.find((st) => !/send_message|insert into public\.messages/i.test(st.text));
		if (slow) print(`slowest nested statement's plan: ${slow.text}`, slow.plan);
	} finally {
		await client.end().catch((err: unknown) => console.error('closing the explain connection failed:', err));
		await scratch.release();
	}
}

runScript(main);
