// Section 8b: a trainer's broadcast to 1,000 trainees in one broadcast_message() call vs the same
// 1,000 messages as 1,000 send_message() requests, on a scratch database (DATABASE_URL's server,
// else PGlite). Both framed as PostgREST frames a request (role and JWT claims, commit). The single
// sends would meet the 30-per-minute limit: between requests, and outside the timings, the
// trainer's messages of the last minute are moved a minute back (the test suites' way of letting
// time pass). Rounds alternate, each with fresh conversations' messages.
// Part of `npm run bench`; alone: `npx tsx bench/broadcast.ts [--quick]`.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { asCaller, asOwner, callerFor } from './lib/acting.ts';
import { createScratchDatabase, type ScratchDatabase } from './lib/database.ts';
import { summarize } from './lib/stats.ts';
import type { Row } from './report.ts';

export interface BroadcastOptions {
	recipients: number;
	rounds: number;
}

export async function broadcastBenchmarks(
	serverUrl: string | undefined,
	{ recipients, rounds }: BroadcastOptions,
	log: (line: string) => void,
	/** A migrated database to use (npm run bench passes its data database); else a scratch one. */
	shared?: ScratchDatabase
): Promise<Row[]> {
	const scratch = shared
		? { ...shared, release: async () => {} }
		: await createScratchDatabase(serverUrl, 'broadcast');
	const { db } = scratch;
	try {
		log(`broadcast to ${recipients} trainees vs ${recipients} send_message() on ${scratch.label}`);
		const trainerId = randomUUID();
		const sessionId = randomUUID();
		await db.exec(`set session_replication_role = origin`);
		await db.query(
			`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
		 values ($1, 'authenticated', 'authenticated', 'bench-trainer@bench.test',
		   '{"role":"trainer","display_name":"Bench Trainer"}', now(), now())`,
			[trainerId]
		);
		await db.query(
			`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values ($1, $2, now(), now(), 'aal1')`,
			[sessionId, trainerId]
		);
		const { rows } = await db.query<{ id: string }>(
			`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
		 select gen_random_uuid(), 'authenticated', 'authenticated', 'bench-trainee-' || i || '@bench.test',
		   jsonb_build_object('role', 'trainee', 'display_name', 'Trainee' || i || ' Bench'), now(), now()
		 from generate_series(1, $1::int) i
		 returning id`,
			[recipients]
		);
		const trainees = rows.map((r) => r.id);
		await db.query(`update public.profiles set trainer_id = $1 where id = any($2::uuid[])`, [
			trainerId,
			trainees
		]);
		const caller = callerFor(trainerId, sessionId);
		const body = 'Gym closed Monday, {first_name}. See you Tuesday!';

		// Time passes for the rate limit, outside the timings.
		const letAMinutePass = () =>
			asOwner(db, caller, async (q) => {
				await q.query(`set local session_replication_role = replica`);
				await q.query(
					`update public.messages set created_at = created_at - interval '61 seconds'
				 where sender_id = $1 and created_at > now() - interval '2 minutes'`,
					[trainerId]
				);
			});

		const broadcastMs: number[] = [];
		const singlesMs: number[] = [];
		const singleP50s: number[] = [];
		for (let round = 0; round < rounds; round++) {
			let started = performance.now();
			await asCaller(db, caller, async (q) => {
				const { rows: out } = await q.query<{ outcome: string }>(
					`select outcome from public.broadcast_message($1::uuid[], $2, $3)`,
					[trainees, body, randomUUID()]
				);
				if (out.filter((o) => o.outcome === 'sent').length !== recipients)
					throw new Error('broadcast incomplete');
			});
			broadcastMs.push(performance.now() - started);
			await letAMinutePass();

			const each: number[] = [];
			for (let i = 0; i < trainees.length; i++) {
				if (i > 0 && i % 25 === 0) await letAMinutePass();
				started = performance.now();
				await asCaller(db, caller, async (q) => {
					await q.query('select id from public.send_message($1, $2, $3)', [trainees[i], body, randomUUID()]);
				});
				each.push(performance.now() - started);
			}
			singlesMs.push(each.reduce((s, n) => s + n, 0));
			singleP50s.push(summarize(each).p50);
			await letAMinutePass();
			log(
				`  round ${round + 1}: broadcast ${broadcastMs.at(-1)!.toFixed(0)} ms, ${recipients} single sends ${singlesMs.at(-1)!.toFixed(0)} ms`
			);
		}
		const b = summarize(broadcastMs);
		const singles = summarize(singlesMs);
		const perRequest = summarize(singleP50s).p50;
		log(
			`  median over ${rounds} round(s): broadcast ${b.p50.toFixed(0)} ms, ${recipients} send_message() ` +
				`${singles.p50.toFixed(0)} ms (p50 per request ${perRequest.toFixed(2)} ms)`
		);
		return [
			{
				section: '8 media and coach tools',
				name: `broadcast to ${recipients} trainees, one broadcast_message() (${rounds} round(s))`,
				summary: b,
				value: `${((b.p50 / recipients) * 1000).toFixed(0)} µs per message`,
				ratio: `${(b.p50 / singles.p50).toFixed(2)}× the single sends`
			},
			{
				section: '8 media and coach tools',
				name: `  floor: the same ${recipients} messages as ${recipients} send_message() requests`,
				summary: singles,
				value: `p50 ${perRequest.toFixed(2)} ms per request`
			}
		];
	} finally {
		await scratch.release();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const quick = process.argv.includes('--quick');
	const rows = await broadcastBenchmarks(
		process.env.DATABASE_URL || undefined,
		{ recipients: quick ? 100 : 1000, rounds: quick ? 1 : 3 },
		console.log
	);
	for (const r of rows) console.log(`${r.name}: p50 ${r.summary!.p50.toFixed(0)} ms, ${r.ratio ?? r.value}`);
}
