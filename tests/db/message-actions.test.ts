// Message actions: reply, edit (15 minutes), delete for everyone, reactions — each refusal with its
// own SQLSTATE, and what each change does to the preview, the unread counts and totals, the push
// outbox and the broadcasts. Grouped by who acts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	ageMessage,
	as,
	broadcasts,
	conversationIds as conv,
	createActors,
	forgetEvents,
	ids,
	seededMessageId,
	seededMessageIds,
	type Actor,
	type ActorTx,
	type Actors,
	type Outcome,
	unreadTotalMismatches
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

interface Message {
	id: string;
	conversation_id: string;
	seq: number;
	sender_id: string | null;
	body: string;
	created_at: Date;
	read_at: Date | null;
	reply_to_id: string | null;
	edited_at: Date | null;
	deleted_at: Date | null;
}
interface Summary {
	conversation_id: string;
	message_id: string;
	reactions: { emoji: string; count: number; user_ids: string[] }[];
}

const code = (r: Outcome<unknown>) => (r.ok ? 'ok' : r.error.code);
function only<T>(r: Outcome<T>): T {
	if (!r.ok) throw new Error(`expected success, got ${r.error.code} ${r.error.message}`);
	return r.rows[0];
}
const send = (x: ActorTx, to: string, body: string, replyTo: string | null = null, id = randomUUID()) =>
	x.attempt<Message>(`select * from public.send_message($1, $2, $3, $4)`, [to, body, id, replyTo]);
const edit = (x: ActorTx, id: string, body: string | null) =>
	x.attempt<Message>(`select * from public.edit_message($1, $2)`, [id, body]);
const remove = (x: ActorTx, id: string) =>
	x.attempt<Message>(`select * from public.delete_message($1)`, [id]);
const react = async (x: ActorTx, id: string, emoji: string) => {
	const r = await x.attempt<{ summary: Summary }>(`select public.toggle_reaction($1, $2) as summary`, [
		id,
		emoji
	]);
	return r.ok
		? { ok: true as const, summary: r.rows[0].summary }
		: { ok: false as const, code: r.error.code };
};
/** What the server holds (RLS off), then back to the actor. */
async function serverRow<T>(x: ActorTx, actor: Actor, sql: string, params: unknown[]): Promise<T[]> {
	await x.becomePostgres();
	const rows = await x.query<T>(sql, params);
	await x.become(actor);
	return rows;
}
const conversation = (x: ActorTx, actor: Actor, id: string) =>
	serverRow<{
		last_message_id: string;
		last_message_preview: string;
		trainer_unread_count: number;
		trainee_unread_count: number;
	}>(x, actor, `select * from public.conversations where id = $1`, [id]).then((r) => r[0]);
const totalOf = (x: ActorTx, actor: Actor, user: string) =>
	serverRow<{ total: number }>(x, actor, `select total from private.unread_totals where user_id = $1`, [
		user
	]).then((r) => r[0]?.total ?? 0);

