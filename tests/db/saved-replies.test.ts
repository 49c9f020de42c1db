// Saved replies: a trainer's own templates, under RLS, with a unique short name and the sending body
// rules; nobody else reads or changes them, and trainees have none.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { as, createActors, ids, inTransaction, type ActorTx, type Actors } from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

const save = (x: ActorTx, name: string, body: string) =>
	x.attempt<{ id: string; trainer_id: string; name: string; body: string }>(
		`insert into public.saved_replies (name, body) values ($1, $2) returning id, trainer_id, name, body`,
		[name, body]
	);

describe('a trainer (coach) with saved replies', () => {
	test('saves, lists, renames, edits and deletes their own', async () => {
		await as(t.db, a.coach, async (x) => {
			const r = await save(x, ' check-in ', 'How did this week feel, {first_name}?');
			expect(r.error).toBeUndefined();
			const row = r.rows![0];
			expect(row).toMatchObject({
				trainer_id: ids.coach,
				name: 'check-in',
				body: 'How did this week feel, {first_name}?'
			});
			expect(await x.query(`select name from public.saved_replies order by name`)).toEqual([
				{ name: 'check-in' }
			]);
			expect(
				await x.errorCode(`update public.saved_replies set name = 'weekly', body = 'Weekly?' where id = $1`, [
					row.id
				])
			).toBeNull();
			expect(await x.one(`select name, body from public.saved_replies where id = $1`, [row.id])).toEqual({
				name: 'weekly',
				body: 'Weekly?'
			});
			expect((await x.attempt(`delete from public.saved_replies where id = $1`, [row.id])).rowCount).toBe(1);
		});
	});

	test('refuses a blank or over-long name (SP307), a name taken (SP308), a blank or over-long body (SP003, SP004)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect((await save(x, '  ', 'x')).error?.code).toBe('SP307');
			expect((await save(x, 'n'.repeat(41), 'x')).error?.code).toBe('SP307');
			expect((await save(x, 'gym', 'Gym closed')).ok).toBe(true);
			expect((await save(x, 'gym', 'Gym open')).error?.code).toBe('SP308');
			expect((await save(x, 'empty', ' \u200b ')).error?.code).toBe('SP003');
			expect((await save(x, 'long', 'x'.repeat(2001))).error?.code).toBe('SP004');
		});
	});

	test('cannot write one as another trainer', async () => {
		await as(t.db, a.coach, async (x) => {
			const r = await x.attempt(
				`insert into public.saved_replies (trainer_id, name, body) values ($1, 'x', 'y')`,
				[ids.rival]
			);
			expect(r.error?.code).toBe('42501');
		});
	});
});

describe('everyone else', () => {
	test('another trainer neither sees nor changes nor deletes coach’s replies; the same name is theirs to use', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			const id = (await save(x, 'gym', 'Gym closed')).rows![0].id;
			await x.become(a.rival);
			expect(await x.query(`select 1 from public.saved_replies where id = $1`, [id])).toEqual([]);
			expect(
				(await x.attempt(`update public.saved_replies set body = 'x' where id = $1`, [id])).rowCount
			).toBe(0);
			expect((await x.attempt(`delete from public.saved_replies where id = $1`, [id])).rowCount).toBe(0);
			expect((await save(x, 'gym', 'Mine')).ok).toBe(true);
			await x.become(a.alex);
			expect(await x.query(`select 1 from public.saved_replies where id = $1`, [id])).toEqual([]);
		});
	});

	test('a trainee cannot save replies (SP301); anon has no access; impersonation is read-only (SP006)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect((await save(x, 'x', 'y')).error?.code).toBe('SP301');
		});
		await as(t.db, a.anon, async (x) => {
			expect((await save(x, 'x', 'y')).error?.code).toBe('42501');
		});
		await as(t.db, a.impersonation, async (x) => {
			expect((await save(x, 'x', 'y')).error?.code).toBe('SP006');
		});
	});
});
