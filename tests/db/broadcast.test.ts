// Broadcasts as a trainer meets them: one call, one ordinary 1:1 message per trainee ({first_name}
// filled in), idempotent on the broadcast id, one send against the rate limit, and counters,
// events and pushes exactly as if each message had been sent alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	broadcasts,
	conversationIds as conv,
	createActors,
	forgetEvents,
	ids,
	inTransaction,
	unreadTotalMismatches,
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

interface Outcome {
	recipient_id: string;
	conversation_id: string | null;
	message_id: string;
	outcome: string;
}

const broadcast = (x: ActorTx, recipients: string[], body: string, id: string, attachments: unknown = []) =>
	x.attempt<Outcome>(
		`select * from public.broadcast_message(recipient_ids => $1::uuid[], body => $2, broadcast_id => $3, attachments => $4::jsonb)`,
		[recipients, body, id, JSON.stringify(attachments)]
	);

/** `n` new trainees of coach, named "Bulk<i> Lifter", committed only inside the test's transaction. */
async function bulkTrainees(x: ActorTx, n: number): Promise<string[]> {
	await x.becomePostgres();
	const rows = await x.query<{ id: string }>(
		`with made as (
		   insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
		   select gen_random_uuid(), 'authenticated', 'authenticated', 'bulk' || i || '-' || gen_random_uuid() || '@db.test',
		     jsonb_build_object('role', 'trainee', 'display_name', 'Bulk' || i || ' Lifter'), now(), now()
		   from generate_series(1, $1::int) i
		   returning id
		 )
		 select id from made`,
		[n]
	);
	const list = rows.map((r) => r.id);
	await x.query(`update public.profiles set trainer_id = $1 where id = any($2::uuid[])`, [ids.coach, list]);
	return list;
}