describe('a sender (coach) editing', () => {
	test('changes the text within 15 minutes, marks it edited and keeps the earlier text for admins', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'Squats 3x5'));
			const e = only(await edit(x, m.id, '  Squats 5x5  '));
			expect(e).toMatchObject({ id: m.id, seq: m.seq, body: 'Squats 5x5', created_at: m.created_at });
			expect(e.edited_at).toBeInstanceOf(Date);
			const versions = await serverRow<{ body: string; written_at: Date }>(
				x,
				a.coach,
				`select body, written_at from private.message_versions where message_id = $1 order by id`,
				[m.id]
			);
			expect(versions).toEqual([{ body: 'Squats 3x5', written_at: m.created_at }]);
		});
	});

	test('keeps every earlier version in order, each with when it was written', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'one'));
			const first = only(await edit(x, m.id, 'two'));
			only(await edit(x, m.id, 'three'));
			const versions = await serverRow<{ body: string; written_at: Date }>(
				x,
				a.coach,
				`select body, written_at from private.message_versions where message_id = $1 order by id`,
				[m.id]
			);
			expect(versions).toEqual([
				{ body: 'one', written_at: m.created_at },
				{ body: 'two', written_at: first.edited_at }
			]);
		});
	});

	test('an edit to the same text changes nothing: not marked edited, no version', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'same'));
			expect(only(await edit(x, m.id, ' same ')).edited_at).toBeNull();
			const versions = await serverRow(
				x,
				a.coach,
				`select 1 from private.message_versions where message_id = $1`,
				[m.id]
			);
			expect(versions).toEqual([]);
		});
	});

	test('an edit of the newest message updates the preview; of an older one, it does not', async () => {
		await as(t.db, a.coach, async (x) => {
			const older = only(await send(x, ids.alex, 'older'));
			const newest = only(await send(x, ids.alex, 'newest'));
			only(await edit(x, newest.id, 'newest,\n  edited'));
			expect((await conversation(x, a.coach, conv.coachAlex)).last_message_preview).toBe('newest, edited');
			only(await edit(x, older.id, 'older, edited'));
			expect((await conversation(x, a.coach, conv.coachAlex)).last_message_preview).toBe('newest, edited');
		});
	});

	test('at 14 minutes may still edit; at 16 is refused (SP103)', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'timing'));
			await ageMessage(x, a.coach, m.id, 14);
			expect(code(await edit(x, m.id, 'timing, fixed'))).toBe('ok');
			await ageMessage(x, a.coach, m.id, 2);
			expect(code(await edit(x, m.id, 'too late'))).toBe('SP103');
		});
	});

	test('is held to the sending rules: blank (SP003), over 2000 characters (SP004)', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'rules'));
			expect(code(await edit(x, m.id, ' \u200b\n '))).toBe('SP003');
			expect(code(await edit(x, m.id, null))).toBe('SP003');
			expect(code(await edit(x, m.id, 'x'.repeat(2001)))).toBe('SP004');
			expect(only(await edit(x, m.id, '💪'.repeat(2000))).body).toBe('💪'.repeat(2000));
		});
	});

	test('cannot edit alex’s message (SP102), rival ↔ jordan’s or an unknown one (SP101)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(code(await edit(x, seededMessageId(80), 'mine now'))).toBe('SP102');
			expect(code(await edit(x, seededMessageIds.rivalToJordan, 'hi'))).toBe('SP101');
			expect(code(await edit(x, randomUUID(), 'hi'))).toBe('SP101');
		});
	});

	test('a direct update of the body meets the same rules as edit_message', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'direct'));
			expect(code(await x.attempt(`update public.messages set body = '  ' where id = $1`, [m.id]))).toBe(
				'SP003'
			);
			expect(code(await x.attempt(`update public.messages set edited_at = null where id = $1`, [m.id]))).toBe(
				'42501'
			);
			await x.query(`update public.messages set body = 'direct, edited' where id = $1`, [m.id]);
			const [row] = await x.query<Message>(`select * from public.messages where id = $1`, [m.id]);
			expect(row.body).toBe('direct, edited');
			expect(row.edited_at).toBeInstanceOf(Date);
		});
	});

	test('broadcasts message_updated with the row as the API returns it, and the inbox event for the newest', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'before'));
			await forgetEvents(x, a.coach);
			const e = only(await edit(x, m.id, 'after'));
			const updated = await broadcasts(x, a.coach, 'message_updated');
			expect(updated).toEqual([
				{
					topic: `conversation:${conv.coachAlex}`,
					event: 'message_updated',
					payload: expect.objectContaining({
						message: expect.objectContaining({ id: m.id, body: 'after', seq: m.seq, deleted_at: null })
					})
				}
			]);
			// The same instant (JSON carries microseconds, a JavaScript Date milliseconds).
			const edited = new Date((updated[0].payload.message as { edited_at: string }).edited_at);
			expect(edited.getTime()).toBe(e.edited_at!.getTime());
			const inbox = await broadcasts(x, a.coach, 'conversation_changed');
			expect(inbox.map((b) => [b.topic, b.payload.last_message_preview]).sort()).toEqual([
				[`user:${ids.coach}`, 'after'],
				[`user:${ids.alex}`, 'after']
			]);
		});
	});
});

