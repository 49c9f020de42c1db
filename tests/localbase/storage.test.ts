// /storage/v1 through supabase-js's storage client: buckets, uploads, downloads, info, list, move,
// copy, signed URLs, limits and the Storage API's error bodies — and the caller's policies evaluated
// for every operation, denials as carefully as grants (policies in storage-support.ts).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backend } from '../support/database.ts';
import {
	bucket,
	expectStorageError,
	fileExists,
	objectRow,
	startStorageHarness,
	wellKnown,
	type StorageHarness
} from './storage-support.ts';

let h: StorageHarness;
let n = 0;
/** A fresh key under `owner`'s folder. */
const keyFor = (owner: { id: string }, name = 'note.txt') =>
	`${owner.id}/${Date.now().toString(36)}-${n++}/${name}`;
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const storageUrl = (path: string) => `${h.url}/storage/v1${path}`;
const asUser = (token: string) => ({ authorization: `Bearer ${token}`, apikey: wellKnown.publishableKey });

beforeAll(async () => {
	h = await startStorageHarness();
});
afterAll(async () => {
	await h?.close();
});

describe(`buckets (${backend})`, () => {
	test('the buckets of config.toml exist with their privacy, size limit and MIME types', async () => {
		const { data, error } = await h.admin.storage.listBuckets();
		expect(error).toBeNull();
		const byId = Object.fromEntries((data ?? []).map((b) => [b.id, b]));
		expect(byId.attachments).toMatchObject({
			public: false,
			file_size_limit: 50 * 1024 * 1024,
			allowed_mime_types: ['image/*', 'video/*', 'audio/*', 'application/pdf', 'text/plain']
		});
		expect(byId.avatars).toMatchObject({
			public: true,
			file_size_limit: 5 * 1024 * 1024,
			allowed_mime_types: ['image/jpeg', 'image/png', 'image/webp']
		});
	});

	test('the service role creates, reads, updates, empties and deletes a bucket', async () => {
		const id = `b-${n++}`;
		expect(await h.admin.storage.createBucket(id, { public: true, fileSizeLimit: '1MB' })).toEqual({
			data: { name: id },
			error: null
		});
		const got = await h.admin.storage.getBucket(id);
		expect(got.data).toMatchObject({ id, name: id, public: true, file_size_limit: 1_000_000 });
		expect(
			(await h.admin.storage.updateBucket(id, { public: false, allowedMimeTypes: ['image/*'] })).data
		).toEqual({ message: 'Successfully updated' });
		expect((await h.admin.storage.getBucket(id)).data).toMatchObject({
			public: false,
			allowed_mime_types: ['image/*']
		});
		await h.admin.storage.from(id).upload('x.png', Buffer.from('png'), { contentType: 'image/png' });
		const notEmpty = await h.admin.storage.deleteBucket(id);
		expectStorageError(notEmpty.error, {
			statusCode: '409',
			code: 'ResourceNotEmpty',
			message: 'The bucket you tried to delete is not empty'
		});
		expect((await h.admin.storage.emptyBucket(id)).error).toBeNull();
		expect((await h.admin.storage.deleteBucket(id)).data).toEqual({ message: 'Successfully deleted' });
		expectStorageError((await h.admin.storage.getBucket(id)).error, {
			statusCode: '404',
			code: 'NoSuchBucket',
			message: 'Bucket not found'
		});
	});

	test('a second bucket with the same id is refused with 409 BucketAlreadyExists', async () => {
		const { error } = await h.admin.storage.createBucket('attachments');
		expectStorageError(error, { statusCode: '409', code: 'BucketAlreadyExists' });
	});

	test('a bucket limit above the global upload limit is refused with 413', async () => {
		const { error } = await h.admin.storage.createBucket(`huge-${n++}`, {
			public: false,
			fileSizeLimit: '60GB'
		});
		expectStorageError(error, { statusCode: '413', code: 'EntityTooLarge' });
	});

	test('a signed-in user can neither create a bucket nor see one: storage.buckets has RLS and no policy', async () => {
		const created = await h.alex.client.storage.createBucket(`mine-${n++}`);
		expectStorageError(created.error, {
			statusCode: '403',
			code: 'AccessDenied',
			message: 'new row violates row-level security policy'
		});
		expect((await h.alex.client.storage.listBuckets()).data).toEqual([]);
		expectStorageError((await h.alex.client.storage.getBucket('attachments')).error, {
			statusCode: '404',
			code: 'NoSuchBucket'
		});
	});
});