describe('a trainer (coach) broadcasting', () => {
	test('sends each trainee an ordinary 1:1 message in their own conversation, {first_name} filled in', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			const r = await broadcast(x, [ids.alex, ids.sam], 'Gym closed Monday, {first_name}!', id);
			expect(r.error).toBeUndefined();
			const rows = r.rows!;
			expect(rows.map((o) => [o.recipient_id, o.conversation_id, o.outcome]).sort()).toEqual(
				[
					[ids.alex, conv.coachAlex, 'sent'],
					[ids.sam, conv.coachSam, 'sent']
				].sort()
			);
			const messages = await x.query<{
				conversation_id: string;
				body: string;
				broadcast_id: string;
				sender_id: string;
			}>(
				`select conversation_id, body, broadcast_id, sender_id from public.messages where id = any($1::uuid[]) order by body`,
				[rows.map((o) => o.message_id)]
			);
			expect(messages).toEqual([
				{
					conversation_id: conv.coachAlex,
					body: 'Gym closed Monday, Alex!',
					broadcast_id: id,
					sender_id: ids.coach
				},
				{
					conversation_id: conv.coachSam,
					body: 'Gym closed Monday, Sam!',
					broadcast_id: id,
					sender_id: ids.coach
				}
			]);
		});
	});

	test('skips and reports a trainee no longer linked, and someone who never was', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.sam]);
			await x.become(a.coach);
			const r = await broadcast(x, [ids.alex, ids.sam, ids.jordan, ids.rival], 'hi', randomUUID());
			const by = Object.fromEntries(r.rows!.map((o) => [o.recipient_id, o.outcome]));
			expect(by).toEqual({
				[ids.alex]: 'sent',
				[ids.sam]: 'not_linked',
				[ids.jordan]: 'not_linked',
				[ids.rival]: 'not_linked'
			});
			expect(
				await x.query(
					`select 1 from public.messages where conversation_id = any($1::uuid[]) and body = 'hi'`,
					[[conv.coachSam, conv.rivalJordan]]
				)
			).toEqual([]);
		});
	});

	test('a retry with the same broadcast id sends nothing twice: already_sent, the same message ids', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			const first = (await broadcast(x, [ids.alex, ids.sam], 'once', id)).rows!;
			const again = (await broadcast(x, [ids.alex, ids.sam], 'once', id)).rows!;
			expect(again.map((o) => o.outcome)).toEqual(['already_sent', 'already_sent']);
			expect(new Set(again.map((o) => o.message_id))).toEqual(new Set(first.map((o) => o.message_id)));
			expect(
				await x.one(`select count(*)::int as n from public.messages where broadcast_id = $1`, [id])
			).toEqual({ n: 2 });
		});
	});

	test('another trainer cannot reuse my broadcast id (SP302)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await broadcast(x, [ids.alex], 'mine', id)).ok).toBe(true);
			await x.become(a.rival);
			expect((await broadcast(x, [ids.jordan], 'theirs', id)).error?.code).toBe('SP302');
		});
	});

	test('counts as one send against the rate limit, however many trainees', async () => {
		await inTransaction(t.db, async (x) => {
			const trainees = await bulkTrainees(x, 40);
			await x.become(a.coach);
			for (let i = 0; i < 29; i++)
				expect(
					(await x.attempt(`select public.send_message($1, $2, $3)`, [ids.alex, `set ${i}`, randomUUID()])).ok
				).toBe(true);
			const r = await broadcast(x, trainees, 'the 30th send', randomUUID());
			expect(r.error).toBeUndefined();
			expect(r.rows!.filter((o) => o.outcome === 'sent')).toHaveLength(40);
			expect((await broadcast(x, trainees, 'the 31st send', randomUUID())).error?.code).toBe('SP005');
			expect(
				(await x.attempt(`select public.send_message($1, 'the 31st too', $2)`, [ids.alex, randomUUID()]))
					.error?.code
			).toBe('SP005');
		});
	});

	test('one upload serves every copy; deleting one copy keeps the file for the others', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			const path = `${ids.coach}/${id}/plan.pdf`;
			await x.query(
				`insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)
				 values ('attachments', $1, $2::uuid, $2, '{"mimetype":"application/pdf","size":77}', '1')`,
				[path, ids.coach]
			);
			await x.become(a.coach);
			const rows = (await broadcast(x, [ids.alex, ids.sam], '', id, [{ path, name: 'Week 3 plan.pdf' }]))
				.rows!;
			expect(rows.map((o) => o.outcome)).toEqual(['sent', 'sent']);
			expect(
				await x.query(
					`select kind, original_name from public.message_attachments where message_id = any($1::uuid[])`,
					[rows.map((o) => o.message_id)]
				)
			).toEqual([
				{ kind: 'file', original_name: 'Week 3 plan.pdf' },
				{ kind: 'file', original_name: 'Week 3 plan.pdf' }
			]);
			await x.query(`select public.delete_message($1)`, [rows[0].message_id]);
			await x.become(a.sam);
			const samCopy = rows.find((o) => o.recipient_id === ids.sam)!;
			const alexCopy = rows.find((o) => o.recipient_id === ids.alex)!;
			const readable = await x.query(`select 1 from storage.objects where name = $1`, [path]);
			expect(readable).toHaveLength(samCopy.message_id === rows[0].message_id ? 0 : 1);
			await x.becomePostgres();
			expect(await x.query(`select 1 from private.storage_removals where object_name = $1`, [path])).toEqual(
				[]
			);
			expect(alexCopy).toBeDefined();
		});
	});

	test('sees each broadcast with its sent and read counts', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.coach);
			expect((await broadcast(x, [ids.alex, ids.sam, ids.jordan], 'How did this week feel?', id)).ok).toBe(
				true
			);
			await x.become(a.alex);
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			await x.become(a.coach);
			const [summary] = await x.query(`select * from public.broadcast_summaries() where id = $1`, [id]);
			expect(summary).toMatchObject({
				body: 'How did this week feel?',
				recipient_count: 3,
				sent_count: 2,
				read_count: 1
			});
			await x.become(a.rival);
			expect(await x.query(`select * from public.broadcast_summaries() where id = $1`, [id])).toEqual([]);
			expect(await x.query(`select * from public.broadcasts where id = $1`, [id])).toEqual([]);
		});
	});
});