describe('a sender (coach) deleting for everyone', () => {
	test('empties the text everywhere the API reaches, keeps the row and its seq, and a copy for admins', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'secret plan'));
			const d = only(await remove(x, m.id));
			expect(d).toMatchObject({ id: m.id, seq: m.seq, body: '', sender_id: ids.coach });
			expect(d.deleted_at).toBeInstanceOf(Date);
			await x.become(a.alex);
			const page = await x.query<Message>(`select * from public.list_messages($1, null, 3)`, [
				conv.coachAlex
			]);
			expect(page.map((r) => [r.seq, r.body, r.deleted_at !== null])).toEqual([
				[m.seq, '', true],
				[80, 'Felt strong, legs a bit sore. (#80)', false],
				[79, expect.stringContaining('(#79)'), false]
			]);
			const copy = await serverRow<{ body: string; sender_id: string }>(
				x,
				a.alex,
				`select body, sender_id from private.deleted_messages where message_id = $1`,
				[m.id]
			);
			expect(copy).toEqual([{ body: 'secret plan', sender_id: ids.coach }]);
		});
	});

	test('the newest message deleted shows “Message deleted” as the preview, in the row and the inbox event', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'oops'));
			await forgetEvents(x, a.coach);
			only(await remove(x, m.id));
			expect((await conversation(x, a.coach, conv.coachAlex)).last_message_preview).toBe('Message deleted');
			const inbox = await broadcasts(x, a.coach, 'conversation_changed');
			expect(
				inbox.map((b) => [b.topic, b.payload.last_message_preview, b.payload.unread_count]).sort()
			).toEqual([
				[`user:${ids.coach}`, 'Message deleted', 1],
				[`user:${ids.alex}`, 'Message deleted', 1]
			]);
			const updated = await broadcasts(x, a.coach, 'message_updated');
			expect(updated).toHaveLength(1);
			expect(updated[0].payload.message).toMatchObject({ id: m.id, body: '' });
			expect(JSON.stringify(updated)).not.toContain('oops');
		});
	});

	test('an unread message deleted no longer counts, in the conversation and the total, and reading adds nothing back', async () => {
		await as(t.db, a.coach, async (x) => {
			const before = await conversation(x, a.coach, conv.coachAlex);
			const alexTotal = await totalOf(x, a.coach, ids.alex);
			const m = only(await send(x, ids.alex, 'unread, then deleted'));
			only(await remove(x, m.id));
			expect((await conversation(x, a.coach, conv.coachAlex)).trainee_unread_count).toBe(
				before.trainee_unread_count
			);
			expect(await totalOf(x, a.coach, ids.alex)).toBe(alexTotal);
			expect(await unreadTotalMismatches(x, a.coach)).toEqual([]);
			await x.become(a.alex);
			// Only coach's #79 is unread for alex: the deleted message is not marked, nor counted twice.
			expect(await x.one(`select public.mark_conversation_read($1) as marked`, [conv.coachAlex])).toEqual({
				marked: 1
			});
			expect((await conversation(x, a.alex, conv.coachAlex)).trainee_unread_count).toBe(0);
			expect(await unreadTotalMismatches(x, a.alex)).toEqual([]);
			const [row] = await x.query<Message>(`select read_at from public.messages where id = $1`, [m.id]);
			expect(row.read_at).toBeNull();
		});
	});

	test('a push not sent yet is not sent: the outbox row ends as deleted and is never claimed', async () => {
		await as(t.db, a.coach, async (x) => {
			await forgetEvents(x, a.coach);
			const m = only(await send(x, ids.alex, 'do not push this'));
			only(await remove(x, m.id));
			await x.becomeDispatcher();
			const outbox = await x.query<{ outcome: string; done: boolean }>(
				`select outcome, done_at is not null as done from private.push_outbox where message_id = $1`,
				[m.id]
			);
			expect(outbox).toEqual([{ outcome: 'deleted', done: true }]);
			await x.query(
				`update private.push_outbox set not_before = now() - interval '1 minute' where message_id = $1`,
				[m.id]
			);
			expect(await x.query(`select * from private.push_claim(10, interval '1 minute')`)).toEqual([]);
		});
	});

	test('removes the message’s reactions without a reactions_changed event (message_updated says it)', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.alex, 'react to me'));
			await x.become(a.alex);
			expect((await react(x, m.id, '🔥')).ok).toBe(true);
			await x.become(a.coach);
			await forgetEvents(x, a.coach);
			only(await remove(x, m.id));
			expect(
				await serverRow(x, a.coach, `select 1 from public.message_reactions where message_id = $1`, [m.id])
			).toEqual([]);
			expect((await broadcasts(x, a.coach)).map((b) => b.event).sort()).toEqual([
				'conversation_changed',
				'conversation_changed',
				'message_updated'
			]);
		});
	});

	test('cannot delete alex’s message (SP102), rival’s (SP101) or the same one twice (SP104)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(code(await remove(x, seededMessageId(80)))).toBe('SP102');
			expect(code(await remove(x, seededMessageIds.rivalToJordan))).toBe('SP101');
			const m = only(await send(x, ids.alex, 'twice'));
			only(await remove(x, m.id));
			expect(code(await remove(x, m.id))).toBe('SP104');
			expect(code(await edit(x, m.id, 'back again'))).toBe('SP104');
			expect(
				code(await x.attempt(`update public.messages set deleted_at = null where id = $1`, [m.id]))
			).toBe('SP104');
		});
	});

	test('a message older than the edit window may still be deleted', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(only(await remove(x, seededMessageId(79))).body).toBe('');
		});
	});

	test('nobody but the API sender deletes: the migration role and service_role are refused (42501)', async () => {
		await as(t.db, a.service_role, async (x) => {
			expect(
				code(
					await x.attempt(`update public.messages set deleted_at = now() where id = $1`, [seededMessageId(1)])
				)
			).toBe('42501');
			await x.becomePostgres();
			expect(
				code(
					await x.attempt(`update public.messages set deleted_at = now() where id = $1`, [seededMessageId(1)])
				)
			).toBe('42501');
		});
	});
});