describe(`uploads and downloads (${backend})`, () => {
	test('an upload is stored with the metadata the Storage API writes, owned by the uploader', async () => {
		const key = keyFor(h.alex);
		const { data, error } = await h.alex.client.storage.from(bucket).upload(key, 'hello world', {
			contentType: 'text/plain',
			metadata: { purpose: 'test' }
		});
		expect(error).toBeNull();
		const row = await objectRow(h, bucket, key);
		expect(data).toEqual({ path: key, id: row!.id, fullPath: `${bucket}/${key}` });
		expect(row).toMatchObject({
			owner: h.alex.id,
			owner_id: h.alex.id,
			user_metadata: { purpose: 'test' },
			path_tokens: key.split('/')
		});
		expect(row!.version).toMatch(/^[0-9a-f-]{36}$/);
		expect(row!.metadata).toEqual({
			eTag: `"${md5('hello world')}"`,
			size: 11,
			mimetype: 'text/plain',
			cacheControl: 'max-age=3600',
			lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			contentLength: 11,
			httpStatusCode: 200
		});
		expect(await fileExists(h, row!.version)).toBe(true);
		const download = await h.alex.client.storage.from(bucket).download(key);
		expect(await download.data?.text()).toBe('hello world');
	});

	test('a Blob goes as multipart/form-data with its type, cache time and metadata', async () => {
		const key = keyFor(h.alex, 'clip.mp4');
		const blob = new Blob([Buffer.alloc(2048, 1)], { type: 'video/mp4' });
		const up = await h.alex.client.storage
			.from(bucket)
			.upload(key, blob, { cacheControl: '60', metadata: { seconds: 3 } });
		expect(up.error).toBeNull();
		const info = await h.alex.client.storage.from(bucket).info(key);
		expect(info.error).toBeNull();
		expect(info.data).toMatchObject({
			name: key,
			bucketId: bucket,
			size: 2048,
			contentType: 'video/mp4',
			cacheControl: 'max-age=60',
			metadata: { seconds: 3 }
		});
		expect(info.data?.version).toBe((await objectRow(h, bucket, key))!.version);
	});

	test('upsert replaces the bytes under a new version and removes the old file; without it the key is taken', async () => {
		const key = keyFor(h.alex);
		await h.alex.client.storage.from(bucket).upload(key, 'first', { contentType: 'text/plain' });
		const first = (await objectRow(h, bucket, key))!;
		const again = await h.alex.client.storage
			.from(bucket)
			.upload(key, 'second', { contentType: 'text/plain' });
		expectStorageError(again.error, {
			statusCode: '409',
			code: 'KeyAlreadyExists',
			message: 'The resource already exists'
		});
		expect(await (await h.alex.client.storage.from(bucket).download(key)).data?.text()).toBe('first');
		const replaced = await h.alex.client.storage
			.from(bucket)
			.upload(key, 'second', { contentType: 'text/plain', upsert: true });
		expect(replaced.error).toBeNull();
		const second = (await objectRow(h, bucket, key))!;
		expect(second.id).toBe(first.id);
		expect(second.version).not.toBe(first.version);
		expect(await fileExists(h, first.version)).toBe(false);
		expect(await (await h.alex.client.storage.from(bucket).download(key)).data?.text()).toBe('second');
		const updated = await h.alex.client.storage
			.from(bucket)
			.update(key, 'third', { contentType: 'text/plain' });
		expect(updated.error).toBeNull();
		expect(await (await h.alex.client.storage.from(bucket).download(key)).data?.text()).toBe('third');
	});

	test('a file over the bucket limit is refused with 413 EntityTooLarge and nothing is kept', async () => {
		const key = keyFor(h.alex, 'big.bin');
		const { error } = await h.alex.client.storage
			.from(bucket)
			.upload(key, Buffer.alloc(16 * 1024 * 1024 + 1), { contentType: 'application/octet-stream' });
		expectStorageError(error, {
			statusCode: '413',
			code: 'EntityTooLarge',
			message: 'The object exceeded the maximum allowed size'
		});
		expect(await objectRow(h, bucket, key)).toBeUndefined();
		const blob = await h.alex.client.storage
			.from(bucket)
			.upload(key, new Blob([Buffer.alloc(16 * 1024 * 1024 + 1)], { type: 'application/octet-stream' }));
		expectStorageError(blob.error, { statusCode: '413', code: 'EntityTooLarge' });
		expect(await objectRow(h, bucket, key)).toBeUndefined();
	});

	test('a type outside the bucket list is refused with 415 InvalidMimeType; type/* matches any subtype', async () => {
		const key = keyFor(h.alex, 'photo.jpg');
		const jpeg = await h.alex.client.storage.from(bucket).upload(key, 'x', { contentType: 'image/jpeg' });
		expectStorageError(jpeg.error, {
			statusCode: '415',
			code: 'InvalidMimeType',
			message: 'mime type image/jpeg is not supported'
		});
		const blob = await h.alex.client.storage
			.from(bucket)
			.upload(key, new Blob(['x'], { type: 'application/zip' }));
		expectStorageError(blob.error, { statusCode: '415', code: 'InvalidMimeType' });
		expect(await objectRow(h, bucket, key)).toBeUndefined();
		const css = await h.alex.client.storage.from(bucket).upload(keyFor(h.alex, 'a.css'), 'a{}', {
			contentType: 'text/css'
		});
		expect(css.error).toBeNull();
	});

	test('keys outside the Storage API character set are refused with InvalidKey', async () => {
		const { error } = await h.alex.client.storage.from(bucket).upload(`${h.alex.id}/übung.txt`, 'x', {
			contentType: 'text/plain'
		});
		expectStorageError(error, {
			statusCode: '400',
			code: 'InvalidKey',
			message: `Invalid key: ${h.alex.id}/übung.txt`
		});
		const read = await h.alex.client.storage.from(bucket).download(`${h.alex.id}/übung.txt`);
		expectStorageError(read.error, { statusCode: '400', code: 'InvalidKey' });
	});

	test('a Range request answers 206 with Content-Range; an unsatisfiable one 416', async () => {
		const key = keyFor(h.alex, 'range.txt');
		await h.alex.client.storage.from(bucket).upload(key, '0123456789', { contentType: 'text/plain' });
		const part = await fetch(storageUrl(`/object/authenticated/${bucket}/${key}`), {
			headers: { ...asUser(h.alex.token), range: 'bytes=2-5' }
		});
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
		expect(part.headers.get('accept-ranges')).toBe('bytes');
		expect(await part.text()).toBe('2345');
		const tail = await fetch(storageUrl(`/object/${bucket}/${key}`), {
			headers: { ...asUser(h.alex.token), range: 'bytes=-3' }
		});
		expect([tail.status, await tail.text()]).toEqual([206, '789']);
		const beyond = await fetch(storageUrl(`/object/${bucket}/${key}`), {
			headers: { ...asUser(h.alex.token), range: 'bytes=50-60' }
		});
		expect(beyond.status).toBe(416);
		expect(await beyond.json()).toMatchObject({ statusCode: '416', code: 'InvalidRange' });
	});

	test('downloads carry ETag, Last-Modified and Cache-Control, and a matching If-None-Match gets 304', async () => {
		const key = keyFor(h.alex, 'cached.txt');
		await h.alex.client.storage.from(bucket).upload(key, 'cached', { contentType: 'text/plain' });
		const first = await fetch(storageUrl(`/object/${bucket}/${key}`), { headers: asUser(h.alex.token) });
		const etag = first.headers.get('etag');
		expect(etag).toBe(`"${md5('cached')}"`);
		expect(first.headers.get('cache-control')).toBe('max-age=3600');
		expect(first.headers.get('last-modified')).toMatch(/GMT$/);
		const again = await fetch(storageUrl(`/object/${bucket}/${key}`), {
			headers: { ...asUser(h.alex.token), 'if-none-match': etag! }
		});
		expect(again.status).toBe(304);
		const head = await fetch(storageUrl(`/object/${bucket}/${key}`), {
			method: 'HEAD',
			headers: asUser(h.alex.token)
		});
		expect([head.status, head.headers.get('content-length'), head.headers.get('content-type')]).toEqual([
			200,
			'6',
			'text/plain'
		]);
	});

	test('uploaded HTML is served as text/plain, never rendered from the API origin', async () => {
		const key = keyFor(h.alex, 'page.html');
		await h.alex.client.storage
			.from(bucket)
			.upload(key, '<script>alert(1)</script>', { contentType: 'text/html' });
		const res = await fetch(storageUrl(`/object/${bucket}/${key}`), { headers: asUser(h.alex.token) });
		expect(res.headers.get('content-type')).toBe('text/plain');
	});

	test('download=name answers Content-Disposition: attachment', async () => {
		const key = keyFor(h.alex, 'doc.txt');
		await h.alex.client.storage.from(bucket).upload(key, 'doc', { contentType: 'text/plain' });
		const res = await fetch(storageUrl(`/object/${bucket}/${key}?download=My%20doc.txt`), {
			headers: asUser(h.alex.token)
		});
		expect(res.headers.get('content-disposition')).toBe(
			"attachment; filename=My%20doc.txt; filename*=UTF-8''My%20doc.txt"
		);
	});

	test('a public bucket is read without any key; a private one answers Bucket not found', async () => {
		const key = `${h.alex.id}/avatar.png`;
		const up = await h.admin.storage
			.from('avatars')
			.upload(key, Buffer.from('png'), { contentType: 'image/png' });
		expect(up.error).toBeNull();
		const publicUrl = h.anon.storage.from('avatars').getPublicUrl(key).data.publicUrl;
		const res = await fetch(publicUrl);
		expect([res.status, await res.text()]).toEqual([200, 'png']);
		const privateKey = keyFor(h.alex);
		await h.alex.client.storage.from(bucket).upload(privateKey, 'secret', { contentType: 'text/plain' });
		const privateUrl = h.anon.storage.from(bucket).getPublicUrl(privateKey).data.publicUrl;
		const refused = await fetch(privateUrl);
		expect(refused.status).toBe(400);
		expect(await refused.json()).toEqual({
			statusCode: '404',
			code: 'NoSuchBucket',
			error: 'Bucket not found',
			message: 'Bucket not found'
		});
		const noToken = await fetch(storageUrl(`/object/${bucket}/${privateKey}`));
		expect(await noToken.json()).toMatchObject({ statusCode: '404', code: 'NoSuchBucket' });
	});

	test('a browser may send the storage headers and read the download headers (CORS)', async () => {
		const preflight = await fetch(storageUrl(`/object/${bucket}/${keyFor(h.alex)}`), {
			method: 'OPTIONS',
			headers: {
				origin: 'http://localhost:5173',
				'access-control-request-method': 'POST',
				'access-control-request-headers': 'authorization,apikey,x-upsert,x-metadata,cache-control'
			}
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
		for (const name of ['x-upsert', 'x-metadata', 'cache-control', 'range']) {
			expect(preflight.headers.get('access-control-allow-headers')).toContain(name);
		}
		const key = keyFor(h.alex);
		await h.alex.client.storage.from(bucket).upload(key, 'cors', { contentType: 'text/plain' });
		const res = await fetch(storageUrl(`/object/${bucket}/${key}`), {
			headers: { ...asUser(h.alex.token), origin: 'http://localhost:5173' }
		});
		expect(res.headers.get('access-control-allow-origin')).toBe('*');
		for (const name of ['content-range', 'etag', 'content-length']) {
			expect(res.headers.get('access-control-expose-headers')).toContain(name);
		}
	});

	test('image transformations are refused with an error that names them', async () => {
		const key = keyFor(h.alex, 'pic.png');
		await h.alex.client.storage.from(bucket).upload(key, Buffer.from('png'), { contentType: 'image/png' });
		const { error } = await h.alex.client.storage.from(bucket).download(key, { transform: { width: 100 } });
		expectStorageError(error, {
			status: 403,
			statusCode: '403',
			code: 'FeatureNotEnabled',
			message: 'localbase does not support image transformations (/render/image)'
		});
	});
});

describe(`policies, evaluated as the caller (${backend})`, () => {
	test('an upload into another user’s folder is refused with 403 and leaves nothing behind', async () => {
		const key = keyFor(h.coach);
		const { error } = await h.alex.client.storage
			.from(bucket)
			.upload(key, 'intruder', { contentType: 'text/plain' });
		expectStorageError(error, {
			statusCode: '403',
			code: 'AccessDenied',
			message: 'new row violates row-level security policy'
		});
		expect(await objectRow(h, bucket, key)).toBeUndefined();
		const { rows } = await h.t.lb.db.query(`select 1 from storage.objects where name like $1`, [
			`${h.coach.id}/%intruder%`
		]);
		expect(rows).toEqual([]);
	});

	test('another user’s object is 404 NoSuchKey for download, info and exists; its owner reads it', async () => {
		const key = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'coach only', { contentType: 'text/plain' });
		const download = await h.alex.client.storage.from(bucket).download(key);
		expectStorageError(download.error, { statusCode: '404', code: 'NoSuchKey', message: 'Object not found' });
		expectStorageError((await h.alex.client.storage.from(bucket).info(key)).error, {
			statusCode: '404',
			code: 'NoSuchKey'
		});
		expect((await h.alex.client.storage.from(bucket).exists(key)).data).toBe(false);
		expect((await h.coach.client.storage.from(bucket).exists(key)).data).toBe(true);
		expect(await (await h.coach.client.storage.from(bucket).download(key)).data?.text()).toBe('coach only');
		const anon = await h.anon.storage.from(bucket).download(key);
		expectStorageError(anon.error, { statusCode: '404', code: 'NoSuchKey' });
	});

	test('nobody overwrites another’s object: upsert and update are refused and the bytes stay', async () => {
		const key = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'original', { contentType: 'text/plain' });
		const before = (await objectRow(h, bucket, key))!;
		const upsert = await h.alex.client.storage
			.from(bucket)
			.upload(key, 'overwritten', { contentType: 'text/plain', upsert: true });
		expectStorageError(upsert.error, { statusCode: '403', code: 'AccessDenied' });
		const update = await h.alex.client.storage
			.from(bucket)
			.update(key, 'overwritten', { contentType: 'text/plain' });
		expectStorageError(update.error, { statusCode: '403', code: 'AccessDenied' });
		const after = (await objectRow(h, bucket, key))!;
		expect(after.version).toBe(before.version);
		expect(await (await h.coach.client.storage.from(bucket).download(key)).data?.text()).toBe('original');
	});

	test('remove skips what the caller may not delete (answers []) and deletes the owner’s row and file', async () => {
		const key = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'keep me', { contentType: 'text/plain' });
		const row = (await objectRow(h, bucket, key))!;
		expect(await h.alex.client.storage.from(bucket).remove([key])).toEqual({ data: [], error: null });
		expect(await objectRow(h, bucket, key)).toBeDefined();
		expect(await fileExists(h, row.version)).toBe(true);
		const removed = await h.coach.client.storage.from(bucket).remove([key]);
		expect(removed.error).toBeNull();
		expect(removed.data?.map((r) => r.name)).toEqual([key]);
		expect(await objectRow(h, bucket, key)).toBeUndefined();
		expect(await fileExists(h, row.version)).toBe(false);
	});

	test('move and copy act only on what the caller sees, into where the caller may write', async () => {
		const key = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'movable', { contentType: 'text/plain' });
		const stolen = await h.alex.client.storage.from(bucket).move(key, keyFor(h.alex));
		expectStorageError(stolen.error, { statusCode: '404', code: 'NoSuchKey' });
		const copied = await h.alex.client.storage.from(bucket).copy(key, keyFor(h.alex));
		expectStorageError(copied.error, { statusCode: '404', code: 'NoSuchKey' });
		const intoOther = await h.coach.client.storage.from(bucket).move(key, keyFor(h.alex));
		expectStorageError(intoOther.error, { statusCode: '403', code: 'AccessDenied' });
		const source = (await objectRow(h, bucket, key))!;
		const destination = keyFor(h.coach, 'moved.txt');
		const moved = await h.coach.client.storage.from(bucket).move(key, destination);
		expect(moved.data).toMatchObject({ message: 'Successfully moved' });
		expect(await objectRow(h, bucket, key)).toBeUndefined();
		const after = (await objectRow(h, bucket, destination))!;
		expect(after.id).toBe(source.id);
		expect(await fileExists(h, source.version)).toBe(false);
		expect(await (await h.coach.client.storage.from(bucket).download(destination)).data?.text()).toBe(
			'movable'
		);
		const copy = keyFor(h.coach, 'copy.txt');
		expect((await h.coach.client.storage.from(bucket).copy(destination, copy)).data).toEqual({
			path: `${bucket}/${copy}`
		});
		expect(await (await h.coach.client.storage.from(bucket).download(copy)).data?.text()).toBe('movable');
		// Removing the copy leaves the original's bytes.
		await h.coach.client.storage.from(bucket).remove([copy]);
		expect(await (await h.coach.client.storage.from(bucket).download(destination)).data?.text()).toBe(
			'movable'
		);
	});

	test('list and list-v2 show only what the caller may read', async () => {
		const folder = `${h.coach.id}/listing-${n++}`;
		await h.coach.client.storage.from(bucket).upload(`${folder}/a.txt`, 'a', { contentType: 'text/plain' });
		await h.coach.client.storage
			.from(bucket)
			.upload(`${folder}/sub/b.txt`, 'b', { contentType: 'text/plain' });
		const mine = await h.coach.client.storage.from(bucket).list(folder);
		expect(mine.data?.map((e) => [e.name, e.id === null ? 'folder' : 'file'])).toEqual([
			['a.txt', 'file'],
			['sub', 'folder']
		]);
		expect((await h.alex.client.storage.from(bucket).list(folder)).data).toEqual([]);
		const v2 = await h.coach.client.storage
			.from(bucket)
			.listV2({ prefix: `${folder}/`, with_delimiter: true });
		expect(v2.data?.objects.map((o) => o.name)).toEqual([`${folder}/a.txt`]);
		expect(v2.data?.folders.map((f) => f.name)).toEqual([`${folder}/sub/`]);
		expect((await h.alex.client.storage.from(bucket).listV2({ prefix: `${folder}/` })).data).toMatchObject({
			hasNext: false,
			folders: [],
			objects: []
		});
	});

	test('list-v2 pages with a cursor', async () => {
		const folder = `${h.alex.id}/pages-${n++}`;
		for (const name of ['1', '2', '3']) {
			await h.alex.client.storage
				.from(bucket)
				.upload(`${folder}/${name}.txt`, name, { contentType: 'text/plain' });
		}
		const first = await h.alex.client.storage.from(bucket).listV2({ prefix: `${folder}/`, limit: 2 });
		expect(first.data?.objects.map((o) => o.name)).toEqual([`${folder}/1.txt`, `${folder}/2.txt`]);
		expect(first.data?.hasNext).toBe(true);
		const second = await h.alex.client.storage
			.from(bucket)
			.listV2({ prefix: `${folder}/`, limit: 2, cursor: first.data!.nextCursor });
		expect(second.data?.objects.map((o) => o.name)).toEqual([`${folder}/3.txt`]);
		expect(second.data?.hasNext).toBe(false);
	});

	test('policies see the operation: storage.operation() names the route', async () => {
		await h.t.lb.db.exec(`
			create policy "conformance: listing sees the operation" on storage.objects for select to authenticated
				using (bucket_id = 'ops' and storage.allow_only_operation('object.list'));
		`);
		await h.admin.storage.createBucket('ops');
		const key = `${h.alex.id}/op.txt`;
		await h.admin.storage.from('ops').upload(key, 'op', { contentType: 'text/plain' });
		expect((await h.alex.client.storage.from('ops').list(h.alex.id)).data?.map((e) => e.name)).toEqual([
			'op.txt'
		]);
		expectStorageError((await h.alex.client.storage.from('ops').download(key)).error, {
			statusCode: '404',
			code: 'NoSuchKey'
		});
	});

	test('a direct SQL delete on storage.objects is refused; the row and its file stay', async () => {
		const key = keyFor(h.alex);
		await h.alex.client.storage.from(bucket).upload(key, 'stay', { contentType: 'text/plain' });
		const row = (await objectRow(h, bucket, key))!;
		await expect(
			h.t.lb.db.query(`delete from storage.objects where id = $1`, [row.id])
		).rejects.toMatchObject({
			code: '42501',
			message: 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
		});
		expect(await objectRow(h, bucket, key)).toBeDefined();
		expect(await fileExists(h, row.version)).toBe(true);
	});

	test('an anonymous caller has no policy to upload with; a bad token is 403 AccessDenied', async () => {
		const anon = await h.anon.storage.from(bucket).upload(keyFor(h.alex), 'x', { contentType: 'text/plain' });
		expectStorageError(anon.error, { statusCode: '403', code: 'AccessDenied' });
		const forged = await fetch(storageUrl(`/object/${bucket}/${keyFor(h.alex)}`), {
			method: 'POST',
			headers: { ...asUser(`${h.alex.token.slice(0, -4)}AAAA`), 'content-type': 'text/plain' },
			body: 'x'
		});
		expect(forged.status).toBe(400);
		expect(await forged.json()).toEqual({
			statusCode: '403',
			code: 'AccessDenied',
			error: 'Unauthorized',
			message: 'signature verification failed'
		});
	});
});

