// Sections 1–4: the database paths, measured directly against the scratch database as the user
// (role + JWT claims, RLS on), each variant interleaved with what it is compared with.
import type { Db, Queryable } from '../db/index.ts';
import { asCaller, asOwner, callerFor, newId } from './lib/acting.ts';
import { interleave, summarize } from './lib/stats.ts';
import { pairs, type DataSet } from './data.ts';
import type { Row } from './report.ts';

export interface SqlOptions {
	reps: number;
	warmup: number;
	pageSize: number;
	depth: number;
}

/** 1. Conversation list, first page: ours (one call) vs the N+1 pattern, per trainer size. */
export async function conversationList(db: Db, data: DataSet, o: SqlOptions): Promise<Row[]> {
	const rows: Row[] = [];
	const p50s = new Map<number, { ours: number; nPlusOne: number }>();
	const sizes = [...data.trainers.keys()].sort((a, b) => a - b);
	for (const size of sizes) {
		const trainer = data.trainers.get(size)!;
		const caller = callerFor(trainer.id, trainer.sessionId);
		let oursQueries = 0;
		let nPlusOneQueries = 0;
		const ours = async (q: Queryable) => {
			const { rows } = await q.query('select * from public.list_conversations($1)', [o.pageSize]);
			if (rows.length !== Math.min(o.pageSize, size))
				throw new Error(`list_conversations gave ${rows.length}`);
		};
		const nPlusOne = async (q: Queryable) => {
			const page = await q.query<{ id: string }>(
				`select c.id, c.trainee_id, c.last_message_at, p.display_name, p.avatar_url
				 from public.conversations c
				 join public.profiles p on p.id = c.trainee_id
				 where c.trainer_id = $1
				 order by c.last_message_at desc, c.id desc
				 limit $2`,
				[trainer.id, o.pageSize]
			);
			for (const row of page.rows) {
				await q.query(
					`select body, created_at, sender_id from public.messages
					 where conversation_id = $1 order by seq desc limit 1`,
					[row.id]
				);
				await q.query(
					`select count(*) from public.messages
					 where conversation_id = $1 and read_at is null and sender_id <> $2`,
					[row.id, trainer.id]
				);
			}
		};
		// The framing alone (begin, settings, `select 1`, commit): what any request pays before its
		// statements, so that the ratio can also be read without it.
		const floor = async (q: Queryable) => void (await q.query('select 1'));
		// Only at the smallest size (it is slow): the N+1 pattern as a client issues it through
		// PostgREST, every statement its own framed request.
		const separate = async () => {
			let page: { id: string }[] = [];
			await asCaller(db, caller, async (q) => {
				page = (
					await q.query<{ id: string }>(
						`select c.id from public.conversations c
						 join public.profiles p on p.id = c.trainee_id
						 where c.trainer_id = $1 order by c.last_message_at desc, c.id desc limit $2`,
						[trainer.id, o.pageSize]
					)
				).rows;
			});
			for (const row of page) {
				await asCaller(db, caller, async (q) => {
					await q.query(
						`select body, created_at, sender_id from public.messages
						 where conversation_id = $1 order by seq desc limit 1`,
						[row.id]
					);
				});
				await asCaller(db, caller, async (q) => {
					await q.query(
						`select count(*) from public.messages
						 where conversation_id = $1 and read_at is null and sender_id <> $2`,
						[row.id, trainer.id]
					);
				});
			}
		};
		const withSeparate = size === sizes[0];
		const samples = await interleave(
			{
				ours: async () => {
					oursQueries = await asCaller(db, caller, ours);
				},
				nPlusOne: async () => {
					nPlusOneQueries = await asCaller(db, caller, nPlusOne);
				},
				floor: async () => void (await asCaller(db, caller, floor)),
				...(withSeparate ? { separate } : {})
			},
			o.reps,
			o.warmup
		);
		const s = { ours: summarize(samples.ours), nPlusOne: summarize(samples.nPlusOne) };
		const floorSummary = summarize(samples.floor);
		p50s.set(size, { ours: s.ours.p50, nPlusOne: s.nPlusOne.p50 });
		rows.push({
			section: '1 conversation list',
			name: `ours: list_conversations, trainer with ${fmt(size)} conversations`,
			summary: s.ours,
			queries: oursQueries
		});
		rows.push({
			section: '1 conversation list',
			name: `N+1: page + preview + unread per row, ${fmt(size)} conversations`,
			summary: s.nPlusOne,
			queries: nPlusOneQueries,
			ratio: `${(s.nPlusOne.p50 / s.ours.p50).toFixed(1)}× ours`
		});
		rows.push({
			section: '1 conversation list',
			name: `  framing only (begin, settings, select 1, commit), ${fmt(size)} conversations`,
			summary: floorSummary,
			queries: 1,
			ratio:
				`without it: N+1 ${(s.nPlusOne.p50 - floorSummary.p50).toFixed(2)} ms / ` +
				`ours ${(s.ours.p50 - floorSummary.p50).toFixed(2)} ms = ` +
				`${((s.nPlusOne.p50 - floorSummary.p50) / (s.ours.p50 - floorSummary.p50)).toFixed(1)}×`
		});
		if (withSeparate) {
			const sep = summarize(samples.separate);
			rows.push({
				section: '1 conversation list',
				name: `N+1 as 61 separate requests (a client through PostgREST), ${fmt(size)} conversations`,
				summary: sep,
				queries: 61,
				ratio: `${(sep.p50 / s.ours.p50).toFixed(1)}× ours (not the target's baseline)`
			});
		}
	}
	const smallest = p50s.get(sizes[0])!;
	const largest = p50s.get(sizes[sizes.length - 1])!;
	const flat = largest.ours / smallest.ours;
	rows.push({
		section: '1 conversation list',
		name: `ours is flat: p50 at ${fmt(sizes[sizes.length - 1])} / p50 at ${fmt(sizes[0])}`,
		value: `${flat.toFixed(2)}×`,
		target: { text: '≤ 1.5×', pass: flat <= 1.5 }
	});
	const speedup = smallest.nPlusOne / smallest.ours;
	rows.push({
		section: '1 conversation list',
		// Information, no target any more (issue 16): the N+1's per-row statements became index
		// lookups, so what separates them is round trips; the list being one query and flat is the
		// point (the row above).
		name: `ours vs N+1 at ${fmt(sizes[0])} conversations (p50; information)`,
		value: `${speedup.toFixed(1)}× faster`
	});
	return rows;
}

