// Attachments as the database sees them: send_message with files (type and size from Storage, never
// from the client), the storage.objects policies (every actor × bucket × operation, as the Storage
// API runs them as the caller), the event payload, previews, deleting, and profile photos.
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

/** An object as the Storage API stores it after an upload by `owner` (its final write, RLS off). */
async function uploaded(
	x: ActorTx,
	back: Actor | null,
	bucket: string,
	name: string,
	owner: string,
	mimetype = 'image/jpeg',
	size = 1234
): Promise<void> {
	await x.becomePostgres();
	await x.query(
		`insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)
		 values ($1, $2, $3::uuid, $3, jsonb_build_object('mimetype', $4::text, 'size', $5::int, 'contentLength', $5::int), '1')`,
		[bucket, name, owner, mimetype, size]
	);
	if (back) await x.become(back);
}

const sendWith = (x: ActorTx, to: string, body: string, id: string, attachments: unknown) =>
	x.attempt<{ id: string; body: string; attachment_count: number; conversation_id: string }>(
		`select id, body, attachment_count, conversation_id from public.send_message(recipient_id => $1, body => $2, message_id => $3, attachments => $4::jsonb)`,
		[to, body, id, JSON.stringify(attachments)]
	);

describe('send_message with attachments', () => {
	test('stores each file with the type and size Storage recorded, not what the client says, and may have no text', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/squat.jpg`, ids.alex, 'image/jpeg', 2048);
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/set.mp4`, ids.alex, 'video/mp4', 9_000_000);
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/poster.jpg`, ids.alex, 'image/jpeg', 100);
			const r = await sendWith(x, ids.coach, '  ', id, [
				{
					path: `${ids.alex}/${id}/squat.jpg`,
					name: 'Squat ✓.jpg',
					width: 800,
					height: 600,
					kind: 'file',
					size_bytes: 1
				},
				{ path: `${ids.alex}/${id}/set.mp4`, duration_ms: 4100, poster_path: `${ids.alex}/${id}/poster.jpg` }
			]);
			expect(r.error).toBeUndefined();
			expect(r.rows![0]).toMatchObject({
				id,
				body: '',
				attachment_count: 2,
				conversation_id: conv.coachAlex
			});
			const rows = await x.query(
				`select path, kind, mime_type, size_bytes::int as size, original_name, meta, position, uploader_id
				 from public.message_attachments where message_id = $1 order by position`,
				[id]
			);
			expect(rows).toEqual([
				{
					path: `${ids.alex}/${id}/squat.jpg`,
					kind: 'image',
					mime_type: 'image/jpeg',
					size: 2048,
					original_name: 'Squat ✓.jpg',
					meta: { width: 800, height: 600 },
					position: 0,
					uploader_id: ids.alex
				},
				{
					path: `${ids.alex}/${id}/set.mp4`,
					kind: 'video',
					mime_type: 'video/mp4',
					size: 9_000_000,
					original_name: 'set.mp4',
					meta: { duration_ms: 4100, poster_path: `${ids.alex}/${id}/poster.jpg` },
					position: 1,
					uploader_id: ids.alex
				}
			]);
		});
	});

	test('the other side reads the message with its files through the table the API embeds (message_attachments)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/a.jpg`, ids.alex);
			expect((await sendWith(x, ids.coach, 'look', id, [{ path: `${ids.alex}/${id}/a.jpg` }])).ok).toBe(true);
			await x.become(a.coach);
			expect(
				await x.query(`select a.path from public.message_attachments a where a.message_id = $1`, [id])
			).toEqual([{ path: `${ids.alex}/${id}/a.jpg` }]);
			await x.become(a.sam);
			expect(
				await x.query(`select 1 from public.message_attachments a where a.message_id = $1`, [id])
			).toEqual([]);
			await x.become(a.rival);
			expect(
				await x.query(`select 1 from public.message_attachments a where a.message_id = $1`, [id])
			).toEqual([]);
		});
	});

	test('a photo can be the first message of a new conversation', async () => {
		await inTransaction(t.db, async (x) => {
			// solo is a trainee with no trainer: link solo to coach, with no conversation yet.
			await x.query(`update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.solo]);
			await x.become(a.coach);
			const id = randomUUID();
			await uploaded(x, a.coach, 'attachments', `${ids.coach}/${id}/welcome.png`, ids.coach, 'image/png');
			const r = await sendWith(x, ids.solo, '', id, [{ path: `${ids.coach}/${id}/welcome.png` }]);
			expect(r.error).toBeUndefined();
			const [c] = await x.query<{ last_message_preview: string }>(
				`select last_message_preview from public.conversations where id = $1`,
				[r.rows![0].conversation_id]
			);
			expect(c.last_message_preview).toBe('📷 Photo');
		});
	});

	test('refuses a path that does not exist, or that someone else uploaded (SP201)', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = randomUUID();
			expect(
				(await sendWith(x, ids.coach, 'x', id, [{ path: `${ids.alex}/${id}/none.jpg` }])).error?.code
			).toBe('SP201');
			// coach's object, named as if it were in alex's folder (only the Storage API's final write could do that).
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/planted.jpg`, ids.coach);
			expect(
				(await sendWith(x, ids.coach, 'x', id, [{ path: `${ids.alex}/${id}/planted.jpg` }])).error?.code
			).toBe('SP201');
			const poster = await sendWith(x, ids.coach, 'x', id, [
				{ path: `${ids.alex}/${id}/planted.jpg`, poster_path: `${ids.alex}/${id}/none.jpg` }
			]);
			expect(poster.error?.code).toBe('SP201');
			expect(await x.query(`select 1 from public.messages where id = $1`, [id])).toEqual([]);
		});
	});

	test('refuses a file outside <my id>/<this message id>/, malformed items, duplicates and bad sizes (SP203)', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = randomUUID();
			const other = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${other}/old.jpg`, ids.alex);
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/ok.jpg`, ids.alex);
			const ok = `${ids.alex}/${id}/ok.jpg`;
			for (const bad of [
				{ path: `${ids.alex}/${other}/old.jpg` },
				{ path: `${ids.coach}/${id}/ok.jpg` },
				{ path: `${ids.alex}/ok.jpg` },
				{ nope: ok },
				'just a string',
				{ path: 42 },
				{ path: ok, width: -1 },
				{ path: ok, height: 1.5 },
				{ path: ok, duration_ms: '10' },
				{ path: ok, name: 'x'.repeat(256) },
				{ path: ok, poster_path: `${ids.alex}/${other}/old.jpg` }
			]) {
				expect({ bad, code: (await sendWith(x, ids.coach, 'x', id, [bad])).error?.code }).toEqual({
					bad,
					code: 'SP203'
				});
			}
			expect((await sendWith(x, ids.coach, 'x', id, [{ path: ok }, { path: ok }])).error?.code).toBe('SP203');
			expect((await sendWith(x, ids.coach, 'x', id, { path: ok })).error?.code).toBe('SP203');
		});
	});

	test('refuses more than 10 files (SP202), accepts 10', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = randomUUID();
			const items = [];
			for (let i = 0; i < 11; i++) {
				await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/${i}.jpg`, ids.alex);
				items.push({ path: `${ids.alex}/${id}/${i}.jpg` });
			}
			expect((await sendWith(x, ids.coach, 'x', id, items)).error?.code).toBe('SP202');
			expect((await sendWith(x, ids.coach, 'x', id, items.slice(0, 10))).rows?.[0].attachment_count).toBe(10);
		});
	});

	test('a blank message without files is still refused (SP003), through the API and a direct insert', async () => {
		await as(t.db, a.alex, async (x) => {
			expect((await sendWith(x, ids.coach, ' \u200b ', randomUUID(), [])).error?.code).toBe('SP003');
			expect(
				await x.errorCode(`insert into public.messages (conversation_id, body) values ($1, '')`, [
					conv.coachAlex
				])
			).toBe('SP003');
		});
	});

	test('nothing new is attached in an archived conversation (SP002), and its files stay readable', async () => {
		await inTransaction(t.db, async (x) => {
			const first = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${first}/a.jpg`, ids.alex);
			expect((await sendWith(x, ids.coach, '', first, [{ path: `${ids.alex}/${first}/a.jpg` }])).ok).toBe(
				true
			);
			await x.becomePostgres();
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.alex]);
			const second = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${second}/b.jpg`, ids.alex);
			expect(
				(await sendWith(x, ids.coach, '', second, [{ path: `${ids.alex}/${second}/b.jpg` }])).error?.code
			).toBe('SP002');
			await x.become(a.coach);
			expect(
				await x.query(`select name from storage.objects where bucket_id = 'attachments' and name = $1`, [
					`${ids.alex}/${first}/a.jpg`
				])
			).toHaveLength(1);
		});
	});

	test('a retry with the same message id returns the stored message and stores no second set of files', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/a.m4a`, ids.alex, 'audio/mp4');
			const items = [{ path: `${ids.alex}/${id}/a.m4a`, duration_ms: 3000 }];
			expect((await sendWith(x, ids.coach, '', id, items)).ok).toBe(true);
			expect((await sendWith(x, ids.coach, '', id, items)).rows?.[0].id).toBe(id);
			expect(
				await x.query(`select kind from public.message_attachments where message_id = $1`, [id])
			).toEqual([{ kind: 'audio' }]);
		});
	});
});

