// A broadcast sent later: a trainer schedules one message to several trainees, edits or cancels it;
// the job sends it at its time as an ordinary broadcast (one 1:1 copy each, one send against the
// rate limit) with the checks of that moment, recording each trainee's outcome, or marks it failed
// with its reason; two runners racing send it once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	createUser,
	ids,
	inTransaction,
	type Actor,
	type ActorTx,
	type Actors
} from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

interface Scheduled {
	id: string;
	trainer_id: string;
	recipient_ids: string[];
	body: string;
	status: string;
	failure: string | null;
	outcomes: { recipient_id: string; message_id: string; outcome: string }[] | null;
	sent_at: Date | null;
}

const scheduleBroadcast = (
	x: ActorTx,
	recipients: string[],
	body: string,
	id: string,
	at: string | null,
	attachments: unknown = []
) =>
	x.attempt<Scheduled>(
		`select * from public.schedule_broadcast(recipient_ids => $1::uuid[], body => $2, broadcast_id => $3,
		   send_at => $4, attachments => $5::jsonb)`,
		[recipients, body, id, at, JSON.stringify(attachments)]
	);
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
/** The id broadcast_message gives a broadcast's copy to one trainee. */
const copyId = (x: ActorTx, broadcastId: string, recipient: string) =>
	x
		.one<{ id: string }>(`select md5($1 || ':' || $2)::uuid::text as id`, [broadcastId, recipient])
		.then((r) => r.id);

/** Makes a scheduled broadcast due now (time passes), as the server. */
async function makeDue(x: ActorTx, id: string) {
	await x.becomePostgres();
	await x.query(
		`update public.scheduled_broadcasts set send_at = now() - interval '1 second' where id = $1`,
		[id]
	);
}
/** Runs the job's command as the scheduler does: the migration role, no JWT. */
async function runJob(x: ActorTx): Promise<number> {
	await x.becomeDispatcher();
	return (await x.one<{ n: number }>(`select private.send_due_broadcasts() as n`)).n;
}
const stored = (x: ActorTx, id: string) =>
	x.one<Scheduled>(`select * from public.scheduled_broadcasts where id = $1`, [id]);