/** 3. History: a page of 20 at the newest end vs at depth `depth`, in one conversation. */
export async function historyPaging(db: Db, data: DataSet, o: SqlOptions): Promise<Row[]> {
	const trainer = [...data.trainers.values()].find((t) => t.size === data.deep.trainerSize)!;
	const caller = callerFor(trainer.id, trainer.sessionId);
	const { rows } = await db.query<{ last: number }>(
		'select last_message_seq as last from public.conversations where id = $1',
		[data.deep.conversationId]
	);
	const beforeSeq = rows[0].last - o.depth;
	const page = (before: number | null) => async (q: Queryable) => {
		const r = await q.query('select * from public.list_messages($1, $2, 20)', [
			data.deep.conversationId,
			before
		]);
		if (r.rows.length !== 20) throw new Error(`list_messages gave ${r.rows.length} rows`);
	};
	const samples = await interleave(
		{
			newest: async () => void (await asCaller(db, caller, page(null))),
			deep: async () => void (await asCaller(db, caller, page(beforeSeq)))
		},
		o.reps,
		o.warmup
	);
	const newest = summarize(samples.newest);
	const deep = summarize(samples.deep);
	const ratio = deep.p50 / newest.p50;
	return [
		{
			section: '3 history paging',
			name: `list_messages, 20 newest of ${fmt(rows[0].last)}`,
			summary: newest,
			queries: 1
		},
		{
			section: '3 history paging',
			name: `list_messages, 20 at depth ${fmt(o.depth)}`,
			summary: deep,
			queries: 1,
			ratio: `${ratio.toFixed(2)}× newest`,
			target: { text: '≤ 1.2×', pass: ratio <= 1.2 }
		}
	];
}

/** 4. The Messages badge: unread_total() for each trainer size. */
export async function unreadTotal(db: Db, data: DataSet, o: SqlOptions): Promise<Row[]> {
	const variants: Record<string, () => Promise<void>> = {};
	const sizes = [...data.trainers.keys()].sort((a, b) => a - b);
	for (const size of [sizes[0], sizes[sizes.length - 1]]) {
		const t = data.trainers.get(size)!;
		const caller = callerFor(t.id, t.sessionId);
		variants[String(size)] = async () =>
			void (await asCaller(db, caller, async (q) => void (await q.query('select public.unread_total()'))));
	}
	const samples = await interleave(variants, o.reps, o.warmup);
	return Object.entries(samples).map(([size, s]) => ({
		section: '4 unread total',
		name: `unread_total(), trainer with ${fmt(Number(size))} conversations`,
		summary: summarize(s),
		queries: 1
	}));
}