describe(`signed URLs (${backend})`, () => {
	test('the owner signs a URL anyone can download with until it expires; others cannot sign it', async () => {
		const key = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'shared', { contentType: 'text/plain' });
		expectStorageError((await h.alex.client.storage.from(bucket).createSignedUrl(key, 60)).error, {
			statusCode: '404',
			code: 'NoSuchKey'
		});
		const { data, error } = await h.coach.client.storage.from(bucket).createSignedUrl(key, 60);
		expect(error).toBeNull();
		const res = await fetch(data!.signedUrl);
		expect([res.status, await res.text()]).toEqual([200, 'shared']);
		expect(res.headers.get('expires')).toMatch(/GMT$/);
	});

	test('an expired signed URL is refused', async () => {
		const key = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'soon gone', { contentType: 'text/plain' });
		const { data } = await h.coach.client.storage.from(bucket).createSignedUrl(key, 1);
		await new Promise((resolve) => setTimeout(resolve, 2100));
		const res = await fetch(data!.signedUrl);
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT' });
	});

	test('a tampered token, a token for another object and an upload token are each refused with 400', async () => {
		const key = keyFor(h.coach);
		const other = keyFor(h.coach);
		await h.coach.client.storage.from(bucket).upload(key, 'a', { contentType: 'text/plain' });
		await h.coach.client.storage.from(bucket).upload(other, 'b', { contentType: 'text/plain' });
		const signed = (await h.coach.client.storage.from(bucket).createSignedUrl(key, 60)).data!.signedUrl;
		const token = new URL(signed).searchParams.get('token')!;
		const tampered = await fetch(signed.replace(token, `${token.slice(0, -3)}abc`));
		expect(await tampered.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT' });
		const elsewhere = await fetch(storageUrl(`/object/sign/${bucket}/${other}?token=${token}`));
		expect(await elsewhere.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });
		const upload = await h.coach.client.storage.from(bucket).createSignedUploadUrl(keyFor(h.coach));
		const wrongScope = await fetch(storageUrl(`/object/sign/${bucket}/${key}?token=${upload.data!.token}`));
		expect(wrongScope.status).toBe(400);
		expect(await wrongScope.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });
	});

	test('createSignedUrls signs what the caller sees and reports the rest', async () => {
		const mine = keyFor(h.alex);
		const theirs = keyFor(h.coach);
		await h.alex.client.storage.from(bucket).upload(mine, 'mine', { contentType: 'text/plain' });
		await h.coach.client.storage.from(bucket).upload(theirs, 'theirs', { contentType: 'text/plain' });
		const { data } = await h.alex.client.storage.from(bucket).createSignedUrls([mine, theirs], 60);
		expect(data?.[0]).toMatchObject({ path: mine, error: null });
		expect(data?.[1]).toMatchObject({
			path: theirs,
			error: 'Either the object does not exist or you do not have access to it',
			signedUrl: null
		});
		expect(await (await fetch(data![0].signedUrl!)).text()).toBe('mine');
	});

	test('a signed upload URL is checked when signed and writes once as the signer', async () => {
		const key = keyFor(h.alex, 'signed.txt');
		expectStorageError(
			(await h.alex.client.storage.from(bucket).createSignedUploadUrl(keyFor(h.coach))).error,
			{
				statusCode: '403',
				code: 'AccessDenied'
			}
		);
		const signed = await h.alex.client.storage.from(bucket).createSignedUploadUrl(key);
		expect(signed.error).toBeNull();
		const up = await h.anon.storage
			.from(bucket)
			.uploadToSignedUrl(key, signed.data!.token, 'via signed url', { contentType: 'text/plain' });
		expect(up).toEqual({ data: { path: key, fullPath: `${bucket}/${key}` }, error: null });
		expect((await objectRow(h, bucket, key))?.owner_id).toBe(h.alex.id);
		const twice = await h.anon.storage
			.from(bucket)
			.uploadToSignedUrl(key, signed.data!.token, 'again', { contentType: 'text/plain' });
		expectStorageError(twice.error, { statusCode: '409', code: 'KeyAlreadyExists' });
		const elsewhere = await h.anon.storage
			.from(bucket)
			.uploadToSignedUrl(keyFor(h.alex), signed.data!.token, 'x', { contentType: 'text/plain' });
		expectStorageError(elsewhere.error, { statusCode: '400', code: 'InvalidSignature' });
	});
});
