// profile_changed: the database tells whoever shows a person (on their own user:<id> topic) that a
// trainer link, a name or a picture changed, so trainee lists and open chats re-read instead of
// going stale. Grouped by who makes the change.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	conversationIds as conv,
	createActors,
	ids,
	inTransaction,
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

interface Event {
	topic: string;
	profile_id: string;
	private: boolean;
}

/** Forgets the realtime rows so far (seed, setup), inside the rolled-back test. */
async function clearEvents(x: ActorTx) {
	await x.becomePostgres();
	await x.query(`delete from realtime.messages`);
}

/** The profile_changed broadcasts written since clearEvents, by topic. */
async function profileEvents(x: ActorTx): Promise<Event[]> {
	await x.becomePostgres();
	return x.query<Event>(
		`select topic, payload ->> 'profile_id' as profile_id, private
		 from realtime.messages
		 where event = 'profile_changed' and extension = 'broadcast'
		 order by topic`
	);
}

const to = (profileId: string, ...users: string[]): Event[] =>
	users
		.map((user) => ({ topic: `user:${user}`, profile_id: profileId, private: true }))
		.sort((p, q) => p.topic.localeCompare(q.topic));

/** A new trainee with no trainer, signed up as Supabase Auth does (the profile trigger runs). */
async function newTrainee(x: ActorTx, name: string): Promise<string> {
	const [{ id }] = await x.query<{ id: string }>(
		`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
		 values (gen_random_uuid(), 'authenticated', 'authenticated', $1, $2, now(), now()) returning id`,
		[`${name.toLowerCase()}-${Date.now()}@db.test`, JSON.stringify({ role: 'trainee', display_name: name })]
	);
	const session = await x.one<{ id: string }>(
		`insert into auth.sessions (id, user_id, created_at, updated_at, aal)
		 values (gen_random_uuid(), $1, now(), now(), 'aal1') returning id`,
		[id]
	);
	return `${id}/${session.id}`;
}

/** Acts as a user created inside the test transaction (claims as PostgREST sets them). */
async function becomeNew(x: ActorTx, both: string) {
	const [id, sessionId] = both.split('/');
	const now = Math.floor(Date.now() / 1000);
	const claims = {
		sub: id,
		role: 'authenticated',
		aud: 'authenticated',
		exp: now + 3600,
		session_id: sessionId
	};
	await x.query(
		`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true),
		        set_config('request.jwt.claim.sub', '', true), set_config('request.jwt.claim.role', '', true)`,
		[JSON.stringify(claims)]
	);
	return id;
}

describe('a new trainee joining with a code', () => {
	test('tells the trainer (whose trainee list grows) and the trainee’s own devices', async () => {
		await inTransaction(t.db, async (x) => {
			const trainee = await newTrainee(x, 'Newcomer');
			await clearEvents(x);
			const id = await becomeNew(x, trainee);
			await x.query(`select public.redeem_invitation('CASEY234')`);
			expect(await profileEvents(x)).toEqual(to(id, id, ids.coach));
		});
	});

	test('moving to another trainer tells the one left behind too', async () => {
		await inTransaction(t.db, async (x) => {
			const trainee = await newTrainee(x, 'Mover');
			const id = await becomeNew(x, trainee);
			await x.query(`select public.redeem_invitation('CASEY234')`);
			await x.becomePostgres();
			const [{ code }] = await x.query<{ code: string }>(
				`insert into public.invitations (trainer_id) values ($1) returning code`,
				[ids.rival]
			);
			await clearEvents(x);
			await becomeNew(x, trainee);
			await x.query(`select public.redeem_invitation($1)`, [code]);
			expect(await profileEvents(x)).toEqual(to(id, id, ids.coach, ids.rival));
		});
	});
});

describe('a trainer removing a trainee', () => {
	test('tells the trainer and the trainee; nobody else', async () => {
		await inTransaction(t.db, async (x) => {
			await clearEvents(x);
			await x.become(a.coach);
			await x.query(`select public.remove_trainee($1)`, [ids.sam]);
			expect(await profileEvents(x)).toEqual(to(ids.sam, ids.sam, ids.coach));
		});
	});
});

describe('renaming', () => {
	test('a trainee’s new name reaches their trainer and their own devices', async () => {
		await inTransaction(t.db, async (x) => {
			await clearEvents(x);
			await x.become(a.alex);
			await x.query(`update public.profiles set display_name = 'Alex R.' where id = $1`, [ids.alex]);
			expect(await profileEvents(x)).toEqual(to(ids.alex, ids.alex, ids.coach));
		});
	});

	test('a trainer’s new name or picture reaches every trainee and every conversation partner, once each', async () => {
		await inTransaction(t.db, async (x) => {
			// Sam leaves: no longer a trainee, still a conversation partner (archived, history kept).
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.sam]);
			await clearEvents(x);
			await x.become(a.coach);
			await x.query(`update public.profiles set display_name = 'Coach Casey' where id = $1`, [ids.coach]);
			expect(await profileEvents(x)).toEqual(to(ids.coach, ids.coach, ids.alex, ids.sam));
			await clearEvents(x);
			await x.become(a.coach);
			await x.query(`update public.profiles set avatar_url = 'https://example.test/c.png' where id = $1`, [
				ids.coach
			]);
			expect(await profileEvents(x)).toEqual(to(ids.coach, ids.coach, ids.alex, ids.sam));
		});
	});

	test('saving the same name again tells nobody', async () => {
		await inTransaction(t.db, async (x) => {
			await clearEvents(x);
			await x.become(a.alex);
			await x.query(`update public.profiles set display_name = display_name where id = $1`, [ids.alex]);
			expect(await profileEvents(x)).toEqual([]);
		});
	});

	test('never reaches someone unrelated (rival and jordan hear nothing about coach)', async () => {
		await inTransaction(t.db, async (x) => {
			await clearEvents(x);
			await x.become(a.coach);
			await x.query(`update public.profiles set display_name = 'Coach Casey' where id = $1`, [ids.coach]);
			const topics = (await profileEvents(x)).map((e) => e.topic);
			for (const stranger of [ids.rival, ids.jordan, ids.solo])
				expect(topics).not.toContain(`user:${stranger}`);
		});
	});
});

describe('deleting an account', () => {
	test('a deleted trainee leaves their trainer’s list, and the trainer is told', async () => {
		await inTransaction(t.db, async (x) => {
			await clearEvents(x);
			await x.query(`delete from auth.users where id = $1`, [ids.alex]);
			const events = await profileEvents(x);
			expect(events).toContainEqual(to(ids.alex, ids.coach)[0]);
			// The conversation is archived and both sides hear it the usual way.
			const archived = await x.query<{ topic: string }>(
				`select topic from realtime.messages where event = 'conversation_changed'
				   and payload ->> 'conversation_id' = $1`,
				[conv.coachAlex]
			);
			expect(archived.map((r) => r.topic)).toContain(`user:${ids.coach}`);
		});
	});

	test('a deleted trainer’s trainees are told that their link is gone', async () => {
		await inTransaction(t.db, async (x) => {
			await clearEvents(x);
			await x.query(`delete from auth.users where id = $1`, [ids.rival]);
			expect(await profileEvents(x)).toContainEqual(to(ids.jordan, ids.jordan)[0]);
		});
	});
});
