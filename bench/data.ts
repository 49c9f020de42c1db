// Builds the benchmark's data set at scale, fast: users through auth.users (profiles come from
// the real trigger), conversations and messages inserted with triggers off, then one set-based
// UPDATE that computes what the triggers would have maintained — checked against the real
// triggers on a sample before anything is measured.
import type { Db, Queryable } from '../db/index.ts';

export interface DataPlan {
	/** Conversations per trainer, e.g. [50, 500, 5000]; one trainer per size. */
	sizes: number[];
	/** Messages in the largest trainer's conversations in total (the deep one included). */
	largestMessages: number;
	/** Messages in every other trainer's conversations, on average. */
	messagesPerConversation: number;
	/** History depth to page at: the largest trainer's newest conversation has depth + 100 messages. */
	depth: number;
}

export interface Trainer {
	size: number;
	id: string;
	sessionId: string;
}

export interface Pair {
	trainerSize: number;
	rank: number;
	traineeId: string;
	sessionId: string;
	conversationId: string;
	messages: number;
}

export interface DataSet {
	trainers: Map<number, Trainer>;
	/** The conversation with `depth` + 100 messages (the largest trainer's most recent). */
	deep: Pair;
	messageTotal: number;
	loadSeconds: number;
	verified: string[];
}

const phrases = [
	'Great session today, legs felt strong',
	'Can we move Thursday to 7am?',
	'Logged 3x5 squats at 100kg, RPE 8',
	'Remember to deload next week and sleep more',
	'Knee is a bit sore after the lunges',
	'Nice work! Add 2.5kg next time',
	'Sending you the new mobility routine tonight',
	'Done with cardio, 30 min zone 2'
];

/** Messages per conversation, deterministic, varied around the mean, summing exactly to `total`. */
function spread(count: number, total: number): number[] {
	const mean = total / count;
	const counts = Array.from({ length: count }, (_, i) =>
		Math.max(1, Math.round(mean * (0.5 + ((i * 7919) % 1000) / 1000)))
	);
	let diff = total - counts.reduce((a, b) => a + b, 0);
	for (let i = 0; diff !== 0; i = (i + 1) % count) {
		const step = diff > 0 ? 1 : counts[i] > 1 ? -1 : 0;
		counts[i] += step;
		diff -= step;
	}
	return counts;
}