describe('a trainer (coach) scheduling a broadcast', () => {
	test('schedules one to their trainees, which only they see, and a retry returns the same row', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			const r = await scheduleBroadcast(
				x,
				[ids.sam, ids.alex, ids.alex],
				' Gym closed Monday ',
				id,
				inMinutes(60)
			);
			expect(r.error).toBeUndefined();
			expect(r.rows![0]).toMatchObject({
				id,
				trainer_id: ids.coach,
				status: 'scheduled',
				body: 'Gym closed Monday',
				outcomes: null
			});
			expect([...r.rows![0].recipient_ids].sort()).toEqual([ids.alex, ids.sam].sort());
			const again = await scheduleBroadcast(x, [ids.alex, ids.sam], 'Gym closed Monday', id, inMinutes(60));
			expect(again.rows?.[0].id).toBe(id);
			// Nothing is sent yet.
			expect(await x.query(`select 1 from public.broadcasts where id = $1`, [id])).toEqual([]);
			for (const other of [a.alex, a.rival]) {
				await x.become(other);
				expect(await x.query(`select 1 from public.scheduled_broadcasts where id = $1`, [id])).toEqual([]);
			}
		});
	});

	test('is refused: a trainee (SP301), not their trainee (SP001), a past time (SP304), blank (SP003), nobody (SP303), no time (SP009), a file not uploaded (SP201)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect((await scheduleBroadcast(x, [ids.coach], 'hi', randomUUID(), inMinutes(5))).error?.code).toBe(
				'SP301'
			);
		});
		await as(t.db, a.coach, async (x) => {
			const code = async (
				...args: Parameters<typeof scheduleBroadcast> extends [ActorTx, ...infer R] ? R : never
			) => (await scheduleBroadcast(x, ...args)).error?.code;
			expect(await code([ids.alex, ids.jordan], 'hi', randomUUID(), inMinutes(5))).toBe('SP001');
			expect(await code([ids.alex], 'hi', randomUUID(), inMinutes(-1))).toBe('SP304');
			expect(await code([ids.alex], ' \u200b', randomUUID(), inMinutes(5))).toBe('SP003');
			expect(await code([], 'hi', randomUUID(), inMinutes(5))).toBe('SP303');
			expect(await code([ids.alex], 'hi', randomUUID(), null)).toBe('SP009');
			const id = randomUUID();
			expect(await code([ids.alex], '', id, inMinutes(5), [{ path: `${ids.coach}/${id}/none.pdf` }])).toBe(
				'SP201'
			);
			// Only through schedule_broadcast: no API role writes the table directly.
			expect(
				await x.errorCode(
					`insert into public.scheduled_broadcasts (id, trainer_id, recipient_ids, body, send_at)
					 values ($1, $2, array[$3]::uuid[], 'x', now() + interval '1 hour')`,
					[randomUUID(), ids.coach, ids.alex]
				)
			).toBe('42501');
		});
		await as(t.db, a.impersonation, async (x) => {
			expect((await scheduleBroadcast(x, [ids.alex], 'hi', randomUUID(), inMinutes(5))).error?.code).toBe(
				'SP006'
			);
		});
	});

	test('an id already used — another trainer’s, other trainees, or a broadcast already sent — is refused (SP302)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await scheduleBroadcast(x, [ids.alex], 'mine', id, inMinutes(5))).ok).toBe(true);
			expect((await scheduleBroadcast(x, [ids.alex, ids.sam], 'mine', id, inMinutes(5))).error?.code).toBe(
				'SP302'
			);
			await x.become(a.rival);
			expect((await scheduleBroadcast(x, [ids.jordan], 'theirs', id, inMinutes(5))).error?.code).toBe(
				'SP302'
			);
			await x.become(a.coach);
			const sentId = randomUUID();
			await x.query(`select * from public.broadcast_message(array[$1]::uuid[], 'now', $2)`, [
				ids.sam,
				sentId
			]);
			expect((await scheduleBroadcast(x, [ids.sam], 'later', sentId, inMinutes(5))).error?.code).toBe(
				'SP302'
			);
		});
	});

	test('edits the text and time and cancels while scheduled; nothing afterwards (SP305); never marks it sent', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			expect((await scheduleBroadcast(x, [ids.alex, ids.sam], 'draft', id, inMinutes(5))).ok).toBe(true);
			const edit = `update public.scheduled_broadcasts set body = $2, send_at = $3 where id = $1`;
			expect(await x.errorCode(edit, [id, ' final ', inMinutes(10)])).toBeNull();
			expect((await stored(x, id)).body).toBe('final');
			expect(await x.errorCode(edit, [id, 'final', inMinutes(-10)])).toBe('SP304');
			expect(await x.errorCode(edit, [id, '   ', inMinutes(10)])).toBe('SP003');
			expect(
				await x.errorCode(`update public.scheduled_broadcasts set status = 'sent' where id = $1`, [id])
			).toBe('42501');
			// The trainees picked and the files are fixed (cancel and schedule another to change them).
			expect(
				await x.errorCode(`update public.scheduled_broadcasts set recipient_ids = '{}' where id = $1`, [id])
			).toBe('42501');
			await x.become(a.rival);
			expect(
				(await x.attempt(`update public.scheduled_broadcasts set body = 'x' where id = $1`, [id])).rowCount
			).toBe(0);
			await x.become(a.coach);
			expect(
				await x.errorCode(`update public.scheduled_broadcasts set status = 'cancelled' where id = $1`, [id])
			).toBeNull();
			expect(await x.errorCode(edit, [id, 'again', inMinutes(10)])).toBe('SP305');
			await makeDue(x, id);
			expect(await runJob(x)).toBe(0);
			expect(await x.query(`select 1 from public.messages where broadcast_id = $1`, [id])).toEqual([]);
		});
	});
});