describe('reactions', () => {
	test('toggle on and off, one per user and emoji, several emoji per user, summed per emoji', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = seededMessageId(79);
			let r = await react(x, id, '👍');
			expect(r).toEqual({
				ok: true,
				summary: {
					conversation_id: conv.coachAlex,
					message_id: id,
					reactions: [{ emoji: '👍', count: 1, user_ids: [ids.alex] }]
				}
			});
			r = await react(x, id, '🔥');
			await x.become(a.coach);
			r = await react(x, id, '👍');
			expect(r.ok && r.summary.reactions).toEqual([
				{ emoji: '👍', count: 2, user_ids: [ids.alex, ids.coach] },
				{ emoji: '🔥', count: 1, user_ids: [ids.alex] }
			]);
			await x.become(a.alex);
			r = await react(x, id, '👍');
			expect(r.ok && r.summary.reactions).toEqual([
				{ emoji: '👍', count: 1, user_ids: [ids.coach] },
				{ emoji: '🔥', count: 1, user_ids: [ids.alex] }
			]);
		});
	});

	test('❤ with or without the variation selector is the same reaction', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = seededMessageId(79);
			const on = await react(x, id, '\u2764');
			expect(on.ok && on.summary.reactions).toEqual([{ emoji: '❤️', count: 1, user_ids: [ids.alex] }]);
			const off = await react(x, id, '\u2764\ufe0f');
			expect(off.ok && off.summary.reactions).toEqual([]);
		});
	});

	test('refuses an emoji outside the set (SP106), however it is sent', async () => {
		await as(t.db, a.alex, async (x) => {
			for (const emoji of ['🦄', '', 'thumbs up', '👍👍'])
				expect(await react(x, seededMessageId(79), emoji)).toEqual({ ok: false, code: 'SP106' });
			// The refusal quotes at most the start of what was sent.
			const long = await x.attempt(`select public.toggle_reaction($1, $2)`, [
				seededMessageId(79),
				'x'.repeat(5000)
			]);
			expect(long.ok ? '' : long.error.message).toMatch(/^"x{16}…" is not one of the reactions/);
			expect(
				code(
					await x.attempt(`insert into public.message_reactions (message_id, emoji) values ($1, '🦄')`, [
						seededMessageId(79)
					])
				)
			).toBe('SP106');
		});
	});

	test('refuses a message of another pair (SP101), also by direct insert, and one that was deleted (SP104)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect(await react(x, seededMessageIds.rivalToJordan, '👍')).toEqual({ ok: false, code: 'SP101' });
			expect(
				code(
					await x.attempt(`insert into public.message_reactions (message_id, emoji) values ($1, '👍')`, [
						seededMessageIds.rivalToJordan
					])
				)
			).toBe('SP101');
			await x.become(a.coach);
			only(await remove(x, seededMessageId(79)));
			await x.become(a.alex);
			expect(await react(x, seededMessageId(79), '👍')).toEqual({ ok: false, code: 'SP104' });
		});
	});

	test('a direct insert reacts as the caller, never as someone else (naming another user is refused, 42501)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect(
				code(
					await x.attempt(
						`insert into public.message_reactions (message_id, user_id, emoji) values ($1, $2, '💪')`,
						[seededMessageId(79), ids.coach]
					)
				)
			).toBe('42501');
			await x.query(`insert into public.message_reactions (message_id, emoji) values ($1, '💪')`, [
				seededMessageId(79)
			]);
			const rows = await x.query<{ user_id: string }>(
				`select user_id from public.message_reactions where message_id = $1`,
				[seededMessageId(79)]
			);
			expect(rows).toEqual([{ user_id: ids.alex }]);
		});
	});

	test('are seen by both participants and nobody else, and taken back only by their author', async () => {
		await as(t.db, a.alex, async (x) => {
			await react(x, seededMessageId(79), '🙏');
			const visible = (actor: Actor) =>
				x
					.become(actor)
					.then(() =>
						x.query(`select emoji from public.message_reactions where message_id = $1`, [seededMessageId(79)])
					);
			expect(await visible(a.coach)).toEqual([{ emoji: '🙏' }]);
			expect(await visible(a.sam)).toEqual([]);
			expect(await visible(a.rival)).toEqual([]);
			await x.become(a.coach);
			const r = await x.attempt(`delete from public.message_reactions where message_id = $1`, [
				seededMessageId(79)
			]);
			expect(r.ok && r.rowCount).toBe(0);
		});
	});

	test('broadcast reactions_changed with the message’s summary on its conversation topic', async () => {
		await as(t.db, a.alex, async (x) => {
			await forgetEvents(x, a.alex);
			await react(x, seededMessageId(79), '😂');
			await react(x, seededMessageId(79), '😂');
			const events = await broadcasts(x, a.alex, 'reactions_changed');
			expect(events).toEqual([
				{
					topic: `conversation:${conv.coachAlex}`,
					event: 'reactions_changed',
					payload: expect.objectContaining({
						conversation_id: conv.coachAlex,
						message_id: seededMessageId(79),
						reactions: [{ emoji: '😂', count: 1, user_ids: [ids.alex] }]
					})
				},
				{
					topic: `conversation:${conv.coachAlex}`,
					event: 'reactions_changed',
					payload: expect.objectContaining({ reactions: [] })
				}
			]);
		});
	});
});