export async function loadData(db: Db, plan: DataPlan, log: (line: string) => void): Promise<DataSet> {
	const started = Date.now();
	const largest = Math.max(...plan.sizes);
	const sizes: number[] = [];
	const ranks: number[] = [];
	const counts: number[] = [];
	for (const size of plan.sizes) {
		let perConversation: number[];
		if (size === largest) {
			const deep = plan.depth + 100;
			perConversation = [deep, ...spread(size - 1, plan.largestMessages - deep)];
		} else {
			perConversation = spread(size, size * plan.messagesPerConversation);
		}
		perConversation.forEach((n, rank) => {
			sizes.push(size);
			ranks.push(rank);
			counts.push(n);
		});
	}
	const messageTotal = counts.reduce((a, b) => a + b, 0);

	await db.exec(`
		create schema bench;
		comment on schema bench is 'Benchmark scaffolding (scratch database only).';
		create table bench.trainers (
			size integer primary key,
			id uuid not null default gen_random_uuid(),
			session_id uuid not null default gen_random_uuid()
		);
		create table bench.pairs (
			trainer_size integer not null,
			rank integer not null,
			trainee_id uuid not null default gen_random_uuid(),
			session_id uuid not null default gen_random_uuid(),
			conversation_id uuid not null default gen_random_uuid(),
			messages integer not null,
			primary key (trainer_size, rank)
		);
	`);
	await db.query('insert into bench.trainers (size) select unnest($1::int[])', [plan.sizes]);
	await db.query(
		`insert into bench.pairs (trainer_size, rank, messages)
		 select * from unnest($1::int[], $2::int[], $3::int[])`,
		[sizes, ranks, counts]
	);

	// Users: auth.users rows as Supabase Auth writes them; the profile trigger runs for each.
	await db.exec(`
		insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
			email_confirmed_at, created_at, updated_at)
		select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
			'{"provider":"email","providers":["email"]}', jsonb_build_object('role', u.role, 'display_name', u.name),
			now(), now(), now()
		from (
			select t.id, 'trainer-' || t.size || '@bench.test' as email, 'trainer' as role,
				'Coach ' || t.size as name
			from bench.trainers t
			union all
			select p.trainee_id, 'trainee-' || p.trainer_size || '-' || p.rank || '@bench.test', 'trainee',
				'Trainee ' || p.rank || ' of ' || p.trainer_size
			from bench.pairs p
		) u;
		insert into auth.sessions (id, user_id, created_at, updated_at, aal)
		select session_id, id, now(), now(), 'aal1' from bench.trainers
		union all
		select session_id, trainee_id, now(), now(), 'aal1' from bench.pairs;
	`);
	log(`  users: ${plan.sizes.length} trainers, ${counts.length} trainees (${secondsSince(started)} s)`);

	// Links, conversations and messages with triggers off (replica), aggregates computed after.
	await db.transaction(async (tx) => {
		await tx.exec(`set local session_replication_role = replica`);
		await tx.exec(`
			update public.profiles p set trainer_id = t.id
			from bench.pairs pr join bench.trainers t on t.size = pr.trainer_size
			where p.id = pr.trainee_id;
			insert into public.conversations (id, trainer_id, trainee_id, created_at)
			select pr.conversation_id, t.id, pr.trainee_id, now() - interval '400 days'
			from bench.pairs pr join bench.trainers t on t.size = pr.trainer_size;
		`);
		// Odd seq from the trainee, even from the trainer; one conversation in three ends with a few
		// unread messages. The newest conversation of each trainer has rank 0.
		await tx.query(
			`insert into public.messages (conversation_id, seq, sender_id, body, created_at, read_at)
			 select pr.conversation_id, s.seq,
				 case when s.seq % 2 = 1 then pr.trainee_id else t.id end,
				 ($1::text[])[1 + s.seq % 8] || ' (#' || s.seq || ')',
				 at.created_at,
				 case when pr.rank % 3 = 0 and s.seq > pr.messages - (1 + pr.rank % 5) then null
					  else at.created_at + interval '30 seconds' end
			 from bench.pairs pr
			 join bench.trainers t on t.size = pr.trainer_size
			 cross join lateral generate_series(1, pr.messages) s(seq)
			 cross join lateral (
				 select now() - interval '1 hour' - pr.rank * interval '10 seconds'
					 - (pr.messages - s.seq) * interval '1 minute' as created_at
			 ) at`,
			[phrases]
		);
		log(`  messages: ${messageTotal.toLocaleString('en-US')} inserted (${secondsSince(started)} s)`);
		await tx.exec(aggregateSql);
	});
	log(`  aggregates computed (${secondsSince(started)} s)`);
	await db.exec('vacuum analyze');
	log(`  vacuum analyze (${secondsSince(started)} s)`);

	const verified = await verifyAggregates(db);
	log(`  aggregates match the triggers on ${verified.length} sampled conversations`);

	const trainers = new Map<number, Trainer>();
	for (const row of (
		await db.query<{ size: number; id: string; session_id: string }>('select * from bench.trainers')
	).rows) {
		trainers.set(row.size, { size: row.size, id: row.id, sessionId: row.session_id });
	}
	const [deep] = await pairs(db, 'trainer_size = $1 and rank = 0', [largest]);
	return { trainers, deep, messageTotal, loadSeconds: (Date.now() - started) / 1000, verified };
}

/** What the message triggers maintain, for every conversation at once. */
const aggregateSql = `
	with agg as (
		select m.conversation_id, max(m.seq) as last_seq,
			count(*) filter (where m.read_at is null and m.sender_id is distinct from c.trainer_id) as trainer_unread,
			count(*) filter (where m.read_at is null and m.sender_id is distinct from c.trainee_id) as trainee_unread
		from public.messages m
		join public.conversations c on c.id = m.conversation_id
		group by m.conversation_id
	)
	update public.conversations c
	set last_message_id = l.id,
		last_message_at = l.created_at,
		last_message_preview = private.message_preview(l.body),
		last_message_sender_id = l.sender_id,
		last_message_seq = a.last_seq,
		trainer_unread_count = a.trainer_unread,
		trainee_unread_count = a.trainee_unread
	from agg a
	join public.messages l on l.conversation_id = a.conversation_id and l.seq = a.last_seq
	where c.id = a.conversation_id`;

