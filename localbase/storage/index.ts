// /storage/v1 — Supabase Storage: buckets, objects (standard uploads, downloads with ranges, info,
// list, remove, move, copy, signed URLs) and resumable uploads over TUS. Object rows live in
// storage.objects (platform SQL), files on disk; every request's SQL runs as the caller, so the
// policies of the migrations are evaluated exactly as the Storage API evaluates them on hosted.
import { mkdtemp } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalbaseContext } from '../context.ts';
import { send } from '../http.ts';
import { drain } from './body.ts';
import * as buckets from './buckets.ts';
import { storageErrors } from './errors.ts';
import { ObjectFiles } from './files.ts';
import { listObjects, listObjectsV2 } from './list.ts';
import * as objects from './objects.ts';
import { readJson } from './objects.ts';
import { sendError, sendJson, storageCorsHeaders } from './respond.ts';
import { identify, requestScope, serviceRequester } from './scope.ts';
import type { Call, StorageService } from './service.ts';
import { readStorageSettings } from './settings.ts';
import { createResumable, isSignedTusPath, tusPath, type Resumable } from './tus.ts';

export interface Storage {
	/** Where the object files are. */
	dir: string;
	handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
	close(): Promise<void>;
}

export interface StorageOptions {
	/** Whether localbase opened the database from its own config (rather than being handed one). */
	ownDatabase: boolean;
}

/**
 * Where files live: LOCALBASE_STORAGE_DIR when set; else, for the database localbase opened itself,
 * `<data dir>/storage` inside PGlite's data directory (so db:reset removes both together), or
 * `.localbase/storage/<host>_<port>_<database>` beside it for a Postgres server; and for a database
 * handed in by a test or a benchmark, a temporary folder removed on close.
 */
async function chooseDir(ctx: LocalbaseContext, configured: string | undefined, own: boolean) {
	if (configured) return { dir: configured, temporary: false };
	if (own && ctx.db.kind === 'pglite')
		return { dir: path.join(ctx.config.dataDir, 'storage'), temporary: false };
	if (own && ctx.config.databaseUrl) {
		const u = new URL(ctx.config.databaseUrl);
		const label = `${u.hostname}_${u.port || '5432'}_${u.pathname.replace(/^\//, '') || 'postgres'}`;
		return {
			dir: path.join(path.dirname(ctx.config.dataDir), 'storage', label.replace(/[^\w.-]/g, '_')),
			temporary: false
		};
	}
	return { dir: await mkdtemp(path.join(tmpdir(), 'localbase-storage-')), temporary: true };
}

export async function createStorage(ctx: LocalbaseContext, options: StorageOptions): Promise<Storage> {
	const settings = readStorageSettings();
	const { dir, temporary } = await chooseDir(ctx, settings.dir, options.ownDatabase);
	const files = new ObjectFiles(dir);
	await files.init();
	const svc: StorageService = { ctx, settings, files, admin: serviceRequester(ctx) };
	await buckets.ensureConfiguredBuckets(svc);
	const resumable = createResumable(svc);
	return {
		dir,
		handle: async (req, res, url) => {
			try {
				await route(svc, resumable, req, res, url);
			} catch (err) {
				if (!req.complete && !req.destroyed) await drain(req);
				sendError(res, err);
			}
		},
		close: async () => {
			resumable.close();
			if (temporary) await files.destroy();
		}
	};
}

function decode(part: string): string {
	try {
		return decodeURIComponent(part);
	} catch {
		throw storageErrors.invalidKey(part);
	}
}

/** "bucket/some/key" → ["bucket", "some/key"], each decoded as the Storage API's router does. */
function bucketAndKey(rest: string): [string, string] {
	const slash = rest.indexOf('/');
	if (slash < 0) return [decode(rest), ''];
	return [decode(rest.slice(0, slash)), decode(rest.slice(slash + 1))];
}

