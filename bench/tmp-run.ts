import { openPostgres } from '../db/postgres.ts';
import { pairs } from './data.ts';
import { searchBenchmarks } from './search.ts';
import { renderTable } from './report.ts';
import { modes } from './modes.ts';
const db = await openPostgres(process.env.KEEP_URL!, 4);
const trainers = new Map<number, { size: number; id: string; sessionId: string }>();
for (const r of (await db.query<{ size: number; id: string; session_id: string }>('select * from bench.trainers')).rows)
	trainers.set(r.size, { size: r.size, id: r.id, sessionId: r.session_id });
const [deep] = await pairs(db, 'trainer_size = 5000 and rank = 0', []);
const data = { trainers, deep, messageTotal: 1_110_000, loadSeconds: 0, verified: [] };
console.log(renderTable(await searchBenchmarks(db, data as never, modes.full.sql, (l) => console.log(l))));
await db.close();
