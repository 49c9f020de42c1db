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
import { sendError, sendJson, storageCorsHeaders } from './respond.ts';
import { identify, requestScope, serviceRequester, type Requester } from './scope.ts';
import type { StorageService } from './service.ts';
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
	const { ctx } = svc;
	const method = req.method ?? 'GET';
	const p = url.pathname.slice('/storage/v1'.length);
	const scope = (operation: string) => requestScope(req, p, operation);
	const caller = (allowInvalidJwt = false): Promise<Requester> => identify(ctx, req, { allowInvalidJwt });
	const after = (prefix: string) => (p.startsWith(prefix) ? p.slice(prefix.length) : undefined);

	if (url.pathname === tusPath || url.pathname.startsWith(`${tusPath}/`)) {
		const signed = isSignedTusPath(url.pathname);
		const operation = {
			POST: 'storage.tus.upload.create',
			PATCH: 'storage.tus.upload.part',
			HEAD: 'storage.tus.upload.get',
			DELETE: 'storage.tus.upload.delete',
			OPTIONS: 'storage.tus.options'
		}[method];
		const who = signed || method === 'OPTIONS' ? svc.admin : await caller();
		return resumable.handle(req, res, {
			who,
			owner: signed ? undefined : who.owner,
			upsert: !signed && req.headers['x-upsert'] === 'true',
			signed,
			scope: scope(`${operation ?? 'storage.tus'}${signed ? '_signed' : ''}`)
		});
	}
	if (method === 'OPTIONS') return send(res, 204, undefined, storageCorsHeaders);

	if (p === '/bucket' || p === '/bucket/') {
		if (method === 'GET')
			return buckets.listBuckets(svc, res, scope('storage.bucket.list'), await caller(), url.searchParams);
		if (method === 'POST') {
			const who = await caller();
			return buckets.createBucket(
				svc,
				res,
				scope('storage.bucket.create'),
				who,
				await objects.readJson(svc, req)
			);
		}
	}
	const bucketPath = after('/bucket/');
	if (bucketPath !== undefined) {
		const empty = /^([^/]+)\/empty$/.exec(bucketPath);
		if (empty && method === 'POST') {
			return buckets.emptyBucket(svc, res, scope('storage.bucket.empty'), await caller(), decode(empty[1]));
		}
		if (!bucketPath.includes('/')) {
			const id = decode(bucketPath);
			if (method === 'GET')
				return buckets.getBucket(svc, res, scope('storage.bucket.get'), await caller(), id);
			if (method === 'PUT') {
				const who = await caller();
				return buckets.updateBucket(
					svc,
					res,
					scope('storage.bucket.update'),
					who,
					id,
					await objects.readJson(svc, req)
				);
			}
			if (method === 'DELETE')
				return buckets.deleteBucket(svc, res, scope('storage.bucket.delete'), await caller(), id);
		}
	}

	if (p.startsWith('/object/')) return routeObject(svc, req, res, url, p, scope, caller, after);
	if (p.startsWith('/render/')) throw storageErrors.notSupported('image transformations (/render/image)');
	if (p.startsWith('/s3')) throw storageErrors.notSupported('the S3 protocol (/s3)');
	if (p.startsWith('/cdn/')) throw storageErrors.notSupported('CDN cache purging (/cdn)');
	throw storageErrors.notFoundRoute(method, url.pathname);
}

