import { loadData } from './data.ts';
import { createScratchDatabase } from './lib/database.ts';
import { modes } from './modes.ts';
const scratch = await createScratchDatabase(process.env.DATABASE_URL, 'keep');
const data = await loadData(scratch.db, modes.full.data, (l) => console.log(l));
await scratch.db.exec(`insert into private.message_search (message_id, conversation_id, trainer_id, trainee_id, created_at, words)
		select m.id, m.conversation_id, c.trainer_id, c.trainee_id, m.created_at, private.message_search_vector(m.body)
		from public.messages m join public.conversations c on c.id = m.conversation_id; analyze private.message_search;`);
const t = data.trainers.get(5000)!;
console.log(JSON.stringify({ url: scratch.url, trainer: t.id, session: t.sessionId, deep: data.deep }));
await scratch.db.close();