const aggregateColumns = [
	'last_message_id',
	'last_message_at',
	'last_message_preview',
	'last_message_sender_id',
	'last_message_seq',
	'trainer_unread_count',
	'trainee_unread_count'
];

class Rollback extends Error {}

/**
 * Replays sampled conversations through the real triggers (in a transaction that is rolled back):
 * their messages are deleted and inserted again in order, so the triggers number them and keep the
 * aggregates; both must equal what the bulk load computed. Throws on any difference.
 */
async function verifyAggregates(db: Db): Promise<string[]> {
	// Small and medium conversations from each trainer, read and unread ones (rank % 3 = 0).
	const sample = await pairs(
		db,
		`rank in (1, 2, 3, 6, 9) and messages <= 2000 and trainer_size in (select size from bench.trainers)`,
		[]
	);
	const checked: string[] = [];
	for (const pair of sample) {
		const columns = aggregateColumns.join(', ');
		const before = (
			await db.query(`select ${columns} from public.conversations where id = $1`, [pair.conversationId])
		).rows[0];
		const mismatch = await db
			.transaction(async (tx) => {
				await tx.exec(
					`create temporary table replay on commit drop as select * from public.messages limit 0`
				);
				await tx.query(`insert into replay select * from public.messages where conversation_id = $1`, [
					pair.conversationId
				]);
				await tx.query(`delete from public.messages where conversation_id = $1`, [pair.conversationId]);
				await tx.query(
					`update public.conversations set last_message_id = null, last_message_at = null,
						last_message_preview = null, last_message_sender_id = null, last_message_seq = 0,
						trainer_unread_count = 0, trainee_unread_count = 0
					 where id = $1`,
					[pair.conversationId]
				);
				await tx.exec(`insert into public.messages (id, conversation_id, sender_id, body, created_at, read_at)
					select id, conversation_id, sender_id, body, created_at, read_at from replay order by seq`);
				const renumbered = await tx.query<{ n: number }>(
					`select count(*)::int as n from replay r join public.messages m using (id) where m.seq <> r.seq`
				);
				const after = (
					await tx.query(`select ${columns} from public.conversations where id = $1`, [pair.conversationId])
				).rows[0];
				const diffs = aggregateColumns.filter((c) => String(after[c]) !== String(before[c]));
				if (renumbered.rows[0].n > 0) diffs.push(`seq (${renumbered.rows[0].n} messages)`);
				throw new Rollback(diffs.join(', '));
			})
			.catch((err: unknown) => {
				if (err instanceof Rollback) return err.message;
				throw err;
			});
		if (mismatch) {
			throw new Error(
				`bulk-loaded aggregates differ from the triggers' for conversation ${pair.conversationId}: ${mismatch}`
			);
		}
		checked.push(pair.conversationId);
	}
	// Every conversation: numbered 1..n without gaps, last_message_seq = n.
	const { rows } = await db.query<{ bad: number }>(
		`select count(*)::int as bad from public.conversations c
		 where c.last_message_seq <> (select count(*) from public.messages m where m.conversation_id = c.id)
			or c.last_message_seq <> (select coalesce(max(seq), 0) from public.messages m where m.conversation_id = c.id)`
	);
	if (rows[0].bad > 0)
		throw new Error(`${rows[0].bad} conversations have seq gaps or a wrong last_message_seq`);
	return checked;
}

export async function pairs(q: Queryable, where: string, params: unknown[]): Promise<Pair[]> {
	const { rows } = await q.query<{
		trainer_size: number;
		rank: number;
		trainee_id: string;
		session_id: string;
		conversation_id: string;
		messages: number;
	}>(`select * from bench.pairs where ${where} order by trainer_size, rank`, params);
	return rows.map((r) => ({
		trainerSize: r.trainer_size,
		rank: r.rank,
		traineeId: r.trainee_id,
		sessionId: r.session_id,
		conversationId: r.conversation_id,
		messages: r.messages
	}));
}

function secondsSince(start: number): string {
	return ((Date.now() - start) / 1000).toFixed(1);
}
