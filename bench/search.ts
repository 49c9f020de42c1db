// Section 7: message search (search_messages) over the whole data set (1.11 million messages in a
// full run), as the user (RLS on, excerpt marked), each query interleaved with its floor: the same
// index probe over the same conversations as the owner, without RLS and without the excerpt.
// `npx tsx bench/search.ts [--quick]` builds the data and runs this section alone.
import type { Db, Queryable } from '../db/index.ts';
import { asCaller, asOwner, callerFor } from './lib/acting.ts';
import { interleave, summarize } from './lib/stats.ts';
import { pairs, type DataSet } from './data.ts';
import type { Row } from './report.ts';
import type { SqlOptions } from './sql.ts';

/** What a person types: a common word's first letters, two words, and a rare token (a "#n" number). */
const queries = [
	{ label: 'one common word, 3 letters ("squ", 1 message in 8)', text: 'squ' },
	{ label: 'two words as typed ("knee sor", 1 in 8)', text: 'knee sor' },
	{ label: 'a rare token ("12345", a handful)', text: '12345' }
];

// The same probe as search_messages (both branches: a user is a trainer or a trainee), as the owner:
// no RLS, no excerpt, no join back to the messages.
const branch = (column: 'trainer_id' | 'trainee_id') => `
	(select s.message_id, s.created_at from private.message_search s
	 where s.${column} = $2 and s.words @@ private.message_search_query($1)
	 order by s.created_at desc, s.message_id desc limit 20)`;
const floorSql = `
	select h.message_id from (${branch('trainer_id')} union all ${branch('trainee_id')}) h
	order by h.created_at desc, h.message_id desc limit 20`;

/**
 * The data builder inserts messages with triggers off, so it fills the search table here, as its
 * trigger (private.handle_message_search) would have.
 */
export async function fillSearchTable(db: Db): Promise<void> {
	await db.exec(`
		insert into private.message_search (message_id, conversation_id, trainer_id, trainee_id, created_at, words)
		select m.id, m.conversation_id, c.trainer_id, c.trainee_id, m.created_at, private.message_search_vector(m.body)
		from public.messages m join public.conversations c on c.id = m.conversation_id
		where m.deleted_at is null
		on conflict (message_id) do nothing;
		analyze private.message_search;
	`);
}

export async function searchBenchmarks(
	db: Db,
	data: DataSet,
	o: SqlOptions,
	log: (line: string) => void = () => {}
): Promise<Row[]> {
	await fillSearchTable(db);
	const largest = Math.max(...data.trainers.keys());
	const trainer = data.trainers.get(largest)!;
	const [smallPair] = await pairs(db, 'trainer_size = $1 and rank = 1', [largest]);
	const { rows: counts } = await db.query<{ messages: number; conversations: number }>(
		`select (select count(*)::int from public.messages m join public.conversations c on c.id = m.conversation_id
		         where c.trainer_id = $1) as messages,
		        (select count(*)::int from public.conversations where trainer_id = $1) as conversations`,
		[trainer.id]
	);
	const actors = [
		{
			who: `trainer with ${fmt(counts[0].conversations)} conversations, ${fmt(counts[0].messages)} messages`,
			id: trainer.id,
			caller: callerFor(trainer.id, trainer.sessionId)
		},
		{
			who: `trainee with the ${fmt(data.deep.messages)}-message conversation`,
			id: data.deep.traineeId,
			caller: callerFor(data.deep.traineeId, data.deep.sessionId)
		},
		{
			who: `trainee with ${fmt(smallPair.messages)} messages`,
			id: smallPair.traineeId,
			caller: callerFor(smallPair.traineeId, smallPair.sessionId)
		}
	];
	const rows: Row[] = [];
	const trainerP50s: number[] = [];
	for (const actor of actors) {
		for (const q of queries) {
			let hits = 0;
			let floorHits = 0;
			const ours = async (tx: Queryable) => {
				hits = (await tx.query('select * from public.search_messages($1)', [q.text])).rows.length;
			};
			const floor = async (tx: Queryable) => {
				floorHits = (await tx.query(floorSql, [q.text, actor.id])).rows.length;
			};
			// Fewer repetitions than the other sections: nine query × user pairs, each tens of milliseconds.
			const samples = await interleave(
				{
					ours: async () => void (await asCaller(db, actor.caller, ours)),
					floor: async () => void (await asOwner(db, actor.caller, floor))
				},
				Math.min(o.reps, 100),
				Math.min(o.warmup, 10)
			);
			if (hits !== floorHits)
				throw new Error(`search found ${hits}, its floor ${floorHits}: not the same probe`);
			const s = summarize(samples.ours);
			const f = summarize(samples.floor);
			log(`    ${actor.who}, "${q.text}": p50 ${s.p50.toFixed(2)} ms (floor ${f.p50.toFixed(2)} ms)`);
			if (actor.id === trainer.id) trainerP50s.push(s.p50);
			rows.push({
				section: '7 search',
				name: `search_messages, ${actor.who}: ${q.label}, ${hits} hits`,
				summary: s,
				queries: 1,
				ratio: `${(s.p50 / f.p50).toFixed(2)}× floor (${f.p50.toFixed(2)} ms)`
			});
		}
	}
	const median = [...trainerP50s].sort((p, q) => p - q)[Math.floor(trainerP50s.length / 2)];
	const { rows: total } = await db.query<{ n: number }>('select count(*)::int as n from public.messages');
	rows.push({
		section: '7 search',
		name: `search p50 over ${fmt(total[0].n)} messages (the largest trainer, median of the three queries)`,
		value: `${median.toFixed(2)} ms`,
		target: { text: '≤ 100 ms (as you type)', pass: median <= 100 }
	});
	return rows;
}

const fmt = (n: number) => n.toLocaleString('en-US');

// `npx tsx bench/search.ts [--quick]`: this section alone, on DATABASE_URL or PGlite.
if (import.meta.url === `file://${process.argv[1]}`) {
	const { loadData } = await import('./data.ts');
	const { createScratchDatabase } = await import('./lib/database.ts');
	const { modes } = await import('./modes.ts');
	const { renderTable } = await import('./report.ts');
	const mode = modes[process.argv.includes('--quick') ? 'quick' : 'full'];
	const scratch = await createScratchDatabase(process.env.DATABASE_URL || undefined, 'search');
	try {
		const data = await loadData(scratch.db, mode.data, (line) => console.log(line));
		const log = (line: string) => console.log(line);
		console.log(renderTable(await searchBenchmarks(scratch.db, data, mode.sql, log)));
		console.log(`on ${scratch.label}`);
	} finally {
		await scratch.release();
	}
}