describe('replies', () => {
	test('quote a message of the same conversation, which the recipient can read by its id', async () => {
		await as(t.db, a.coach, async (x) => {
			const reply = only(await send(x, ids.alex, 'About that…', seededMessageId(80)));
			expect(reply.reply_to_id).toBe(seededMessageId(80));
			await x.become(a.alex);
			const [quoted] = await x.query<Message>(
				`select q.* from public.messages m join public.messages q on q.id = m.reply_to_id where m.id = $1`,
				[reply.id]
			);
			expect(quoted).toMatchObject({ id: seededMessageId(80), body: 'Felt strong, legs a bit sore. (#80)' });
		});
	});

	test('cannot quote a message of another conversation, even one of the sender’s own (SP107)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(code(await send(x, ids.alex, 'cross', seededMessageIds.coachToSam))).toBe('SP107');
			expect(code(await send(x, ids.alex, 'foreign', seededMessageIds.rivalToJordan))).toBe('SP107');
			expect(code(await send(x, ids.alex, 'nowhere', randomUUID()))).toBe('SP107');
		});
	});

	test('may quote a deleted message (a reply queued offline is not lost); the quote reads as deleted', async () => {
		await as(t.db, a.alex, async (x) => {
			await x.become(a.coach);
			only(await remove(x, seededMessageId(79)));
			await x.become(a.alex);
			const reply = only(await send(x, ids.coach, 'What did you say?', seededMessageId(79)));
			const [quoted] = await x.query<Message>(`select * from public.messages where id = $1`, [
				reply.reply_to_id
			]);
			expect(quoted).toMatchObject({ body: '' });
			expect(quoted.deleted_at).toBeInstanceOf(Date);
		});
	});

	test('a retry of a reply returns the stored message (idempotent on the message id)', async () => {
		await as(t.db, a.coach, async (x) => {
			const id = randomUUID();
			const first = only(await send(x, ids.alex, 'reply', seededMessageId(80), id));
			expect(only(await send(x, ids.alex, 'reply', seededMessageId(80), id))).toEqual(first);
		});
	});
});

