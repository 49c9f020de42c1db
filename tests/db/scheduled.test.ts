// Send later: a trainer schedules, edits and cancels; the job sends what is due through the normal
// send path with the checks made at that moment, marks what can no longer go as failed with its
// reason, and sends nothing twice when two runners race.
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

const schedule = (x: ActorTx, to: string, body: string, id: string, at: string) =>
	x.attempt<{ id: string; status: string; trainer_id: string; body: string }>(
		`select * from public.schedule_message(recipient_id => $1, body => $2, message_id => $3, send_at => $4)`,
		[to, body, id, at]
	);
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

/** Makes a scheduled message due now (time passes), as the server. */
async function makeDue(x: ActorTx, id: string, back?: Parameters<ActorTx['become']>[0]) {
	await x.becomePostgres();
	await x.query(`update public.scheduled_messages set send_at = now() - interval '1 second' where id = $1`, [
		id
	]);
	if (back) await x.become(back);
}
/** Runs the job as the scheduler does: the migration role, no JWT. */
async function runJob(x: ActorTx): Promise<number> {
	await x.becomeDispatcher();
	return (await x.one<{ n: number }>(`select private.send_due_messages() as n`)).n;
}

describe('a trainer (coach) scheduling', () => {
	test('schedules a message to their trainee, which only they see, and a retry returns the same row', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			const r = await schedule(x, ids.alex, ' See you Monday ', id, inMinutes(60));
			expect(r.error).toBeUndefined();
			expect(r.rows![0]).toMatchObject({
				id,
				status: 'scheduled',
				trainer_id: ids.coach,
				body: 'See you Monday'
			});
			expect((await schedule(x, ids.alex, 'See you Monday', id, inMinutes(60))).rows![0].id).toBe(id);
			await x.become(a.alex);
			expect(await x.query(`select 1 from public.scheduled_messages where id = $1`, [id])).toEqual([]);
			await x.become(a.rival);
			expect(await x.query(`select 1 from public.scheduled_messages where id = $1`, [id])).toEqual([]);
		});
	});

	test('is refused: a trainee (SP301), not their trainee (SP001), a past time (SP304), blank (SP003), missing time (SP009)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect((await schedule(x, ids.coach, 'hi', randomUUID(), inMinutes(5))).error?.code).toBe('SP301');
		});
		await as(t.db, a.coach, async (x) => {
			expect((await schedule(x, ids.jordan, 'hi', randomUUID(), inMinutes(5))).error?.code).toBe('SP001');
			expect((await schedule(x, ids.alex, 'hi', randomUUID(), inMinutes(-1))).error?.code).toBe('SP304');
			expect((await schedule(x, ids.alex, ' \u200b', randomUUID(), inMinutes(5))).error?.code).toBe('SP003');
			expect(
				(await x.attempt(`select public.schedule_message($1, 'hi', $2, null)`, [ids.alex, randomUUID()]))
					.error?.code
			).toBe('SP009');
		});
		await as(t.db, a.impersonation, async (x) => {
			expect((await schedule(x, ids.coach, 'hi', randomUUID(), inMinutes(5))).error?.code).toBe('SP006');
		});
	});

	test('another trainer cannot take my scheduled message id (SP007)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await schedule(x, ids.alex, 'mine', id, inMinutes(5))).ok).toBe(true);
			await x.become(a.rival);
			expect((await schedule(x, ids.jordan, 'theirs', id, inMinutes(5))).error?.code).toBe('SP007');
		});
	});

	test('edits the text and time and cancels while scheduled; nothing afterwards (SP305); never marks it sent', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			expect((await schedule(x, ids.alex, 'draft', id, inMinutes(5))).ok).toBe(true);
			const edit = `update public.scheduled_messages set body = $2, send_at = $3 where id = $1`;
			expect(await x.errorCode(edit, [id, 'final', inMinutes(10)])).toBeNull();
			expect(await x.errorCode(edit, [id, 'final', inMinutes(-10)])).toBe('SP304');
			expect(await x.errorCode(edit, [id, '   ', inMinutes(10)])).toBe('SP003');
			expect(
				await x.errorCode(`update public.scheduled_messages set status = 'sent' where id = $1`, [id])
			).toBe('42501');
			expect(
				await x.errorCode(`update public.scheduled_messages set status = 'cancelled' where id = $1`, [id])
			).toBeNull();
			expect(await x.errorCode(edit, [id, 'again', inMinutes(10)])).toBe('SP305');
			await x.become(a.rival);
			const r = await x.attempt(`update public.scheduled_messages set body = 'x' where id = $1`, [id]);
			expect(r.rowCount).toBe(0);
		});
	});
});

