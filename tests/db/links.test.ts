// The trainer ↔ trainee link: profiles from sign-up, invitations, redeeming and removing, and the
// archive the database applies itself when a link ends or a user is deleted, in the same transaction.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	ids,
	inTransaction,
	type ActorTx,
	type Actors,
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

interface Profile {
	id: string;
	role: string;
	display_name: string;
	trainer_id: string | null;
}
interface ConversationState {
	trainer_id: string | null;
	trainee_id: string | null;
	archived_at: Date | null;
	archived_reason: string | null;
	messages: number;
	null_senders: number;
}

/** A conversation's archive state and message counts, read as the server (RLS off). */
async function stateOf(x: ActorTx, id: string): Promise<ConversationState> {
	return x.one<ConversationState>(
		`select c.trainer_id, c.trainee_id, c.archived_at, c.archived_reason,
		        (select count(*)::int from public.messages m where m.conversation_id = c.id) as messages,
		        (select count(*)::int from public.messages m where m.conversation_id = c.id and m.sender_id is null) as null_senders
		 from public.conversations c where c.id = $1`,
		[id]
	);
}
const profileOf = (x: ActorTx, id: string) =>
	x.one<Profile>(`select id, role::text, display_name, trainer_id from public.profiles where id = $1`, [id]);

/** Inserts an auth user as Supabase Auth does at sign-up; the trigger makes the profile. */
const signUp = (x: ActorTx, email: string, meta: Record<string, unknown>) =>
	x.attempt<{ id: string }>(
		`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
		 values (gen_random_uuid(), 'authenticated', 'authenticated', $1, $2, now(), now()) returning id`,
		[email, JSON.stringify(meta)]
	);

describe('signing up', () => {
	test('creates a trainer or trainee profile from the sign-up metadata', async () => {
		await inTransaction(t.db, async (x) => {
			const trainer = await signUp(x, 'new-trainer@db.test', {
				role: 'trainer',
				display_name: '  Pat Trainer '
			});
			const trainee = await signUp(x, 'new-trainee@db.test', { role: 'trainee', display_name: 'Quinn' });
			expect(await profileOf(x, trainer.rows![0].id)).toMatchObject({
				role: 'trainer',
				display_name: 'Pat Trainer',
				trainer_id: null
			});
			expect(await profileOf(x, trainee.rows![0].id)).toMatchObject({
				role: 'trainee',
				display_name: 'Quinn',
				trainer_id: null
			});
		});
	});

	test('defaults to a trainee named after the e-mail when the metadata says nothing', async () => {
		await inTransaction(t.db, async (x) => {
			const r = await signUp(x, 'drew.smith@db.test', {});
			expect(await profileOf(x, r.rows![0].id)).toMatchObject({
				role: 'trainee',
				display_name: 'drew.smith'
			});
		});
	});

	test('refuses role admin, or any other role, at sign-up (22023) and creates no user', async () => {
		await inTransaction(t.db, async (x) => {
			for (const role of ['admin', 'superuser', 'Trainer']) {
				const r = await signUp(x, `${role}@db.test`, { role });
				expect({ role, code: r.error?.code }).toEqual({ role, code: '22023' });
			}
			expect(await x.query(`select id from auth.users where email like '%@db.test'`)).toEqual([]);
		});
	});

	test('a profile name must be 1–80 characters and an avatar an http(s) URL (23514)', async () => {
		await as(t.db, a.alex, async (x) => {
			for (const set of [
				`display_name = '   '`,
				`display_name = repeat('x', 81)`,
				`avatar_url = 'javascript:alert(1)'`
			]) {
				expect({
					set,
					code: await x.errorCode(`update public.profiles set ${set} where id = $1`, [ids.alex])
				}).toEqual({ set, code: '23514' });
			}
			expect(
				await x.errorCode(`update public.profiles set display_name = repeat('x', 80) where id = $1`, [
					ids.alex
				])
			).toBeNull();
		});
	});
});