describe('what the other side hears: the event, the list preview and the push', () => {
	test('message_created carries the attachments, as rows of message_attachments', async () => {
		await as(t.db, a.alex, async (x) => {
			await forgetEvents(x, a.alex);
			const id = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/v.webm`, ids.alex, 'audio/webm', 5000);
			expect(
				(await sendWith(x, ids.coach, '', id, [{ path: `${ids.alex}/${id}/v.webm`, duration_ms: 5100 }])).ok
			).toBe(true);
			const [event] = await broadcasts(x, a.alex, 'message_created');
			const payload = event.payload as {
				message: { id: string; body: string; attachment_count: number };
				attachments: Record<string, unknown>[];
			};
			expect(payload.message).toMatchObject({ id, body: '', attachment_count: 1 });
			expect(payload.attachments).toHaveLength(1);
			expect(payload.attachments[0]).toMatchObject({
				message_id: id,
				conversation_id: conv.coachAlex,
				path: `${ids.alex}/${id}/v.webm`,
				kind: 'audio',
				mime_type: 'audio/webm',
				size_bytes: 5000,
				meta: { duration_ms: 5100 },
				position: 0
			});
			const [table] = await x.query(
				`select to_jsonb(a) as row from public.message_attachments a where message_id = $1`,
				[id]
			);
			expect(Object.keys(payload.attachments[0]).sort()).toEqual(Object.keys(table.row as object).sort());
			const text = randomUUID();
			expect((await sendWith(x, ids.coach, 'plain', text, [])).ok).toBe(true);
			const events = await broadcasts(x, a.alex, 'message_created');
			expect((events[1].payload as { attachments: unknown[] }).attachments).toEqual([]);
		});
	});

	test('a message without text is previewed by its first file in the list and in the push', async () => {
		for (const [mime, label] of [
			['image/heic', '📷 Photo'],
			['video/quicktime', '🎥 Video'],
			['audio/mp4', '🎤 Voice message'],
			['application/pdf', '📎 File']
		]) {
			await as(t.db, a.alex, async (x) => {
				await forgetEvents(x, a.alex);
				const id = randomUUID();
				await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/f`, ids.alex, mime);
				expect((await sendWith(x, ids.coach, '', id, [{ path: `${ids.alex}/${id}/f` }])).ok).toBe(true);
				const [c] = await x.query(`select last_message_preview from public.conversations where id = $1`, [
					conv.coachAlex
				]);
				expect(c.last_message_preview).toBe(label);
				await x.becomeDispatcher();
				await x.query(`update private.push_outbox set not_before = now() where message_id = $1`, [id]);
				const claimed = await x.query<{ message_id: string; preview: string }>(
					`select message_id, preview from private.push_claim(100, interval '1 minute')`
				);
				expect(claimed.find((r) => r.message_id === id)?.preview).toBe(label);
			});
		}
	});

	test('a file with a caption is previewed by its text', async () => {
		await as(t.db, a.alex, async (x) => {
			const id = randomUUID();
			await uploaded(x, a.alex, 'attachments', `${ids.alex}/${id}/f.jpg`, ids.alex);
			expect((await sendWith(x, ids.coach, 'my squat', id, [{ path: `${ids.alex}/${id}/f.jpg` }])).ok).toBe(
				true
			);
			const [c] = await x.query(`select last_message_preview from public.conversations where id = $1`, [
				conv.coachAlex
			]);
			expect(c.last_message_preview).toBe('my squat');
		});
	});
});