async function route(
	svc: StorageService,
	resumable: Resumable,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	const method = req.method ?? 'GET';
	const p = url.pathname.slice('/storage/v1'.length);
	const scope = (operation: string) => requestScope(req, p, operation);
	/** The call of a route that needs a valid JWT (or, with allowInvalidJwt, reads as anon without one). */
	const as = async (operation: string, allowInvalidJwt = false): Promise<Call> => ({
		svc,
		req,
		res,
		scope: scope(operation),
		who: await identify(svc.ctx, req, { allowInvalidJwt })
	});
	/** The call of a route authorized by its URL (public buckets, signed tokens): the service role. */
	const asService = (operation: string): Call => ({ svc, req, res, scope: scope(operation), who: svc.admin });
	const json = () => readJson(svc, req);

	if (url.pathname === tusPath || url.pathname.startsWith(`${tusPath}/`)) {
		const signed = isSignedTusPath(url.pathname);
		const operation =
			{
				POST: 'storage.tus.upload.create',
				PATCH: 'storage.tus.upload.part',
				HEAD: 'storage.tus.upload.get',
				DELETE: 'storage.tus.upload.delete',
				OPTIONS: 'storage.tus.options'
			}[method] ?? 'storage.tus';
		const call = signed || method === 'OPTIONS' ? asService(operation) : await as(operation);
		return resumable.handle(req, res, {
			who: call.who,
			owner: signed ? undefined : call.who.owner,
			upsert: !signed && req.headers['x-upsert'] === 'true',
			signed,
			scope: scope(`${operation}${signed ? '_signed' : ''}`)
		});
	}
	if (method === 'OPTIONS') return send(res, 204, undefined, storageCorsHeaders);

	if (p === '/bucket' || p === '/bucket/') {
		if (method === 'GET') return buckets.listBuckets(await as('storage.bucket.list'), url.searchParams);
		if (method === 'POST') return buckets.createBucket(await as('storage.bucket.create'), await json());
	}
	const bucketPath = after(p, '/bucket/');
	if (bucketPath !== undefined) {
		const empty = /^([^/]+)\/empty$/.exec(bucketPath);
		if (empty && method === 'POST')
			return buckets.emptyBucket(await as('storage.bucket.empty'), decode(empty[1]));
		if (!bucketPath.includes('/')) {
			const id = decode(bucketPath);
			if (method === 'GET') return buckets.getBucket(await as('storage.bucket.get'), id);
			if (method === 'PUT') return buckets.updateBucket(await as('storage.bucket.update'), id, await json());
			if (method === 'DELETE') return buckets.deleteBucket(await as('storage.bucket.delete'), id);
		}
	}

	const download = url.searchParams.get('download');
	const headOnly = method === 'HEAD';
	let rest: string | undefined;
	if ((rest = after(p, '/object/list/')) !== undefined && method === 'POST') {
		return listObjects(await as('storage.object.list'), decode(rest), await json());
	}
	if ((rest = after(p, '/object/list-v2/')) !== undefined && method === 'POST') {
		return listObjectsV2(await as('storage.object.list_v2'), decode(rest), await json());
	}
	if (p === '/object/move' && method === 'POST')
		return objects.moveObject(await as('storage.object.move'), await json());
	if (p === '/object/copy' && method === 'POST')
		return objects.copyObject(await as('storage.object.copy'), await json());
	if ((rest = after(p, '/object/upload/sign/')) !== undefined) {
		const [bucketId, key] = bucketAndKey(rest);
		if (method === 'POST') {
			return objects.createSignedUploadUrl(await as('storage.object.sign_upload_url'), bucketId, key);
		}
		if (method === 'PUT') {
			return objects.uploadToSignedUrl(asService('storage.object.upload_signed'), url, bucketId, key);
		}
	}
	if ((rest = after(p, '/object/sign/')) !== undefined) {
		if (!rest.includes('/') && method === 'POST') {
			return objects.createSignedUrls(await as('storage.object.sign_many'), decode(rest), await json());
		}
		const [bucketId, key] = bucketAndKey(rest);
		if (method === 'POST')
			return objects.createSignedUrl(await as('storage.object.sign'), bucketId, key, await json());
		if (method === 'GET') {
			const call = asService('storage.object.get_signed');
			const { row, expires } = await objects.signedObject(call, url, bucketId, key);
			return objects.renderObject(call, row, { download, expires });
		}
	}
	const read = method === 'GET' || method === 'HEAD';
	if ((rest = after(p, '/object/public/')) !== undefined && read) {
		const [bucketId, key] = bucketAndKey(rest);
		const call = asService(headOnly ? 'storage.object.info_public' : 'storage.object.get_public');
		const row = await objects.objectForRead(call, bucketId, key, 'public');
		return objects.renderObject(call, row, { download, headOnly });
	}
	const readOperation = headOnly ? 'object.head_authenticated_info' : 'storage.object.get_authenticated';
	if ((rest = after(p, '/object/authenticated/')) !== undefined && read) {
		const [bucketId, key] = bucketAndKey(rest);
		const call = await as(readOperation);
		const row = await objects.objectForRead(call, bucketId, key, 'authenticated');
		return objects.renderObject(call, row, { download, headOnly });
	}
	if ((rest = after(p, '/object/info/')) !== undefined && method === 'GET') {
		let call: Call;
		let mode: objects.ReadMode = 'authenticated';
		if (rest.startsWith('public/')) {
			[call, mode, rest] = [asService('storage.object.info_public'), 'public', rest.slice('public/'.length)];
		} else if (rest.startsWith('authenticated/')) {
			[call, rest] = [await as('object.get_authenticated_info'), rest.slice('authenticated/'.length)];
		} else {
			call = await as('object.get_authenticated_info', true);
		}
		const [bucketId, key] = bucketAndKey(rest);
		return objects.sendInfo(call, await objects.objectForRead(call, bucketId, key, mode));
	}
	if ((rest = after(p, '/object/')) !== undefined) {
		if (!rest.includes('/') && method === 'DELETE') {
			return objects.removeObjects(await as('storage.object.delete_many'), decode(rest), await json());
		}
		const [bucketId, key] = bucketAndKey(rest);
		if (read) {
			const call = await as(readOperation, true);
			const row = await objects.objectForRead(call, bucketId, key, 'authenticated');
			return objects.renderObject(call, row, { download, headOnly });
		}
		if (method === 'POST' || method === 'PUT') {
			const call = await as(method === 'POST' ? 'storage.object.upload' : 'storage.object.upload_update');
			const row = await objects.uploadObject(call, {
				bucketId,
				key,
				owner: call.who.owner,
				upsert: method === 'PUT' || req.headers['x-upsert'] === 'true'
			});
			return sendJson(res, 200, { Id: row.id, Key: `${bucketId}/${key}` });
		}
		if (method === 'DELETE') return objects.removeObject(await as('storage.object.delete'), bucketId, key);
	}
	if (p.startsWith('/render/')) throw storageErrors.notSupported('image transformations (/render/image)');
	if (p.startsWith('/s3')) throw storageErrors.notSupported('the S3 protocol (/s3)');
	if (p.startsWith('/cdn/')) throw storageErrors.notSupported('CDN cache purging (/cdn)');
	throw storageErrors.notFoundRoute(method, url.pathname);
}

function after(path: string, prefix: string): string | undefined {
	return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}