describe('a trainer (coach) with invitations', () => {
	test('creates a fresh 8-character code without look-alike characters, valid for 14 days', async () => {
		await as(t.db, a.coach, async (x) => {
			const inv = await x.one<{ code: string; trainer_id: string; days: number }>(
				`select code, trainer_id, round(extract(epoch from expires_at - created_at) / 86400)::int as days from public.create_invitation()`
			);
			expect(inv.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
			expect(inv).toMatchObject({ trainer_id: ids.coach, days: 14 });
			const other = await x.one<{ code: string }>(`select code from public.create_invitation()`);
			expect(other.code).not.toBe(inv.code);
		});
	});

	test('cannot redeem an invitation, not even their own (SP012)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(await x.errorCode(`select public.redeem_invitation('CASEY234')`)).toBe('SP012');
		});
		await as(t.db, a.rival, async (x) => {
			expect(await x.errorCode(`select public.redeem_invitation('CASEY234')`)).toBe('SP012');
		});
	});

	test('removing a trainee who is not theirs is refused (SP001)', async () => {
		await as(t.db, a.coach, async (x) => {
			for (const id of [ids.jordan, ids.solo, ids.rival, ids.coach]) {
				expect({ id, code: await x.errorCode(`select public.remove_trainee($1)`, [id]) }).toEqual({
					id,
					code: 'SP001'
				});
			}
		});
	});
});

describe('a trainee redeeming a code', () => {
	test('solo, without a trainer, becomes coach’s trainee and both now see each other', async () => {
		await as(t.db, a.solo, async (x) => {
			const me = await x.one<Profile>(`select id, trainer_id from public.redeem_invitation('CASEY234')`);
			expect(me).toEqual({ id: ids.solo, trainer_id: ids.coach });
			expect(await x.query(`select code, trainer_id from public.invitation_redemptions`)).toEqual([
				{ code: 'CASEY234', trainer_id: ids.coach }
			]);
			expect((await x.query(`select id from public.profiles order by id`)).map((r) => r.id)).toEqual([
				ids.coach,
				ids.solo
			]);
			await x.become(a.coach);
			expect(await x.query(`select id from public.profiles where id = $1`, [ids.solo])).toEqual([
				{ id: ids.solo }
			]);
		});
	});

	test('accepts the code in any case and with surrounding spaces', async () => {
		await as(t.db, a.solo, async (x) => {
			const me = await x.one<Profile>(`select trainer_id from public.redeem_invitation('  casey234 ')`);
			expect(me.trainer_id).toBe(ids.coach);
		});
	});

	test('an unknown code is refused (SP010)', async () => {
		await as(t.db, a.solo, async (x) => {
			expect(await x.errorCode(`select public.redeem_invitation('ZZZZZZZZ')`)).toBe('SP010');
			expect(await x.errorCode(`select public.redeem_invitation('')`)).toBe('SP010');
		});
	});

	test('a revoked code is refused (SP013, withdrawn) and links nobody', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`update public.invitations set revoked_at = now() where code = 'CASEY234'`);
			await x.become(a.solo);
			expect(await x.errorCode(`select public.redeem_invitation('CASEY234')`)).toBe('SP013');
			expect((await profileOf(x, ids.solo)).trainer_id).toBeNull();
		});
	});

	test('an expired code is refused (SP011)', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(
				`update public.invitations set created_at = now() - interval '15 days', expires_at = now() - interval '1 day' where code = 'CASEY234'`
			);
			await x.become(a.solo);
			expect(await x.errorCode(`select public.redeem_invitation('CASEY234')`)).toBe('SP011');
		});
	});

	test('redeeming the current trainer’s code again changes nothing', async () => {
		await as(t.db, a.alex, async (x) => {
			await x.query(`select public.redeem_invitation('CASEY234')`);
			await x.becomePostgres();
			expect((await profileOf(x, ids.alex)).trainer_id).toBe(ids.coach);
			expect(await stateOf(x, conv.coachAlex)).toMatchObject({ archived_at: null, messages: 80 });
		});
	});

	test('alex switching to rival by redeeming rival’s code archives coach ↔ alex, history kept', async () => {
		await as(t.db, a.alex, async (x) => {
			const me = await x.one<Profile>(`select trainer_id from public.redeem_invitation('RYLEE234')`);
			expect(me.trainer_id).toBe(ids.rival);
			expect(
				await x.query(`select archived_reason from public.conversations where id = $1`, [conv.coachAlex])
			).toEqual([{ archived_reason: 'unlinked' }]);
			const [{ n }] = await x.query<{ n: number }>(
				`select count(*)::int as n from public.messages where conversation_id = $1`,
				[conv.coachAlex]
			);
			expect(n).toBe(80);
			expect(
				await x.errorCode(`select public.send_message($1, 'back?', gen_random_uuid())`, [ids.coach])
			).toBe('SP002');
			await x.become(a.coach);
			const [{ coachSees }] = await x.query<{ coachSees: number }>(
				`select count(*)::int as "coachSees" from public.messages where conversation_id = $1`,
				[conv.coachAlex]
			);
			expect(coachSees).toBe(80);
			expect(await x.query(`select display_name from public.profiles where id = $1`, [ids.alex])).toEqual([
				{ display_name: 'Alex Rivera' }
			]);
		});
	});

	test('coming back to coach restores the same conversation with its history', async () => {
		await as(t.db, a.alex, async (x) => {
			await x.query(`select public.redeem_invitation('RYLEE234')`);
			await x.query(`select public.redeem_invitation('CASEY234')`);
			await x.becomePostgres();
			expect(await stateOf(x, conv.coachAlex)).toMatchObject({
				archived_at: null,
				archived_reason: null,
				messages: 80
			});
			await x.become(a.alex);
			expect(
				await x.errorCode(`select public.send_message($1, 'I am back', gen_random_uuid())`, [ids.coach])
			).toBeNull();
		});
	});
});