describe('the job spotter-send-due-messages', () => {
	test('sends a due message through the normal path, as the trainer, with the scheduled id', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await schedule(x, ids.alex, 'Time for your check-in', id, inMinutes(30))).ok).toBe(true);
			expect(await runJob(x)).toBe(0);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(1);
			const [m] = await x.query(
				`select conversation_id, sender_id, body from public.messages where id = $1`,
				[id]
			);
			expect(m).toEqual({
				conversation_id: conv.coachAlex,
				sender_id: ids.coach,
				body: 'Time for your check-in'
			});
			const [s] = await x.query<{ status: string; sent_at: Date | null }>(
				`select status, sent_at from public.scheduled_messages where id = $1`,
				[id]
			);
			expect(s.status).toBe('sent');
			expect(s.sent_at).not.toBeNull();
			expect(await x.query(`select 1 from private.push_outbox where message_id = $1`, [id])).toHaveLength(1);
			expect(await runJob(x)).toBe(0);
		});
	});

	test('a trainee unlinked since: failed, with the reason (archived), nothing sent', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await schedule(x, ids.alex, 'later', id, inMinutes(30))).ok).toBe(true);
			await x.becomePostgres();
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.alex]);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(0);
			const [s] = await x.query<{ status: string; failure: string }>(
				`select status, failure from public.scheduled_messages where id = $1`,
				[id]
			);
			expect(s.status).toBe('failed');
			expect(s.failure).toMatch(/archived.*SP002/);
			expect(await x.query(`select 1 from public.messages where id = $1`, [id])).toEqual([]);
		});
	});

	test('a new trainee unlinked before any conversation: failed (SP001)', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.solo]);
			const id = randomUUID();
			await x.become(a.coach);
			expect((await schedule(x, ids.solo, 'welcome', id, inMinutes(30))).ok).toBe(true);
			await x.becomePostgres();
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.solo]);
			await makeDue(x, id);
			await runJob(x);
			const [s] = await x.query<{ failure: string }>(
				`select failure from public.scheduled_messages where id = $1`,
				[id]
			);
			expect(s.failure).toMatch(/SP001/);
		});
	});

	test('at the rate limit it waits for a later run instead of failing', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await schedule(x, ids.alex, 'later', id, inMinutes(30))).ok).toBe(true);
			for (let i = 0; i < 30; i++)
				await x.query(`select public.send_message($1, $2, $3)`, [ids.sam, `m${i}`, randomUUID()]);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(0);
			expect(await x.one(`select status from public.scheduled_messages where id = $1`, [id])).toEqual({
				status: 'scheduled'
			});
		});
	});

	test('a cancelled message is never sent', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await schedule(x, ids.alex, 'never', id, inMinutes(30))).ok).toBe(true);
			await x.query(`update public.scheduled_messages set status = 'cancelled' where id = $1`, [id]);
			await makeDue(x, id);
			expect(await runJob(x)).toBe(0);
			expect(await x.query(`select 1 from public.messages where id = $1`, [id])).toEqual([]);
		});
	});

	test('is registered with the scheduler, every 20 seconds (with the scheduled broadcasts)', async () => {
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

describe('two runners racing on due messages (committed, separate transactions)', () => {
	test('every due message is sent exactly once, late ones included', async () => {
		const trainer = await createUser(t.db, { role: 'trainer', name: 'Racer Coach' });
		const trainees: Actor[] = [];
		for (let i = 0; i < 6; i++)
			trainees.push(await createUser(t.db, { role: 'trainee', name: `Racer ${i}`, trainerId: trainer.id }));
		const idsDue: string[] = [];
		await as(
			t.db,
			trainer,
			async (x) => {
				for (const [i, trainee] of trainees.entries()) {
					for (let k = 0; k < 3; k++) {
						const id = randomUUID();
						idsDue.push(id);
						expect((await schedule(x, trainee.id!, `due ${i}.${k}`, id, inMinutes(10))).ok).toBe(true);
					}
				}
			},
			{ commit: true }
		);
		// The runner was down: they fell due an hour ago.
		await t.db.query(
			`update public.scheduled_messages set send_at = now() - interval '1 hour' where id = any($1::uuid[])`,
			[idsDue]
		);
		const run = () =>
			t.db.transaction(async (tx) => {
				await tx.query(`select set_config('request.jwt.claims', '', true)`);
				return Number((await tx.query<{ n: number }>(`select private.send_due_messages(5) as n`)).rows[0].n);
			});
		let total = 0;
		for (let round = 0; round < 4; round++)
			total += (await Promise.all([run(), run(), run()])).reduce((s, n) => s + n, 0);
		expect(total).toBe(idsDue.length);
		const counts = await t.db.query<{ messages: number; sent: number; late: number }>(
			`select (select count(*)::int from public.messages where id = any($1::uuid[])) as messages,
			        (select count(*)::int from public.scheduled_messages where id = any($1::uuid[]) and status = 'sent') as sent,
			        (select count(*)::int from public.scheduled_messages where id = any($1::uuid[]) and sent_at > send_at + interval '59 minutes') as late`,
			[idsDue]
		);
		expect(counts.rows[0]).toEqual({ messages: idsDue.length, sent: idsDue.length, late: idsDue.length });
	});
});

describe('profiles.time_zone', () => {
	test('the owner sets an IANA name, and clears it', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(
				await x.errorCode(`update public.profiles set time_zone = 'Europe/Berlin' where id = $1`, [ids.coach])
			).toBeNull();
			expect(
				await x.errorCode(`update public.profiles set time_zone = null where id = $1`, [ids.coach])
			).toBeNull();
		});
	});

	test('refuses what is no time zone (SP306), and anyone but the owner (42501)', async () => {
		await as(t.db, a.coach, async (x) => {
			for (const bad of ['Mars/Olympus', 'CEST+2', '', 'europe/berlin'])
				expect({
					bad,
					code: await x.errorCode(`update public.profiles set time_zone = $1 where id = $2`, [bad, ids.coach])
				}).toEqual({
					bad,
					code: 'SP306'
				});
			expect(
				await x.errorCode(`update public.profiles set time_zone = 'Asia/Tokyo' where id = $1`, [ids.alex])
			).toBe('42501');
		});
	});
});
