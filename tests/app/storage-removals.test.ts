// Files through the real Storage endpoint of localbase: a photo uploaded with supabase-js, sent with
// send_message, read back embedded in its message through REST (and by the other participant
// only); after delete_message, and for an upload never attached after a day, the removal worker
// removes the files through the Storage API with the service key; such an upload, uploaded again
// to its key by the device that held its message, is sent and stays.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startStorageRemovals, storageApiRemover } from '$lib/server/storage-removals';
import {
	createTestClient,
	demoPassword,
	demoUsers,
	startTestLocalbase,
	wellKnown,
	type TestLocalbase
} from '../localbase/harness';

const coachId = '10000000-0000-4000-8000-000000000001';
const alexId = '10000000-0000-4000-8000-000000000002';

let lb: TestLocalbase;
let alex: SupabaseClient;
let coach: SupabaseClient;
let sam: SupabaseClient;

async function signedIn(email: string): Promise<SupabaseClient> {
	const client = createTestClient(lb.url, wellKnown.publishableKey);
	const { error } = await client.auth.signInWithPassword({ email, password: demoPassword });
	if (error) throw error;
	return client;
}

beforeAll(async () => {
	lb = await startTestLocalbase({ seed: true });
	alex = await signedIn(demoUsers.alex);
	coach = await signedIn(demoUsers.coach);
	sam = await signedIn(demoUsers.sam);
});
afterAll(async () => {
	await lb?.close();
});

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);

async function upload(path: string) {
	const { error } = await alex.storage.from('attachments').upload(path, jpeg, { contentType: 'image/jpeg' });
	expect(error).toBeNull();
}

async function objectCount(name: string): Promise<number> {
	const { rows } = await lb.lb.db.query<{ n: number }>(
		`select count(*)::int as n from storage.objects where bucket_id = 'attachments' and name = $1`,
		[name]
	);
	return rows[0].n;
}

/** The upload at `name` is a day old and never attached: the hourly job queues its removal. */
async function queuedAsUnattached(name: string): Promise<void> {
	await lb.lb.db.query(
		`update storage.objects set created_at = now() - interval '25 hours' where bucket_id = 'attachments' and name = $1`,
		[name]
	);
	await lb.lb.db.query(`select private.queue_unattached_uploads()`);
}

/** The removal worker, with the service key, until stopped. */
function removalWorker() {
	return startStorageRemovals({
		db: lb.lb.db,
		remover: storageApiRemover(lb.url, wellKnown.secretKey),
		intervalMs: 3_600_000
	});
}

test('a photo sent with its message is embedded in the message through REST, for the participants only', async () => {
	const id = randomUUID();
	const path = `${alexId}/${id}/squat.jpg`;
	await upload(path);
	const sent = await alex.rpc('send_message', {
		recipient_id: coachId,
		body: '',
		message_id: id,
		attachments: [{ path, name: 'Squat.jpg', width: 4, height: 3 }]
	});
	expect(sent.error).toBeNull();
	const { data, error } = await coach
		.from('messages')
		.select('id, body, message_attachments(path, kind, mime_type, size_bytes, original_name, meta)')
		.eq('id', id)
		.single();
	expect(error).toBeNull();
	expect(data).toEqual({
		id,
		body: '',
		message_attachments: [
			{
				path,
				kind: 'image',
				mime_type: 'image/jpeg',
				size_bytes: jpeg.length,
				original_name: 'Squat.jpg',
				meta: { width: 4, height: 3 }
			}
		]
	});
	const download = await coach.storage.from('attachments').download(path);
	expect(download.error).toBeNull();
	expect(new Uint8Array(await download.data!.arrayBuffer())).toEqual(jpeg);
	const stranger = await sam.storage.from('attachments').download(path);
	expect(stranger.data).toBeNull();
	expect(stranger.error).not.toBeNull();
});

test('an upload into someone else’s folder is refused by the Storage API', async () => {
	const { error } = await alex.storage
		.from('attachments')
		.upload(`${coachId}/${randomUUID()}/x.jpg`, jpeg, { contentType: 'image/jpeg' });
	expect(error).not.toBeNull();
	expect((error as unknown as { statusCode?: string }).statusCode).toBe('403');
});

