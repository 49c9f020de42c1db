// The other person: last seen (written at most once a minute, hidden both ways by a setting the
// database enforces), a trainer's private notes about a trainee, and the trainee profile.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { as, createActors, ids, type Actor, type ActorTx, type Actors, type Outcome } from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

const code = (r: Outcome<unknown>) => (r.ok ? 'ok' : r.error.code);
const touch = (x: ActorTx) =>
	x.one<{ seen: Date }>(`select public.touch_last_seen() as seen`).then((r) => r.seen);
async function seenBy(x: ActorTx, viewer: Actor, user: string): Promise<Date | null> {
	await x.become(viewer);
	const rows = await x.query<{ seen_at: Date }>(`select seen_at from public.last_seen where user_id = $1`, [
		user
	]);
	return rows[0]?.seen_at ?? null;
}
/** Moves a user's last seen back, as the test's superuser (time passing). */
async function ago(x: ActorTx, user: string, minutes: number) {
	await x.becomePostgres();
	await x.query(
		`update public.last_seen set seen_at = now() - make_interval(secs => $2) where user_id = $1`,
		[user, minutes * 60]
	);
}

describe('last seen', () => {
	test('is stamped with server time by touch_last_seen, at most once a minute', async () => {
		await as(t.db, a.alex, async (x) => {
			const [{ now }] = await x.query<{ now: Date }>(`select now()`);
			expect(await touch(x)).toEqual(now);
			await ago(x, ids.alex, 0.5);
			await x.become(a.alex);
			const halfMinuteAgo = await touch(x);
			expect(halfMinuteAgo.getTime()).toBeLessThan(now.getTime());
			await ago(x, ids.alex, 2);
			await x.become(a.alex);
			expect(await touch(x)).toEqual(now);
		});
	});

	test('a client cannot write another time or another user’s activity', async () => {
		await as(t.db, a.alex, async (x) => {
			await touch(x);
			await x.query(`update public.last_seen set seen_at = '2000-01-01' where user_id = $1`, [ids.alex]);
			const [{ now }] = await x.query<{ now: Date }>(`select now()`);
			expect(await seenBy(x, a.alex, ids.alex)).toEqual(now);
			// The row is the caller's, whatever user_id was sent.
			await x.become(a.sam);
			expect(code(await x.attempt(`insert into public.last_seen (user_id) values ($1)`, [ids.coach]))).toBe(
				'ok'
			);
			await x.becomePostgres();
			expect(
				await x.query(`select user_id from public.last_seen where user_id in ($1, $2) order by 1`, [
					ids.coach,
					ids.sam
				])
			).toEqual([{ user_id: ids.sam }]);
		});
	});

	test('is visible to the people who can see the profile, and to nobody else', async () => {
		await as(t.db, a.alex, async (x) => {
			await touch(x);
			expect(await seenBy(x, a.coach, ids.alex)).toBeInstanceOf(Date);
			expect(await seenBy(x, a.alex, ids.alex)).toBeInstanceOf(Date);
			expect(await seenBy(x, a.sam, ids.alex)).toBeNull();
			expect(await seenBy(x, a.rival, ids.alex)).toBeNull();
			expect(await seenBy(x, a.solo, ids.alex)).toBeNull();
		});
	});

	test('hidden by its owner: nobody else sees it, and the owner sees nobody else’s', async () => {
		await as(t.db, a.coach, async (x) => {
			await touch(x);
			await x.become(a.alex);
			await touch(x);
			await x.query(`select public.set_last_seen_hidden(true)`);
			expect(await seenBy(x, a.coach, ids.alex)).toBeNull();
			expect(await seenBy(x, a.alex, ids.coach)).toBeNull();
			expect(await seenBy(x, a.alex, ids.alex)).toBeInstanceOf(Date);
			// Sam, who hides nothing, still sees coach.
			expect(await seenBy(x, a.sam, ids.coach)).toBeInstanceOf(Date);
			await x.become(a.alex);
			await x.query(`select public.set_last_seen_hidden(false)`);
			expect(await seenBy(x, a.coach, ids.alex)).toBeInstanceOf(Date);
			expect(await seenBy(x, a.alex, ids.coach)).toBeInstanceOf(Date);
		});
	});

	test('the list carries the other party’s last seen, and follows the setting', async () => {
		await as(t.db, a.alex, async (x) => {
			await touch(x);
			await x.become(a.coach);
			const rows = await x.query<{ other_party_id: string; other_party_last_seen_at: Date | null }>(
				`select other_party_id, other_party_last_seen_at from public.list_conversations()`
			);
			expect(rows.find((r) => r.other_party_id === ids.alex)?.other_party_last_seen_at).toBeInstanceOf(Date);
			expect(rows.find((r) => r.other_party_id === ids.sam)?.other_party_last_seen_at).toBeNull();
			await x.query(`select public.set_last_seen_hidden(true)`);
			const hidden = await x.query<{ other_party_last_seen_at: Date | null }>(
				`select other_party_last_seen_at from public.list_conversations()`
			);
			expect(hidden.map((r) => r.other_party_last_seen_at)).toEqual([null, null]);
		});
	});

	test('an impersonated session records nothing (SP006)', async () => {
		await as(t.db, a.impersonation, async (x) => {
			expect(code(await x.attempt(`select public.touch_last_seen()`))).toBe('SP006');
			expect(code(await x.attempt(`select public.set_last_seen_hidden(true)`))).toBe('SP006');
		});
	});
});