describe('the job sending due broadcasts', () => {
	test('sends one as an ordinary broadcast at its time: a 1:1 copy each with the first name, outcomes, counts', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect(
				(
					await scheduleBroadcast(
						x,
						[ids.alex, ids.sam],
						'Gym closed Monday, {first_name}',
						id,
						inMinutes(30)
					)
				).ok
			).toBe(true);
			expect(await runJob(x)).toBe(0);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(1);

			const messages = await x.query<{
				id: string;
				conversation_id: string;
				sender_id: string;
				body: string;
			}>(
				`select id, conversation_id, sender_id, body from public.messages where broadcast_id = $1 order by body`,
				[id]
			);
			const alexName = (
				await x.one<{ n: string }>(`select display_name as n from public.profiles where id = $1`, [ids.alex])
			).n;
			const samName = (
				await x.one<{ n: string }>(`select display_name as n from public.profiles where id = $1`, [ids.sam])
			).n;
			expect(messages).toEqual(
				expect.arrayContaining([
					{
						id: await copyId(x, id, ids.alex),
						conversation_id: conv.coachAlex,
						sender_id: ids.coach,
						body: `Gym closed Monday, ${alexName.split(' ')[0]}`
					},
					{
						id: await copyId(x, id, ids.sam),
						conversation_id: conv.coachSam,
						sender_id: ids.coach,
						body: `Gym closed Monday, ${samName.split(' ')[0]}`
					}
				])
			);
			expect(messages).toHaveLength(2);
			const row = await stored(x, id);
			expect(row.status).toBe('sent');
			expect(row.sent_at).not.toBeNull();
			expect(row.outcomes!.map((o) => [o.recipient_id, o.outcome]).sort()).toEqual(
				[
					[ids.alex, 'sent'],
					[ids.sam, 'sent']
				].sort()
			);
			expect(
				await x.query(`select 1 from private.push_outbox where message_id = any($1::uuid[])`, [
					messages.map((m) => m.id)
				])
			).toHaveLength(2);
			await x.become(a.coach);
			expect(
				await x.one(`select recipient_count, sent_count from public.broadcast_summaries() where id = $1`, [
					id
				])
			).toEqual({
				recipient_count: 2,
				sent_count: 2
			});
			expect(await runJob(x)).toBe(0);
		});
	});

	test('a trainee unlinked meanwhile is skipped and recorded; the others get it', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await scheduleBroadcast(x, [ids.alex, ids.sam], 'Deload week', id, inMinutes(30))).ok).toBe(
				true
			);
			await x.becomePostgres();
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.alex]);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(1);
			const row = await stored(x, id);
			expect(row.status).toBe('sent');
			expect(Object.fromEntries(row.outcomes!.map((o) => [o.recipient_id, o.outcome]))).toEqual({
				[ids.alex]: 'not_linked',
				[ids.sam]: 'sent'
			});
			expect(
				await x.query(`select conversation_id from public.messages where broadcast_id = $1`, [id])
			).toEqual([{ conversation_id: conv.coachSam }]);
		});
	});

	test('nobody left to send to: failed with the reason (SP001), no broadcast, nothing sent', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await scheduleBroadcast(x, [ids.alex], 'later', id, inMinutes(30))).ok).toBe(true);
			await x.becomePostgres();
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.alex]);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(0);
			const row = await stored(x, id);
			expect(row.status).toBe('failed');
			expect(row.failure).toMatch(/not your trainer or trainee.*SP001/);
			expect(await x.query(`select 1 from public.broadcasts where id = $1`, [id])).toEqual([]);
			expect(await x.query(`select 1 from public.messages where broadcast_id = $1`, [id])).toEqual([]);
		});
	});

	test('a file removed meanwhile: failed with the reason (SP201)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			const path = `${ids.coach}/${id}/plan.pdf`;
			await x.query(
				`insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)
				 values ('attachments', $1, $2::uuid, $2, '{"mimetype":"application/pdf","size":77}', '1')`,
				[path, ids.coach]
			);
			await x.become(a.coach);
			expect((await scheduleBroadcast(x, [ids.alex], 'plan', id, inMinutes(30), [{ path }])).ok).toBe(true);
			await x.becomePostgres();
			// As the Storage API removes it (it sets this for its own statements).
			await x.query(`select set_config('storage.allow_delete_query', 'true', true)`);
			await x.query(`delete from storage.objects where name = $1`, [path]);
			await makeDue(x, id);
			await runJob(x);
			expect((await stored(x, id)).failure).toMatch(/SP201/);
		});
	});

	test('one upload serves every copy, sent with the files and no text; kept while it waits', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			const path = `${ids.coach}/${id}/squat.jpg`;
			// Uploaded two days ago: older than the unattached-upload retention.
			await x.query(
				`insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version, created_at)
				 values ('attachments', $1, $2::uuid, $2, '{"mimetype":"image/jpeg","size":1234}', '1', now() - interval '2 days')`,
				[path, ids.coach]
			);
			await x.become(a.coach);
			const r = await scheduleBroadcast(x, [ids.alex, ids.sam], '  ', id, inMinutes(30), [
				{ path, name: 'Squat.jpg', width: 800, height: 600 }
			]);
			expect(r.error).toBeUndefined();
			expect(r.rows![0].body).toBe('');
			await x.becomeDispatcher();
			await x.query(`select private.queue_unattached_uploads()`);
			expect(await x.query(`select 1 from private.storage_removals where object_name = $1`, [path])).toEqual(
				[]
			);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(1);
			expect(
				await x.query(
					`select a.kind, a.path, a.original_name, m.body from public.message_attachments a
					 join public.messages m on m.id = a.message_id where m.broadcast_id = $1`,
					[id]
				)
			).toEqual([
				{ kind: 'image', path, original_name: 'Squat.jpg', body: '' },
				{ kind: 'image', path, original_name: 'Squat.jpg', body: '' }
			]);
		});
	});

	test('counts as one send against the rate limit: at the limit it waits for a later run', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await scheduleBroadcast(x, [ids.alex, ids.sam], 'later', id, inMinutes(30))).ok).toBe(true);
			for (let i = 0; i < 29; i++)
				await x.query(`select public.send_message($1, $2, $3)`, [ids.sam, `m${i}`, randomUUID()]);
			// 29 sends: the broadcast (two copies) is the 30th.
			const other = randomUUID();
			expect((await scheduleBroadcast(x, [ids.alex, ids.sam], 'after', other, inMinutes(31))).ok).toBe(true);
			await makeDue(x, id);
			await x.query(`update public.scheduled_broadcasts set send_at = now() where id = $1`, [other]);
			expect(await runJob(x)).toBe(1);
			expect((await stored(x, id)).status).toBe('sent');
			expect((await stored(x, other)).status).toBe('scheduled');
			expect(await x.query(`select 1 from public.messages where broadcast_id = $1`, [other])).toEqual([]);
		});
	});

	test('runs in the job spotter-send-due-messages, every 20 seconds, with the scheduled messages', async () => {
		const rows = await t.db.query(
			`select schedule, command from cron.job where jobname = 'spotter-send-due-messages'`
		);
		expect(rows.rows).toEqual([
			{
				schedule: '20 seconds',
				command: 'select private.send_due_messages() + private.send_due_broadcasts()'
			}
		]);
	});
});