test('the worker removes a deleted message’s file and an upload never attached after a day, through the Storage API', async () => {
	const id = randomUUID();
	const sentPath = `${alexId}/${id}/a.jpg`;
	await upload(sentPath);
	expect(
		(
			await alex.rpc('send_message', {
				recipient_id: coachId,
				body: 'x',
				message_id: id,
				attachments: [{ path: sentPath }]
			})
		).error
	).toBeNull();
	expect((await alex.rpc('delete_message', { message_id: id })).error).toBeNull();

	const orphanPath = `${alexId}/${randomUUID()}/left-behind.jpg`;
	const freshPath = `${alexId}/${randomUUID()}/still-uploading.jpg`;
	await upload(orphanPath);
	await upload(freshPath);
	await queuedAsUnattached(orphanPath);

	const worker = removalWorker();
	try {
		const result = await worker.runOnce();
		expect(result.failed).toBe(0);
		expect(result.removed).toBeGreaterThanOrEqual(2);
	} finally {
		await worker.stop();
	}
	expect(await objectCount(sentPath)).toBe(0);
	expect(await objectCount(orphanPath)).toBe(0);
	expect(await objectCount(freshPath)).toBe(1);
	expect((await alex.storage.from('attachments').download(orphanPath)).data).toBeNull();
	const { rows } = await lb.lb.db.query<{ object_name: string; done: boolean }>(
		`select object_name, done_at is not null as done from private.storage_removals where object_name = any($1::text[]) order by 1`,
		[[sentPath, orphanPath].sort()]
	);
	expect(rows).toEqual([sentPath, orphanPath].sort().map((object_name) => ({ object_name, done: true })));
});

test('a refusal by the Storage API (a wrong key) leaves the removal queued with the error, for a later retry', async () => {
	const path = `${alexId}/${randomUUID()}/retry.jpg`;
	await upload(path);
	await lb.lb.db.query(
		`insert into private.storage_removals (bucket_id, object_name) values ('attachments', $1)`,
		[path]
	);
	const errors: string[] = [];
	const worker = startStorageRemovals({
		db: lb.lb.db,
		remover: storageApiRemover(lb.url, 'not-the-service-key'),
		intervalMs: 3_600_000,
		onError: (message) => errors.push(message)
	});
	try {
		const result = await worker.runOnce();
		expect(result.failed).toBeGreaterThanOrEqual(1);
	} finally {
		await worker.stop();
	}
	expect(errors.length).toBeGreaterThan(0);
	const { rows } = await lb.lb.db.query<{ done: boolean; last_error: string | null; later: boolean }>(
		`select done_at is not null as done, last_error, not_before > now() as later from private.storage_removals where object_name = $1`,
		[path]
	);
	expect(rows[0].done).toBe(false);
	expect(rows[0].last_error).toBeTruthy();
	expect(rows[0].later).toBe(true);
	expect(await objectCount(path)).toBe(1);
});

test('an upload removed as never attached (its message held on a device for over a day) can be uploaded again to its key and sent, and then stays', async () => {
	const id = randomUUID();
	const path = `${alexId}/${id}/held.jpg`;
	await upload(path);
	await queuedAsUnattached(path);
	const worker = removalWorker();
	try {
		expect((await worker.runOnce()).failed).toBe(0);
		expect(await objectCount(path)).toBe(0);

		// The device sends its message: refused, the file is missing (SP201, which the app answers by
		// uploading again from its copy).
		const send = () =>
			alex.rpc('send_message', {
				recipient_id: coachId,
				body: 'held for a day',
				message_id: id,
				attachments: [{ path, name: 'held.jpg' }]
			});
		const refused = await send();
		expect(refused.error?.code).toBe('SP201');
		await upload(path);
		const sent = await send();
		expect(sent.error).toBeNull();

		// The next hourly run and the worker leave it: a message references it now.
		await lb.lb.db.query(`select private.queue_unattached_uploads()`);
		await worker.runOnce();
	} finally {
		await worker.stop();
	}
	expect(await objectCount(path)).toBe(1);
	const { data } = await coach.from('message_attachments').select('path').eq('message_id', id);
	expect(data).toEqual([{ path }]);
	expect((await coach.storage.from('attachments').download(path)).error).toBeNull();
});