describe('who may broadcast', () => {
	test('a trainee is refused (SP301), and so is an impersonated session (SP006)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect((await broadcast(x, [ids.coach], 'hi all', randomUUID())).error?.code).toBe('SP301');
		});
		await as(t.db, a.impersonation, async (x) => {
			expect((await broadcast(x, [ids.coach], 'hi all', randomUUID())).error?.code).toBe('SP301');
		});
		await inTransaction(t.db, async (x) => {
			// The dashboard impersonating coach: claims of coach, a session that is no auth session.
			const fake = {
				...a.coach,
				caller: { ...a.coach.caller, claims: { ...a.coach.caller.claims, session_id: randomUUID() } }
			};
			await x.become(fake);
			expect((await broadcast(x, [ids.alex], 'hi all', randomUUID())).error?.code).toBe('SP006');
		});
	});

	test('needs recipients and an id (SP303, SP009); anon cannot call it', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await broadcast(x, [], 'x', randomUUID())).error?.code).toBe('SP303');
			expect(
				(await x.attempt(`select * from public.broadcast_message(array[$1]::uuid[], 'x', null)`, [ids.alex]))
					.error?.code
			).toBe('SP009');
		});
		await as(t.db, a.anon, async (x) => {
			expect((await broadcast(x, [ids.alex], 'x', randomUUID())).error?.code).toBe('42501');
		});
	});

	test('body rules hold for every copy: blank without files (SP003), too long (SP004)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await broadcast(x, [ids.alex, ids.sam], '  ', randomUUID())).error?.code).toBe('SP003');
			expect((await broadcast(x, [ids.alex], 'x'.repeat(2001), randomUUID())).error?.code).toBe('SP004');
		});
	});
});

describe('1,000 trainees in one call', () => {
	test('1,000 messages, conversations, unread counts, totals, push rows and events — exactly', async () => {
		await inTransaction(t.db, async (x) => {
			const trainees = await bulkTrainees(x, 1000);
			await x.become(a.coach);
			await forgetEvents(x, a.coach);
			const id = randomUUID();
			const started = performance.now();
			const r = await broadcast(x, [...trainees, ids.alex], 'Hello {first_name}', id);
			const elapsed = performance.now() - started;
			expect(r.error).toBeUndefined();
			expect(r.rows!.filter((o) => o.outcome === 'sent')).toHaveLength(1001);
			await x.becomePostgres();
			const counts = await x.one<Record<string, number>>(
				`select
				   (select count(*)::int from public.messages where broadcast_id = $1) as messages,
				   (select count(distinct conversation_id)::int from public.messages where broadcast_id = $1) as conversations,
				   (select count(*)::int from public.conversations where trainer_id = $2 and trainee_id = any($3::uuid[])
				      and trainee_unread_count = 1 and last_message_seq = 1 and last_message_preview like 'Hello Bulk%') as fresh,
				   (select count(*)::int from private.unread_totals where user_id = any($3::uuid[]) and total = 1) as totals,
				   (select count(*)::int from private.push_outbox o join public.messages m on m.id = o.message_id
				      where m.broadcast_id = $1 and o.done_at is null) as pushes,
				   (select count(distinct seq)::int from public.messages where broadcast_id = $1) as seqs`,
				[id, ids.coach, trainees]
			);
			expect(counts).toEqual({
				messages: 1001,
				conversations: 1001,
				fresh: 1000,
				totals: 1000,
				pushes: 1001,
				seqs: 2
			});
			const created = await broadcasts(x, a.coach, 'message_created');
			expect(created).toHaveLength(1001);
			expect(new Set(created.map((e) => e.topic)).size).toBe(1001);
			const inbox = await broadcasts(x, a.coach, 'conversation_changed');
			// Each trainee's inbox hears of their new conversation.
			expect(new Set(inbox.map((e) => e.topic)).size).toBe(1002);
			expect(await unreadTotalMismatches(x)).toEqual([]);
			console.log(`broadcast to 1,001 trainees in one call: ${elapsed.toFixed(0)} ms`);
		});
	});
});