describe('removing a trainee (coach unlinks alex)', () => {
	test('archives their conversation in the same transaction as “unlinked” and keeps every message', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.remove_trainee($1)`, [ids.alex]);
			await x.becomePostgres();
			const state = await stateOf(x, conv.coachAlex);
			expect(state).toMatchObject({
				trainer_id: ids.coach,
				trainee_id: ids.alex,
				archived_reason: 'unlinked',
				messages: 80,
				null_senders: 0
			});
			expect(state.archived_at).toBeInstanceOf(Date);
			expect((await profileOf(x, ids.alex)).trainer_id).toBeNull();
			expect(await stateOf(x, conv.coachSam)).toMatchObject({ archived_at: null });
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});

	test('a trainee never messaged is removed too: unlinked, and no longer visible to the trainer', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.solo);
			await x.query(`select public.redeem_invitation('CASEY234')`);
			await x.become(a.coach);
			expect(await x.errorCode(`select public.remove_trainee($1)`, [ids.solo])).toBeNull();
			expect(await x.query(`select id from public.profiles where id = $1`, [ids.solo])).toEqual([]);
			await x.becomePostgres();
			expect((await profileOf(x, ids.solo)).trainer_id).toBeNull();
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});

	test('the dashboard impersonating the trainer cannot remove a trainee (SP006), and alex stays linked', async () => {
		await inTransaction(t.db, async (x) => {
			// Claims of coach, a session that is no auth session.
			const fake = {
				...a.coach,
				caller: { ...a.coach.caller, claims: { ...a.coach.caller.claims, session_id: crypto.randomUUID() } }
			};
			await x.become(fake);
			expect(await x.errorCode(`select public.remove_trainee($1)`, [ids.alex])).toBe('SP006');
			await x.becomePostgres();
			expect((await profileOf(x, ids.alex)).trainer_id).toBe(ids.coach);
		});
	});

	test('both sides still read the history and see each other, but neither can send (SP002)', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			await x.query(`select public.remove_trainee($1)`, [ids.alex]);
			for (const [actor, other] of [
				[a.coach, ids.alex],
				[a.alex, ids.coach]
			] as const) {
				await x.become(actor);
				const page = await x.query(`select id from public.list_messages($1)`, [conv.coachAlex]);
				expect(page).toHaveLength(20);
				expect(await x.query(`select id from public.profiles where id = $1`, [other])).toEqual([
					{ id: other }
				]);
				const [row] = await x.query(`select archived_reason from public.list_conversations() where id = $1`, [
					conv.coachAlex
				]);
				expect(row).toEqual({ archived_reason: 'unlinked' });
				expect(
					await x.errorCode(`select public.send_message($1, 'hello?', gen_random_uuid())`, [other])
				).toBe('SP002');
			}
		});
	});

	test('tells both participants on their inbox topics that the conversation is archived', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`delete from realtime.messages`);
			await x.become(a.coach);
			await x.query(`select public.remove_trainee($1)`, [ids.alex]);
			await x.becomePostgres();
			const rows = await x.query<{ topic: string; reason: string }>(
				`select topic, payload ->> 'archived_reason' as reason from realtime.messages where event = 'conversation_changed' order by topic`
			);
			expect(rows).toEqual(
				[
					{ topic: `user:${ids.coach}`, reason: 'unlinked' },
					{ topic: `user:${ids.alex}`, reason: 'unlinked' }
				].sort((p, q) => p.topic.localeCompare(q.topic))
			);
		});
	});

	test('a trainee leaving on their own (clearing trainer_id) archives the conversation too', async () => {
		await as(t.db, a.sam, async (x) => {
			expect(
				await x.attempt(`update public.profiles set trainer_id = null where id = $1`, [ids.sam])
			).toMatchObject({ ok: true, rowCount: 1 });
			await x.becomePostgres();
			expect(await stateOf(x, conv.coachSam)).toMatchObject({ archived_reason: 'unlinked', messages: 2 });
		});
	});

	test('re-linking the same pair restores the conversation and sending works again', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			await x.query(`select public.remove_trainee($1)`, [ids.alex]);
			await x.become(a.alex);
			await x.query(`select public.redeem_invitation('CASEY234')`);
			await x.becomePostgres();
			expect(await stateOf(x, conv.coachAlex)).toMatchObject({
				archived_at: null,
				archived_reason: null,
				messages: 80
			});
			await x.become(a.coach);
			expect(
				await x.errorCode(`select public.send_message($1, 'welcome back', gen_random_uuid())`, [ids.alex])
			).toBeNull();
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});
});

describe('deleting a user (dashboard or Auth admin deletes from auth.users)', () => {
	test('deleting a trainee archives their conversation as trainee_deleted and keeps the messages, sender cleared', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`delete from auth.users where id = $1`, [ids.alex]);
			expect(await stateOf(x, conv.coachAlex)).toMatchObject({
				trainer_id: ids.coach,
				trainee_id: null,
				archived_reason: 'trainee_deleted',
				messages: 80,
				null_senders: 40
			});
			expect(await stateOf(x, conv.coachSam)).toMatchObject({ archived_at: null });
			await x.become(a.coach);
			const [{ n }] = await x.query<{ n: number }>(
				`select count(*)::int as n from public.messages where conversation_id = $1`,
				[conv.coachAlex]
			);
			expect(n).toBe(80);
			const [row] = await x.query(
				`select other_party_id, other_party_name, archived_reason from public.list_conversations() where id = $1`,
				[conv.coachAlex]
			);
			expect(row).toEqual({
				other_party_id: null,
				other_party_name: null,
				archived_reason: 'trainee_deleted'
			});
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});

	test('deleting a trainer archives all their conversations as trainer_deleted and unlinks their trainees', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`delete from auth.users where id = $1`, [ids.coach]);
			expect(await stateOf(x, conv.coachAlex)).toMatchObject({
				trainer_id: null,
				trainee_id: ids.alex,
				archived_reason: 'trainer_deleted',
				messages: 80,
				null_senders: 40
			});
			expect(await stateOf(x, conv.coachSam)).toMatchObject({
				trainer_id: null,
				archived_reason: 'trainer_deleted',
				messages: 2,
				null_senders: 1
			});
			expect(await stateOf(x, conv.rivalJordan)).toMatchObject({ archived_at: null });
			expect((await profileOf(x, ids.alex)).trainer_id).toBeNull();
			expect(await x.query(`select code from public.invitations where code = 'CASEY234'`)).toEqual([]);
			await x.become(a.alex);
			const [{ n }] = await x.query<{ n: number }>(
				`select count(*)::int as n from public.messages where conversation_id = $1`,
				[conv.coachAlex]
			);
			expect(n).toBe(80);
			expect(
				await x.errorCode(`insert into public.messages (conversation_id, body) values ($1, 'anyone?')`, [
					conv.coachAlex
				])
			).toBe('SP002');
			// The deleted trainer's total went with them; everyone else's is still exact.
			expect(await unreadTotalMismatches(x)).toEqual([]);
			expect(
				await x.query(`select total from private.unread_totals where user_id = $1`, [ids.coach])
			).toEqual([]);
		});
	});

	test('a deleted user’s unread counts stay consistent: the survivor can still mark the history read', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`delete from auth.users where id = $1`, [ids.alex]);
			await x.become(a.coach);
			const [{ marked }] = await x.query<{ marked: number }>(
				`select public.mark_conversation_read($1) as marked`,
				[conv.coachAlex]
			);
			expect(marked).toBe(1);
			await x.becomePostgres();
			expect(
				await x.one(
					`select trainer_unread_count, trainee_unread_count from public.conversations where id = $1`,
					[conv.coachAlex]
				)
			).toEqual({
				trainer_unread_count: 0,
				trainee_unread_count: 1
			});
			expect(
				await x.query(`select total from private.unread_totals where user_id = $1`, [ids.coach])
			).toEqual([{ total: 1 }]);
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});
});