describe('read-only: an archived conversation and an impersonated session', () => {
	test('once sam is unlinked, coach can neither edit, delete nor react in their conversation (SP105)', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = only(await send(x, ids.sam, 'before the unlink'));
			await x.query(`select public.remove_trainee($1)`, [ids.sam]);
			expect(code(await edit(x, m.id, 'after'))).toBe('SP105');
			expect(code(await remove(x, m.id))).toBe('SP105');
			expect(await react(x, seededMessageIds.samToCoach, '👍')).toEqual({ ok: false, code: 'SP105' });
		});
	});

	test('a reaction given before the archive cannot be taken back after it (SP105)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await react(x, seededMessageIds.samToCoach, '👍')).ok).toBe(true);
			await x.query(`select public.remove_trainee($1)`, [ids.sam]);
			expect(await react(x, seededMessageIds.samToCoach, '👍')).toEqual({ ok: false, code: 'SP105' });
		});
	});

	test('dashboard impersonation of alex can do none of these (SP006)', async () => {
		await as(t.db, a.alex, async (x) => {
			const m = only(await send(x, ids.coach, 'mine'));
			await x.become(a.impersonation);
			expect(code(await edit(x, m.id, 'changed by an admin'))).toBe('SP006');
			expect(code(await remove(x, m.id))).toBe('SP006');
			expect(await react(x, seededMessageId(79), '👍')).toEqual({ ok: false, code: 'SP006' });
			expect(code(await send(x, ids.coach, 'reply', m.id))).toBe('SP006');
		});
	});
});