/**
 * 2. Send path: send_message() as a trainee, and as the trainer (the sender with the longest
 * history: half of its conversations' messages), vs a bare INSERT of the same row into a copy of
 * messages (same columns, defaults, checks and indexes; no triggers, policies or foreign keys).
 * Trainees send, a different one each time in turn, so nobody nears the 30/minute limit; the
 * trainer sends to them in the same turn, and every 25 of its sends are moved an hour back
 * (triggers off, untimed) so that it never meets the limit either.
 */
export async function sendPath(db: Db, data: DataSet, o: SqlOptions): Promise<Row[]> {
	await db.exec(`create table if not exists bench.messages_bare (like public.messages including all)`);
	const rows: Row[] = [];
	const sizes = [...data.trainers.keys()].sort((a, b) => a - b);
	for (const size of [sizes[0], sizes[sizes.length - 1]]) {
		const trainer = data.trainers.get(size)!;
		// Largest ranks first: never the deep conversation, and ≤ 25 sends per trainee.
		const senders = (await pairs(db, 'trainer_size = $1 and rank > 0', [size])).reverse();
		const reps = Math.min(o.reps, senders.length * 25 - o.warmup);
		let bareSeq = 1_000_000_000;
		const body = 'Same time tomorrow? Bring the training log and your lifting shoes.';
		const history = Number(
			(
				await db.query<{ n: string }>(`select count(*) as n from public.messages where sender_id = $1`, [
					trainer.id
				])
			).rows[0].n
		);
		const sendAsTrainer = async (i: number) => {
			const s = senders[i % senders.length];
			await asCaller(db, callerFor(trainer.id, trainer.sessionId), async (q) => {
				await q.query('select id from public.send_message($1, $2, $3)', [s.traineeId, body, newId()]);
			});
		};
		const samples = await interleave(
			{
				send_as_trainer: {
					before: async (i) => {
						if (i === 0 || i % 25 !== 0) return;
						await db.transaction(async (tx) => {
							await tx.exec(`set local session_replication_role = replica`);
							await tx.query(
								`update public.messages set created_at = created_at - interval '1 hour'
								 where sender_id = $1 and created_at > now() - interval '10 minutes'`,
								[trainer.id]
							);
						});
						// The moved rows' old versions are still in the index and the heap pages: the
						// first send after a move (in the 25, one in the p95) would clean them up inside
						// its timing. One untimed send does (26 in a minute, under the limit of 30).
						await sendAsTrainer(i);
					},
					run: sendAsTrainer
				},
				send_message: async (i) => {
					const s = senders[i % senders.length];
					await asCaller(db, callerFor(s.traineeId, s.sessionId), async (q) => {
						await q.query('select id from public.send_message($1, $2, $3)', [trainer.id, body, newId()]);
					});
				},
				bare: async (i) => {
					const s = senders[i % senders.length];
					await asOwner(db, callerFor(s.traineeId, s.sessionId), async (q) => {
						await q.query(
							`insert into bench.messages_bare (id, conversation_id, seq, sender_id, body)
							 values ($1, $2, $3, $4, $5)`,
							[newId(), s.conversationId, bareSeq++, s.traineeId, body]
						);
					});
				}
			},
			reps,
			o.warmup
		);
		const send = summarize(samples.send_message);
		const asTrainer = summarize(samples.send_as_trainer);
		const bare = summarize(samples.bare);
		const ratio = send.p50 / bare.p50;
		const trainerRatio = asTrainer.p50 / bare.p50;
		rows.push(
			{
				section: '2 send path',
				name: `bare INSERT into a trigger-less, policy-less copy (${fmt(size)}-conversation trainer)`,
				summary: bare,
				queries: 1
			},
			{
				section: '2 send path',
				name: `send_message() as a trainee to a trainer with ${fmt(size)} conversations`,
				summary: send,
				queries: 1,
				ratio: `${ratio.toFixed(2)}× bare`,
				target: { text: '≤ 2×', pass: ratio <= 2 }
			},
			{
				section: '2 send path',
				name: `send_message() as that trainer (${fmt(history)} sent before) to its trainees`,
				summary: asTrainer,
				queries: 1,
				ratio: `${trainerRatio.toFixed(2)}× bare`,
				target: { text: '≤ 2×', pass: trainerRatio <= 2 }
			}
		);
	}
	return rows;
}

export const fmt = (n: number) => n.toLocaleString('en-US');