describe('trainee notes', () => {
	test('a trainer saves, replaces and clears a note about a trainee; only that trainer reads it', async () => {
		await as(t.db, a.coach, async (x) => {
			const saved = await x.one<{ trainer_id: string; trainee_id: string; body: string }>(
				`select * from public.save_trainee_note($1, $2)`,
				[ids.alex, '  Knee: no deep lunges.  ']
			);
			expect(saved).toMatchObject({
				trainer_id: ids.coach,
				trainee_id: ids.alex,
				body: 'Knee: no deep lunges.'
			});
			await x.query(`select public.save_trainee_note($1, 'Knee fine again.')`, [ids.alex]);
			const read = (actor: Actor) =>
				x
					.become(actor)
					.then(() => x.query(`select body from public.trainee_notes where trainee_id = $1`, [ids.alex]));
			expect(await read(a.coach)).toEqual([{ body: 'Knee fine again.' }]);
			expect(await read(a.alex)).toEqual([]);
			expect(await read(a.rival)).toEqual([]);
			expect(await read(a.sam)).toEqual([]);
			await x.become(a.coach);
			expect(await x.query(`select * from public.save_trainee_note($1, ' \u200b ')`, [ids.alex])).toEqual([]);
			expect(await read(a.coach)).toEqual([]);
		});
	});

	test('a trainee can never read, write or change notes about themselves', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.save_trainee_note($1, 'private')`, [ids.alex]);
			await x.become(a.alex);
			expect(await x.query(`select * from public.trainee_notes`)).toEqual([]);
			expect(code(await x.attempt(`select public.save_trainee_note($1, 'mine')`, [ids.alex]))).toBe('SP001');
			expect(
				code(
					await x.attempt(`insert into public.trainee_notes (trainee_id, body) values ($1, 'x')`, [ids.alex])
				)
			).toBe('42501');
			const r = await x.attempt(`update public.trainee_notes set body = 'changed'`);
			expect(r.ok && r.rowCount).toBe(0);
			const profile = await x.one<{ note: string | null }>(`select note from public.trainee_profile($1)`, [
				ids.alex
			]);
			expect(profile.note).toBeNull();
		});
	});

	test('a trainer cannot write about another trainer’s trainee (SP001) nor read their notes', async () => {
		await as(t.db, a.rival, async (x) => {
			await x.query(`select public.save_trainee_note($1, 'rival''s note')`, [ids.jordan]);
			await x.become(a.coach);
			expect(code(await x.attempt(`select public.save_trainee_note($1, 'x')`, [ids.jordan]))).toBe('SP001');
			expect(await x.query(`select * from public.trainee_notes where trainee_id = $1`, [ids.jordan])).toEqual(
				[]
			);
		});
	});

	test('is at most 5000 characters (SP108), and an impersonated session writes none (SP006)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(
				code(await x.attempt(`select public.save_trainee_note($1, $2)`, [ids.alex, 'n'.repeat(5001)]))
			).toBe('SP108');
			expect(
				code(await x.attempt(`select public.save_trainee_note($1, $2)`, [ids.alex, 'n'.repeat(5000)]))
			).toBe('ok');
		});
		const impersonatedCoach = { ...a.impersonation, id: ids.coach };
		impersonatedCoach.caller = {
			...a.impersonation.caller,
			claims: { ...a.impersonation.caller.claims, sub: ids.coach }
		};
		await as(t.db, impersonatedCoach, async (x) => {
			expect(code(await x.attempt(`select public.save_trainee_note($1, 'x')`, [ids.alex]))).toBe('SP006');
		});
	});
});

describe('the trainee profile', () => {
	test('shows the trainer when the trainee joined, whether linked, last seen, the conversation and the note', async () => {
		await as(t.db, a.alex, async (x) => {
			await touch(x);
			await x.become(a.coach);
			await x.query(`select public.save_trainee_note($1, 'Goal: 5k under 25 min')`, [ids.alex]);
			const p = await x.one<Record<string, unknown>>(`select * from public.trainee_profile($1)`, [ids.alex]);
			expect(p).toMatchObject({
				id: ids.alex,
				display_name: 'Alex Rivera',
				linked: true,
				conversation_id: '20000000-0000-4000-8000-000000000001',
				note: 'Goal: 5k under 25 min'
			});
			expect(p.joined_at).toBeInstanceOf(Date);
			expect(p.last_seen_at).toBeInstanceOf(Date);
		});
	});

	test('of a past trainee stays readable, marked not linked; of someone else’s trainee is empty', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.remove_trainee($1)`, [ids.sam]);
			const sam = await x.query<{ linked: boolean; conversation_id: string }>(
				`select linked, conversation_id from public.trainee_profile($1)`,
				[ids.sam]
			);
			expect(sam).toEqual([{ linked: false, conversation_id: '20000000-0000-4000-8000-000000000002' }]);
			expect(await x.query(`select * from public.trainee_profile($1)`, [ids.jordan])).toEqual([]);
		});
	});
});
