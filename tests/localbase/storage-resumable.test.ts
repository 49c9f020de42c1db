// Resumable uploads over TUS with tus-js-client, as Supabase documents them for files over 6 MB:
// creation checked against the caller's policies and the bucket's limits, 6 MB chunks, resuming an
// interrupted upload from its offset, conflicts, expiry, termination and the signed variant.
import { createHash } from 'node:crypto';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backend } from '../support/database.ts';
import {
	bucket,
	fileExists,
	objectRow,
	startStorageHarness,
	wellKnown,
	type StorageHarness
} from './storage-support.ts';

const chunkSize = 6 * 1024 * 1024;
let h: StorageHarness;
let n = 0;
const keyFor = (owner: { id: string }, name = 'clip.mp4') =>
	`${owner.id}/tus-${Date.now().toString(36)}-${n++}/${name}`;
const endpoint = () => `${h.url}/storage/v1/upload/resumable`;
const auth = (token: string) => ({ authorization: `Bearer ${token}`, apikey: wellKnown.publishableKey });

/** Bytes that differ at every offset, so a resumed upload that skipped or repeated bytes shows. */
function bytes(size: number): Buffer {
	const data = Buffer.alloc(size);
	for (let i = 0; i + 4 <= size; i += 4) data.writeUInt32LE(i, i);
	return data;
}

interface Outcome {
	url: string;
	error?: tus.DetailedError;
}

function upload(
	data: Buffer,
	options: tus.UploadOptions & { token?: string }
): { promise: Promise<Outcome>; upload: tus.Upload } {
	let resolve!: (o: Outcome) => void;
	const promise = new Promise<Outcome>((r) => (resolve = r));
	const u: tus.Upload = new tus.Upload(data, {
		endpoint: endpoint(),
		chunkSize,
		retryDelays: [],
		uploadDataDuringCreation: true,
		removeFingerprintOnSuccess: true,
		...options,
		headers: { ...(options.token ? auth(options.token) : {}), ...options.headers },
		onSuccess: () => resolve({ url: u.url! }),
		onError: (error) => resolve({ url: u.url ?? '', error: error as tus.DetailedError })
	});
	u.start();
	return { promise, upload: u };
}

const metadataFor = (key: string, contentType = 'video/mp4', b = bucket) => ({
	bucketName: b,
	objectName: key,
	contentType,
	cacheControl: '3600'
});

async function headOffset(url: string, token: string): Promise<number> {
	const res = await fetch(url, { method: 'HEAD', headers: { ...auth(token), 'tus-resumable': '1.0.0' } });
	expect(res.status).toBe(200);
	return Number(res.headers.get('upload-offset'));
}

/** POST /upload/resumable by hand, for the cases a client library would not produce. */
function createUpload(
	token: string,
	key: string,
	length: number,
	options: { base?: string; headers?: Record<string, string> } = {}
): Promise<Response> {
	const metadata = Object.entries(metadataFor(key))
		.map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
		.join(',');
	return fetch(`${options.base ?? h.url}/storage/v1/upload/resumable`, {
		method: 'POST',
		headers: {
			...auth(token),
			'tus-resumable': '1.0.0',
			'upload-length': String(length),
			'upload-metadata': metadata,
			...options.headers
		}
	});
}

/** PATCH one chunk at `offset`; a stream body is sent half-duplex, and `signal` can cut it. */
function patchUpload(
	url: string,
	token: string,
	body: Uint8Array | ReadableStream | string,
	options: { offset?: number; headers?: Record<string, string>; signal?: AbortSignal } = {}
): Promise<Response> {
	return fetch(url, {
		method: 'PATCH',
		headers: {
			...auth(token),
			'tus-resumable': '1.0.0',
			'upload-offset': String(options.offset ?? 0),
			'content-type': 'application/offset+octet-stream',
			...options.headers
		},
		body,
		signal: options.signal,
		duplex: 'half'
	} as RequestInit);
}