describe('deleting a message with files', () => {
	test('its attachment rows leave, its files are queued for removal through the Storage API, and the other side can no longer read them', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			const path = `${ids.alex}/${id}/a.jpg`;
			const poster = `${ids.alex}/${id}/p.jpg`;
			await uploaded(x, a.alex, 'attachments', path, ids.alex, 'video/mp4');
			await uploaded(x, a.alex, 'attachments', poster, ids.alex);
			expect((await sendWith(x, ids.coach, '', id, [{ path, poster_path: poster }])).ok).toBe(true);
			await x.query(`select public.delete_message($1)`, [id]);
			expect(await x.query(`select 1 from public.message_attachments where message_id = $1`, [id])).toEqual(
				[]
			);
			await x.become(a.coach);
			expect(await x.query(`select 1 from storage.objects where name in ($1, $2)`, [path, poster])).toEqual(
				[]
			);
			await x.becomePostgres();
			expect(
				await x.query(
					`select bucket_id, object_name from private.storage_removals where message_id = $1 order by 2`,
					[id]
				)
			).toEqual([
				{ bucket_id: 'attachments', object_name: path },
				{ bucket_id: 'attachments', object_name: poster }
			]);
		});
	});
});

// The Storage API runs each check as the caller: an upload is an INSERT with owner_id = the JWT's
// sub, a download or info a SELECT, an overwrite an UPDATE, a remove a DELETE (with
// storage.allow_delete_query set); a row RLS hides is skipped.
describe('storage.objects policies: every actor × bucket × operation', () => {
	type Op = 'upload' | 'read' | 'overwrite' | 'remove';

	async function can(
		actor: Actor,
		op: Op,
		bucket: string,
		name: string,
		setup?: (x: ActorTx) => Promise<void>
	) {
		return inTransaction(t.db, async (x) => {
			if (setup) await setup(x);
			await x.become(actor, { 'storage.allow_delete_query': 'true' });
			const sub = actor.id ?? null;
			if (op === 'upload') {
				const r = await x.attempt(
					`insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)
					 values ($1, $2, $3::uuid, $3::text, '{"mimetype":"image/jpeg","size":1}', '1')`,
					[bucket, name, sub]
				);
				if (!r.ok && r.error.code !== '42501') throw new Error(`${r.error.code} ${r.error.message}`);
				return r.ok;
			}
			if (op === 'read')
				return (
					(await x.query(`select 1 from storage.objects where bucket_id = $1 and name = $2`, [bucket, name]))
						.length === 1
				);
			if (op === 'overwrite') {
				const r = await x.attempt(
					`update storage.objects set metadata = '{"mimetype":"image/png","size":2}', version = '2'
					 where bucket_id = $1 and name = $2`,
					[bucket, name]
				);
				if (!r.ok && r.error.code !== '42501') throw new Error(`${r.error.code} ${r.error.message}`);
				return r.ok && r.rowCount === 1;
			}
			const r = await x.attempt(`delete from storage.objects where bucket_id = $1 and name = $2`, [
				bucket,
				name
			]);
			if (!r.ok) throw new Error(`${r.error.code} ${r.error.message}`);
			return r.rowCount === 1;
		});
	}

	const msg = randomUUID();
	const alexFile = `${ids.alex}/${msg}/squat.jpg`;
	const alexPoster = `${ids.alex}/${msg}/poster.jpg`;
	/** alex uploaded two files; with `send`, a message to coach references them (the second as a poster). */
	const alexUploads = (send: boolean) => async (x: ActorTx) => {
		await uploaded(x, null, 'attachments', alexFile, ids.alex, 'video/mp4');
		await uploaded(x, null, 'attachments', alexPoster, ids.alex);
		if (!send) return;
		await x.become(a.alex);
		const r = await sendWith(x, ids.coach, '', msg, [{ path: alexFile, poster_path: alexPoster }]);
		if (!r.ok) throw new Error(r.error.message);
		await x.becomePostgres();
	};

	test('attachments, upload: only into my own <id>/<message id>/ folder; never as anon or into another’s folder', async () => {
		expect(await can(a.alex, 'upload', 'attachments', `${ids.alex}/${randomUUID()}/a.jpg`)).toBe(true);
		expect(await can(a.alex, 'upload', 'attachments', `${ids.coach}/${randomUUID()}/a.jpg`)).toBe(false);
		expect(await can(a.alex, 'upload', 'attachments', `${ids.alex}/a.jpg`)).toBe(false);
		expect(await can(a.alex, 'upload', 'attachments', `${ids.alex}/not-a-uuid/a.jpg`)).toBe(false);
		expect(await can(a.coach, 'upload', 'attachments', `${ids.coach}/${randomUUID()}/a.jpg`)).toBe(true);
		expect(await can(a.anon, 'upload', 'attachments', `${ids.alex}/${randomUUID()}/a.jpg`)).toBe(false);
	});

	test('attachments, read: the uploader always; the other participant once a message references it (file and poster); nobody else', async () => {
		for (const name of [alexFile, alexPoster]) {
			expect(await can(a.alex, 'read', 'attachments', name, alexUploads(false))).toBe(true);
			expect(await can(a.coach, 'read', 'attachments', name, alexUploads(false))).toBe(false);
			expect(await can(a.coach, 'read', 'attachments', name, alexUploads(true))).toBe(true);
			expect(await can(a.sam, 'read', 'attachments', name, alexUploads(true))).toBe(false);
			expect(await can(a.rival, 'read', 'attachments', name, alexUploads(true))).toBe(false);
			expect(await can(a.anon, 'read', 'attachments', name, alexUploads(true))).toBe(false);
		}
	});

	test('attachments, read: still readable by both once the conversation is archived', async () => {
		const archived = async (x: ActorTx) => {
			await alexUploads(true)(x);
			await x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.alex]);
		};
		expect(await can(a.coach, 'read', 'attachments', alexFile, archived)).toBe(true);
		expect(await can(a.alex, 'read', 'attachments', alexFile, archived)).toBe(true);
	});

	test('attachments, overwrite and remove: the uploader, until the file is sent; never the other participant or anyone else', async () => {
		for (const op of ['overwrite', 'remove'] as const) {
			expect(await can(a.alex, op, 'attachments', alexFile, alexUploads(false))).toBe(true);
			expect(await can(a.alex, op, 'attachments', alexFile, alexUploads(true))).toBe(false);
			expect(await can(a.coach, op, 'attachments', alexFile, alexUploads(false))).toBe(false);
			expect(await can(a.coach, op, 'attachments', alexFile, alexUploads(true))).toBe(false);
			expect(await can(a.sam, op, 'attachments', alexFile, alexUploads(false))).toBe(false);
			expect(await can(a.anon, op, 'attachments', alexFile, alexUploads(false))).toBe(false);
		}
	});

	const avatar = `${ids.alex}/me.webp`;
	const alexAvatar = async (x: ActorTx) => uploaded(x, null, 'avatars', avatar, ids.alex, 'image/webp');

	test('avatars, upload: only into my own folder; never as anon', async () => {
		expect(await can(a.alex, 'upload', 'avatars', `${ids.alex}/me.webp`)).toBe(true);
		expect(await can(a.alex, 'upload', 'avatars', `${ids.coach}/me.webp`)).toBe(false);
		expect(await can(a.anon, 'upload', 'avatars', `${ids.alex}/me.webp`)).toBe(false);
	});

	test('avatars, overwrite and remove: only the owner', async () => {
		for (const op of ['overwrite', 'remove'] as const) {
			expect(await can(a.alex, op, 'avatars', avatar, alexAvatar)).toBe(true);
			expect(await can(a.coach, op, 'avatars', avatar, alexAvatar)).toBe(false);
			expect(await can(a.anon, op, 'avatars', avatar, alexAvatar)).toBe(false);
		}
	});

	test('avatars, read through RLS (listing, upserts): the owner only; downloads of the public bucket skip RLS', async () => {
		expect(await can(a.alex, 'read', 'avatars', avatar, alexAvatar)).toBe(true);
		expect(await can(a.coach, 'read', 'avatars', avatar, alexAvatar)).toBe(false);
		const [bucket] = await t.db
			.query<{ public: boolean }>(`select public from storage.buckets where id = 'avatars'`)
			.then((r) => r.rows);
		expect(bucket.public).toBe(true);
	});

	test('the service role (the removal worker) may do everything; attachments is a private bucket', async () => {
		expect(await can(a.service_role, 'read', 'attachments', alexFile, alexUploads(true))).toBe(true);
		expect(await can(a.service_role, 'remove', 'attachments', alexFile, alexUploads(true))).toBe(true);
		const [bucket] = await t.db
			.query<{ public: boolean }>(`select public from storage.buckets where id = 'attachments'`)
			.then((r) => r.rows);
		expect(bucket.public).toBe(false);
	});
});