describe('two runners racing on due broadcasts (committed, separate transactions)', () => {
	test('each due broadcast is sent exactly once, late ones included', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Racer Broadcaster' });
		const trainees: Actor[] = [];
		for (let i = 0; i < 4; i++)
			trainees.push(
				await createUser(t.db, { role: 'trainee', name: `Listener ${i}`, trainerId: trainer.id })
			);
		const due: string[] = [];
		await as(
			t.db,
			trainer,
			async (x) => {
				for (let k = 0; k < 6; k++) {
					const id = randomUUID();
					due.push(id);
					const r = await scheduleBroadcast(
						x,
						trainees.map((p) => p.id!),
						`news ${k}`,
						id,
						inMinutes(10)
					);
					expect(r.error).toBeUndefined();
				}
			},
			{ commit: true }
		);
		await t.db.query(
			`update public.scheduled_broadcasts set send_at = now() - interval '1 hour' where id = any($1::uuid[])`,
			[due]
		);
		const run = () =>
			t.db.transaction(async (tx) => {
				await tx.query(`select set_config('request.jwt.claims', '', true)`);
				return Number(
					(await tx.query<{ n: number }>(`select private.send_due_broadcasts(2) as n`)).rows[0].n
				);
			});
		let total = 0;
		for (let round = 0; round < 4; round++)
			total += (await Promise.all([run(), run()])).reduce((s, n) => s + n, 0);
		expect(total).toBe(due.length);
		const counts = await t.db.query<{ messages: number; sent: number; late: number }>(
			`select (select count(*)::int from public.messages where broadcast_id = any($1::uuid[])) as messages,
			        (select count(*)::int from public.scheduled_broadcasts where id = any($1::uuid[]) and status = 'sent') as sent,
			        (select count(*)::int from public.scheduled_broadcasts where id = any($1::uuid[]) and sent_at > send_at + interval '59 minutes') as late`,
			[due]
		);
		expect(counts.rows[0]).toEqual({
			messages: due.length * trainees.length,
			sent: due.length,
			late: due.length
		});
	});
});