beforeAll(async () => {
	h = await startStorageHarness();
});
afterAll(async () => {
	await h?.close();
});

describe(`resumable uploads (${backend})`, () => {
	test('a 13 MB file uploads in 6 MB chunks into a row whose version is named by the Location', async () => {
		const key = keyFor(h.alex);
		const data = bytes(13 * 1024 * 1024);
		let chunks = 0;
		const { promise } = upload(data, {
			token: h.alex.token,
			metadata: { ...metadataFor(key), metadata: JSON.stringify({ seconds: 12 }) },
			onChunkComplete: () => chunks++
		});
		const outcome = await promise;
		expect(outcome.error).toBeUndefined();
		expect(chunks).toBe(3);
		const id = outcome.url.slice(`${endpoint()}/`.length);
		const [b, ...rest] = Buffer.from(id, 'base64url').toString('utf8').split('/');
		const version = rest.pop();
		expect([b, rest.join('/')]).toEqual([bucket, key]);
		const row = (await objectRow(h, bucket, key))!;
		expect(row.version).toBe(version);
		expect(row).toMatchObject({
			owner_id: h.alex.id,
			user_metadata: { seconds: 12 },
			metadata: {
				size: data.length,
				mimetype: 'video/mp4',
				cacheControl: 'max-age=3600',
				eTag: `"${createHash('md5').update(data).digest('hex')}"`
			}
		});
		const download = await h.alex.client.storage.from(bucket).download(key);
		expect(Buffer.from(await download.data!.arrayBuffer()).equals(data)).toBe(true);
	});

	test('an upload cut off mid-chunk resumes from the offset the server kept and completes with the right bytes', async () => {
		const key = keyFor(h.alex);
		const data = bytes(9 * 1024 * 1024);
		// Create the upload, then send a chunk whose connection drops after 2 MB.
		const created = await createUpload(h.alex.token, key, data.length);
		expect(created.status).toBe(201);
		const url = created.headers.get('location')!;
		const abort = new AbortController();
		const cut = 2 * 1024 * 1024;
		const body = new ReadableStream({
			start(controller) {
				controller.enqueue(data.subarray(0, cut));
				setTimeout(() => abort.abort(), 300);
			}
		});
		await patchUpload(url, h.alex.token, body, { signal: abort.signal }).catch(() => undefined);
		let kept = 0;
		for (let i = 0; i < 50 && kept < cut; i++) {
			await new Promise((r) => setTimeout(r, 100));
			kept = await headOffset(url, h.alex.token);
		}
		expect(kept).toBe(cut);
		expect(await objectRow(h, bucket, key)).toBeUndefined();
		// tus-js-client resumes the same URL: HEAD for the offset, then the rest.
		let resumedFrom = -1;
		const { promise } = upload(data, {
			token: h.alex.token,
			uploadUrl: url,
			metadata: metadataFor(key),
			onProgress: (sent) => {
				if (resumedFrom < 0) resumedFrom = sent;
			}
		});
		const outcome = await promise;
		expect(outcome.error).toBeUndefined();
		expect(resumedFrom).toBeGreaterThanOrEqual(cut);
		const row = (await objectRow(h, bucket, key))!;
		expect(row.metadata).toMatchObject({ size: data.length });
		const download = await h.alex.client.storage.from(bucket).download(key);
		expect(Buffer.from(await download.data!.arrayBuffer()).equals(data)).toBe(true);
	});

	test('an upload paused after its first chunk resumes with tus-js-client from 6 MB', async () => {
		const key = keyFor(h.alex);
		const data = bytes(8 * 1024 * 1024);
		const first = upload(data, {
			token: h.alex.token,
			metadata: metadataFor(key),
			onChunkComplete: () => void first.upload.abort()
		});
		let url = '';
		for (let i = 0; i < 100 && !url; i++) {
			await new Promise((r) => setTimeout(r, 50));
			if (first.upload.url && (await headOffset(first.upload.url, h.alex.token)) === chunkSize)
				url = first.upload.url;
		}
		expect(url).not.toBe('');
		const { promise } = upload(data, { token: h.alex.token, uploadUrl: url, metadata: metadataFor(key) });
		expect((await promise).error).toBeUndefined();
		const download = await h.alex.client.storage.from(bucket).download(key);
		expect(Buffer.from(await download.data!.arrayBuffer()).equals(data)).toBe(true);
	});

	test('creating an upload into another user’s folder is refused with 403 and no file', async () => {
		const key = keyFor(h.coach);
		const { error } = await upload(bytes(1024), { token: h.alex.token, metadata: metadataFor(key) }).promise;
		expect(error?.originalResponse?.getStatus()).toBe(403);
		expect(error?.originalResponse?.getBody()).toBe('new row violates row-level security policy');
		expect(await objectRow(h, bucket, key)).toBeUndefined();
	});

	test('the bucket’s size limit and MIME list are enforced when the upload is created', async () => {
		const tooBig = await createUpload(h.alex.token, keyFor(h.alex), 16 * 1024 * 1024 + 1);
		expect(tooBig.status).toBe(413);
		const { error } = await upload(bytes(1024), {
			token: h.alex.token,
			metadata: metadataFor(keyFor(h.alex, 'x.jpg'), 'image/jpeg')
		}).promise;
		expect(error?.originalResponse?.getStatus()).toBe(415);
		expect(error?.originalResponse?.getBody()).toBe('mime type image/jpeg is not supported');
	});

	test('the later of two uploads to one path gets 409; with x-upsert it replaces the object', async () => {
		const key = keyFor(h.alex);
		const size = 7 * 1024 * 1024;
		const create = async (upsert: boolean) => {
			const res = await createUpload(h.alex.token, key, size, {
				headers: upsert ? { 'x-upsert': 'true' } : {}
			});
			expect(res.status).toBe(201);
			return { url: res.headers.get('location')!, first: new Uint8Array(bytes(size)) };
		};
		const patch = (url: string, data: Uint8Array, upsert = false) =>
			patchUpload(url, h.alex.token, data, { headers: upsert ? { 'x-upsert': 'true' } : {} });
		const a = await create(false);
		const b = await create(false);
		const c = await create(true);
		expect((await patch(a.url, a.first)).status).toBe(204);
		const later = await patch(b.url, b.first);
		expect([later.status, await later.text()]).toEqual([409, 'The resource already exists']);
		const replacement = bytes(size).fill(9, 0, 10);
		expect((await patch(c.url, new Uint8Array(replacement), true)).status).toBe(204);
		const download = await h.alex.client.storage.from(bucket).download(key);
		expect(Buffer.from(await download.data!.arrayBuffer()).equals(replacement)).toBe(true);
	});

	test('a second PATCH on a URL in use gets 409 Upload-Offset conflict', async () => {
		const key = keyFor(h.alex);
		const size = 4 * 1024 * 1024;
		const created = await createUpload(h.alex.token, key, size);
		const url = created.headers.get('location')!;
		// The first PATCH sends 1 MB and then stalls, holding the upload.
		let release!: () => void;
		const stalled = new ReadableStream({
			start(controller) {
				controller.enqueue(bytes(1024 * 1024));
				release = () => controller.close();
			}
		});
		const first = patchUpload(url, h.alex.token, stalled).catch(() => undefined);
		await new Promise((r) => setTimeout(r, 300));
		const second = await patchUpload(url, h.alex.token, new Uint8Array(bytes(size)));
		expect([second.status, await second.text()]).toEqual([409, 'Upload-Offset conflict\n']);
		release();
		await first;
	});

	test('DELETE aborts an unfinished upload; a finished one is not terminated (the key is taken: 409)', async () => {
		const key = keyFor(h.alex);
		const created = await createUpload(h.alex.token, key, 10);
		const url = created.headers.get('location')!;
		const version = Buffer.from(url.split('/').pop()!, 'base64url').toString('utf8').split('/').pop()!;
		expect(await fileExists(h, version)).toBe(true);
		const deleted = await fetch(url, {
			method: 'DELETE',
			headers: { ...auth(h.alex.token), 'tus-resumable': '1.0.0' }
		});
		expect(deleted.status).toBe(204);
		expect(await fileExists(h, version)).toBe(false);
		const gone = await fetch(url, {
			method: 'HEAD',
			headers: { ...auth(h.alex.token), 'tus-resumable': '1.0.0' }
		});
		expect(gone.status).toBe(404);

		const finishedKey = keyFor(h.alex);
		const done = await upload(bytes(1000), { token: h.alex.token, metadata: metadataFor(finishedKey) })
			.promise;
		expect(done.error).toBeUndefined();
		const refused = await fetch(done.url, {
			method: 'DELETE',
			headers: { ...auth(h.alex.token), 'tus-resumable': '1.0.0' }
		});
		expect(refused.status).toBe(409);
		const kept = await h.alex.client.storage.from(bucket).download(finishedKey);
		expect(kept.data?.size).toBe(1000);
	});

	test('another user cannot write into someone’s upload URL', async () => {
		const key = keyFor(h.alex);
		const created = await createUpload(h.alex.token, key, 4);
		const res = await patchUpload(created.headers.get('location')!, h.coach.token, 'evil');
		expect(res.status).toBe(403);
		expect(await objectRow(h, bucket, key)).toBeUndefined();
	});

	test('without a valid token the upload is refused before it starts', async () => {
		const res = await fetch(endpoint(), {
			method: 'POST',
			headers: {
				apikey: wellKnown.publishableKey,
				authorization: 'Bearer nonsense',
				'tus-resumable': '1.0.0',
				'upload-length': '1'
			}
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ statusCode: '403', code: 'AccessDenied' });
	});

	test('the signed variant takes the owner and upsert from a signed upload token', async () => {
		const key = keyFor(h.alex);
		const signed = await h.alex.client.storage.from(bucket).createSignedUploadUrl(key);
		const data = bytes(7 * 1024 * 1024);
		const { promise } = upload(data, {
			endpoint: `${endpoint()}/sign`,
			headers: { apikey: wellKnown.publishableKey, 'x-signature': signed.data!.token },
			metadata: metadataFor(key)
		});
		const outcome = await promise;
		expect(outcome.error).toBeUndefined();
		expect(outcome.url.startsWith(`${endpoint()}/sign/`)).toBe(true);
		expect((await objectRow(h, bucket, key))?.owner_id).toBe(h.alex.id);
		const wrong = await upload(bytes(10), {
			endpoint: `${endpoint()}/sign`,
			headers: { apikey: wellKnown.publishableKey, 'x-signature': signed.data!.token },
			metadata: metadataFor(keyFor(h.alex))
		}).promise;
		expect(wrong.error?.originalResponse?.getStatus()).toBe(400);
	});
});

describe(`resumable upload expiry (${backend})`, () => {
	let short: StorageHarness;
	beforeAll(async () => {
		short = await startStorageHarness({ LOCALBASE_TUS_URL_EXPIRY_MS: '1000' });
	});
	afterAll(async () => {
		await short?.close();
	});

	test('an upload URL past its expiry answers 410 Gone', async () => {
		const key = `${short.alex.id}/late.mp4`;
		const created = await createUpload(short.alex.token, key, 4, { base: short.url });
		expect(created.headers.get('upload-expires')).toMatch(/GMT$/);
		await new Promise((r) => setTimeout(r, 1500));
		const res = await patchUpload(created.headers.get('location')!, short.alex.token, 'late');
		expect(res.status).toBe(410);
		expect(await objectRow(short, bucket, key)).toBeUndefined();
	});
});