async function routeObject(
	svc: StorageService,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL,
	p: string,
	scope: (operation: string) => ReturnType<typeof requestScope>,
	caller: (allowInvalidJwt?: boolean) => Promise<Requester>,
	after: (prefix: string) => string | undefined
): Promise<void> {
	const method = req.method ?? 'GET';
	const download = url.searchParams.get('download');
	const json = () => objects.readJson(svc, req);
	let rest: string | undefined;

	if ((rest = after('/object/list/')) !== undefined && method === 'POST') {
		const who = await caller();
		return listObjects(svc, res, scope('storage.object.list'), who, decode(rest), await json());
	}
	if ((rest = after('/object/list-v2/')) !== undefined && method === 'POST') {
		const who = await caller();
		return listObjectsV2(svc, res, scope('storage.object.list_v2'), who, decode(rest), await json());
	}
	if (p === '/object/move' && method === 'POST') {
		const who = await caller();
		return objects.moveObject(svc, res, scope('storage.object.move'), who, await json());
	}
	if (p === '/object/copy' && method === 'POST') {
		const who = await caller();
		return objects.copyObject(svc, req, res, scope('storage.object.copy'), who, await json());
	}
	if ((rest = after('/object/upload/sign/')) !== undefined) {
		const [bucketId, key] = bucketAndKey(rest);
		if (method === 'POST') {
			const who = await caller();
			return objects.createSignedUploadUrl(
				svc,
				req,
				res,
				scope('storage.object.sign_upload_url'),
				who,
				bucketId,
				key
			);
		}
		if (method === 'PUT') {
			return objects.uploadToSignedUrl(
				svc,
				req,
				res,
				scope('storage.object.upload_signed'),
				url,
				bucketId,
				key
			);
		}
	}
	if ((rest = after('/object/sign/')) !== undefined) {
		if (!rest.includes('/') && method === 'POST') {
			const who = await caller();
			return objects.createSignedUrls(
				svc,
				res,
				scope('storage.object.sign_many'),
				who,
				decode(rest),
				await json()
			);
		}
		const [bucketId, key] = bucketAndKey(rest);
		if (method === 'POST') {
			const who = await caller();
			return objects.createSignedUrl(
				svc,
				res,
				scope('storage.object.sign'),
				who,
				bucketId,
				key,
				await json()
			);
		}
		if (method === 'GET') {
			const { row, expires } = await objects.signedObject(
				svc,
				scope('storage.object.get_signed'),
				url,
				bucketId,
				key
			);
			return objects.renderObject(svc, req, res, row, { download, expires });
		}
	}
	if ((rest = after('/object/public/')) !== undefined && (method === 'GET' || method === 'HEAD')) {
		const [bucketId, key] = bucketAndKey(rest);
		const operation = method === 'GET' ? 'storage.object.get_public' : 'storage.object.info_public';
		const row = await objects.objectForRead(svc, scope(operation), svc.admin, bucketId, key, 'public');
		return objects.renderObject(svc, req, res, row, { download, headOnly: method === 'HEAD' });
	}
	if ((rest = after('/object/authenticated/')) !== undefined && (method === 'GET' || method === 'HEAD')) {
		const [bucketId, key] = bucketAndKey(rest);
		const operation =
			method === 'GET' ? 'storage.object.get_authenticated' : 'object.head_authenticated_info';
		const who = await caller();
		const row = await objects.objectForRead(svc, scope(operation), who, bucketId, key, 'authenticated');
		return objects.renderObject(svc, req, res, row, { download, headOnly: method === 'HEAD' });
	}
	if ((rest = after('/object/info/')) !== undefined && method === 'GET') {
		let mode: 'public' | 'authenticated' | 'legacy' = 'legacy';
		if (rest.startsWith('public/')) [mode, rest] = ['public', rest.slice('public/'.length)];
		else if (rest.startsWith('authenticated/'))
			[mode, rest] = ['authenticated', rest.slice('authenticated/'.length)];
		const [bucketId, key] = bucketAndKey(rest);
		const operation = mode === 'public' ? 'storage.object.info_public' : 'object.get_authenticated_info';
		const who = mode === 'public' ? svc.admin : await caller(mode === 'legacy');
		const row = await objects.objectForRead(
			svc,
			scope(operation),
			who,
			bucketId,
			key,
			mode === 'public' ? 'public' : 'authenticated'
		);
		return objects.sendInfo(svc, res, row);
	}
	if ((rest = after('/object/')) !== undefined) {
		if (!rest.includes('/') && method === 'DELETE') {
			const who = await caller();
			return objects.removeObjects(
				svc,
				res,
				scope('storage.object.delete_many'),
				who,
				decode(rest),
				await json()
			);
		}
		const [bucketId, key] = bucketAndKey(rest);
		if (method === 'GET' || method === 'HEAD') {
			const operation =
				method === 'GET' ? 'storage.object.get_authenticated' : 'object.head_authenticated_info';
			const who = await caller(true);
			const row = await objects.objectForRead(svc, scope(operation), who, bucketId, key, 'authenticated');
			return objects.renderObject(svc, req, res, row, { download, headOnly: method === 'HEAD' });
		}
		if (method === 'POST' || method === 'PUT') {
			const who = await caller();
			const operation = method === 'POST' ? 'storage.object.upload' : 'storage.object.upload_update';
			const upsert = method === 'PUT' || req.headers['x-upsert'] === 'true';
			const row = await objects.uploadObject(svc, req, scope(operation), {
				who,
				bucketId,
				key,
				owner: who.owner,
				upsert
			});
			return sendJson(res, 200, { Id: row.id, Key: `${bucketId}/${key}` });
		}
		if (method === 'DELETE') {
			const who = await caller();
			return objects.removeObject(svc, res, scope('storage.object.delete'), who, bucketId, key);
		}
	}
	throw storageErrors.notFoundRoute(method, url.pathname);
}