describe('profile photos (profiles.avatar_path)', () => {
	test('the owner sets a photo in their own folder, and clears it', async () => {
		await as(t.db, a.alex, async (x) => {
			expect(
				await x.errorCode(`update public.profiles set avatar_path = $1 where id = $2`, [
					avatar(ids.alex),
					ids.alex
				])
			).toBeNull();
			expect(
				await x.errorCode(`update public.profiles set avatar_path = null where id = $1`, [ids.alex])
			).toBeNull();
		});
	});

	test('refuses a path outside the owner’s folder (SP204)', async () => {
		await as(t.db, a.alex, async (x) => {
			for (const bad of [avatar(ids.coach), 'me.webp', `${ids.alex}/a/b.webp`, `${ids.alex}/`]) {
				expect({
					bad,
					code: await x.errorCode(`update public.profiles set avatar_path = $1 where id = $2`, [
						bad,
						ids.alex
					])
				}).toEqual({
					bad,
					code: 'SP204'
				});
			}
		});
	});

	test('nobody else sets it: a trainer changing their trainee’s photo is refused', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(
				await x.errorCode(`update public.profiles set avatar_path = $1 where id = $2`, [
					avatar(ids.alex),
					ids.alex
				])
			).toBe('42501');
		});
	});
});

function avatar(owner: string) {
	return `${owner}/me.webp`;
}
