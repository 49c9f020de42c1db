// /storage/v1/object/…: upload, download (ranges, conditional requests), info, list, remove, move,
// copy and signed URLs — each evaluated as the Storage API does: reads of a private bucket as the
// caller (RLS hides what they may not see: 404 NoSuchKey), public buckets without RLS, writes
// checked as the caller and made as the service role.
import type { IncomingMessage } from 'node:http';
import { header, readBody } from '../http.ts';
import { parseUserMetadataHeader, receiveFile } from './body.ts';
import { storageErrors, StorageError } from './errors.ts';
import { mustBeValidKey, uploadLimit } from './limits.ts';
import { sendJson, storageCorsHeaders } from './respond.ts';
import { runAs, testPermission } from './scope.ts';
import {
	canUpload,
	completeUpload,
	deleteObjectRows,
	findBucket,
	findObject,
	jsonRow,
	mustFindObject,
	objectColumns,
	ownerColumns,
	uploadedMetadata,
	type Call,
	type ObjectRow,
	type StorageService
} from './service.ts';
import { mustBeValidExpiry, signToken, verifySignedToken } from './signed.ts';

/** A JSON request body; an empty one is `{}`. */
export async function readJson(svc: StorageService, req: IncomingMessage): Promise<Record<string, unknown>> {
	const text = await readBody(req, svc.ctx.config.maxBodyBytes);
	if (!text.trim()) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw storageErrors.invalidRequest('Body is not valid JSON');
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw storageErrors.invalidRequest('body must be object');
	}
	return parsed as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, name: string): string {
	const value = body[name];
	if (typeof value !== 'string')
		throw storageErrors.invalidRequest(`body must have required property '${name}'`);
	return value;
}

/** The body of move and copy: the source, and the destination (the same bucket by default). */
function transfer(body: Record<string, unknown>) {
	const bucketId = requiredString(body, 'bucketId');
	const destinationKey = requiredString(body, 'destinationKey');
	mustBeValidKey(destinationKey);
	return {
		bucketId,
		sourceKey: requiredString(body, 'sourceKey'),
		destinationKey,
		destinationBucket: typeof body.destinationBucket === 'string' ? body.destinationBucket : bucketId
	};
}

// ---------------------------------------------------------------------------------------------
// Upload
// ---------------------------------------------------------------------------------------------

/** Standard upload (POST, PUT, and PUT to a signed upload URL): check, stream to disk, record. */
export async function uploadObject(
	call: Call,
	options: { bucketId: string; key: string; owner: string | undefined; upsert: boolean }
): Promise<ObjectRow> {
	const { svc, req, scope, who } = call;
	const { bucketId, key, owner, upsert } = options;
	const bucket = await findBucket(svc, svc.admin, scope, bucketId);
	mustBeValidKey(key);
	const limit = uploadLimit(key, bucket?.file_size_limit, svc.settings.fileSizeLimit);
	const file = await receiveFile(req, { key, limit, allowedMimeTypes: bucket?.allowed_mime_types ?? null });
	try {
		await canUpload(svc, who, scope, {
			bucketId,
			name: key,
			owner,
			upsert,
			userMetadata: file.userMetadata,
			metadata: { mimetype: file.mimeType, contentLength: file.declaredLength }
		});
	} catch (err) {
		await file.discard();
		throw err;
	}
	const version = svc.files.newVersion();
	const written = await file.store(svc.files, version);
	if (written.truncated) throw storageErrors.entityTooLarge();
	return completeUpload(svc, scope, {
		bucketId,
		name: key,
		owner,
		upsert,
		version,
		metadata: uploadedMetadata({
			md5: written.md5,
			size: written.size,
			mimetype: file.mimeType,
			cacheControl: file.cacheControl
		}),
		userMetadata: file.userMetadata
	});
}

export async function createSignedUploadUrl(call: Call, bucketId: string, key: string): Promise<void> {
	const { svc, req, res, scope, who } = call;
	mustBeValidKey(key);
	const upsert = header(req, 'x-upsert') === 'true';
	const length = header(req, 'content-length');
	await canUpload(svc, who, scope, {
		bucketId,
		name: key,
		owner: who.owner,
		upsert,
		userMetadata: parseUserMetadataHeader(header(req, 'x-metadata')),
		metadata: { mimetype: header(req, 'content-type'), contentLength: length ? Number(length) : undefined }
	});
	const url = `${bucketId}/${key}`;
	const token = signToken(
		svc.ctx.config,
		{ owner: who.owner, url, upsert, scope: 'upload' },
		svc.settings.signedUploadUrlExpirySeconds
	);
	sendJson(res, 200, { url: `/object/upload/sign/${url}?token=${token}`, token });
}

export async function uploadToSignedUrl(call: Call, url: URL, bucketId: string, key: string): Promise<void> {
	const { svc, res } = call;
	const token = verifySignedToken(svc.ctx.config, url.searchParams.get('token'), bucketId, key, 'upload');
	await uploadObject(call, {
		bucketId,
		key,
		owner: token.owner,
		upsert: token.upsert === true
	});
	sendJson(res, 200, { Key: `${bucketId}/${key}` });
}

// ---------------------------------------------------------------------------------------------
// Download, HEAD and info
// ---------------------------------------------------------------------------------------------

export type ReadMode = 'authenticated' | 'public';

/**
 * The object a read route serves: in a public bucket without RLS; otherwise as the caller, and a
 * caller without a valid JWT only sees public buckets (a private one is "Bucket not found").
 */
export async function objectForRead(
	call: Call,
	bucketId: string,
	key: string,
	mode: ReadMode
): Promise<ObjectRow> {
	const { svc, scope, who } = call;
	const bucket = await findBucket(svc, svc.admin, scope, bucketId, { mustExist: false });
	if (!bucket || (mode === 'public' && !bucket.public) || (!who.authenticated && !bucket.public)) {
		throw storageErrors.noSuchBucket();
	}
	return mustFindObject(svc, bucket.public ? svc.admin : who, scope, bucketId, key);
}

export async function signedObject(
	call: Call,
	url: URL,
	bucketId: string,
	key: string
): Promise<{ row: ObjectRow; expires: string }> {
	const { svc, scope } = call;
	const token = verifySignedToken(svc.ctx.config, url.searchParams.get('token'), bucketId, key, 'download');
	const row = await mustFindObject(svc, svc.admin, scope, bucketId, key);
	return { row, expires: new Date(token.exp * 1000).toUTCString() };
}

function parseRange(range: string, size: number): { start: number; end: number } {
	const invalid = storageErrors.invalidRange;
	const match = /^bytes=(\d*)-(\d*)$/.exec(range);
	if (!match || size <= 0 || (!match[1] && !match[2])) throw invalid();
	if (!match[1]) {
		const suffix = Number(match[2]);
		if (!Number.isSafeInteger(suffix) || suffix <= 0) throw invalid();
		return { start: Math.max(size - suffix, 0), end: size - 1 };
	}
	const start = Number(match[1]);
	const end = match[2] ? Number(match[2]) : size - 1;
	if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start || start >= size)
		throw invalid();
	return { start, end: Math.min(end, size - 1) };
}

/** Browsers must not render uploaded HTML from the API's origin: it is served as text/plain. */
function servedContentType(mimetype: unknown): string {
	const type = typeof mimetype === 'string' && mimetype ? mimetype : 'application/octet-stream';
	return type.includes('text/html') ? 'text/plain' : type;
}

function lastModifiedOf(row: ObjectRow): Date {
	const fromMetadata = row.metadata?.lastModified ? new Date(row.metadata.lastModified) : undefined;
	return fromMetadata && !Number.isNaN(fromMetadata.getTime()) ? fromMetadata : new Date(row.updated_at);
}

/** Serves an object's bytes (or only its headers for HEAD), with ranges and conditional requests. */
export async function renderObject(
	call: Call,
	row: ObjectRow,
	options: { download?: string | null; expires?: string; headOnly?: boolean }
): Promise<void> {
	const { svc, req, res } = call;
	const size = row.version ? await svc.files.size(row.version) : undefined;
	if (size === undefined || !row.version) {
		throw new StorageError(404, 'NoSuchKey', 'The resource was not found', 'Not found');
	}
	const metadata = row.metadata ?? ({} as Record<string, unknown>);
	const eTag = typeof metadata.eTag === 'string' ? metadata.eTag : undefined;
	const lastModified = lastModifiedOf(row);
	const headers: Record<string, string> = {
		...storageCorsHeaders,
		'accept-ranges': 'bytes',
		'content-type': servedContentType(metadata.mimetype),
		'x-robots-tag': 'none',
		'last-modified': lastModified.toUTCString()
	};
	if (eTag) headers.etag = eTag;
	if (options.expires) headers.expires = options.expires;
	else
		headers['cache-control'] = typeof metadata.cacheControl === 'string' ? metadata.cacheControl : 'no-cache';
	if (options.download !== undefined && options.download !== null) {
		const name = encodeURIComponent(options.download);
		headers['content-disposition'] = options.download
			? `attachment; filename=${name}; filename*=UTF-8''${name}`
			: 'attachment;';
	}
	const ifNoneMatch = header(req, 'if-none-match');
	const ifModifiedSince = header(req, 'if-modified-since');
	const notModified =
		(ifNoneMatch !== undefined && ifNoneMatch === eTag) ||
		(ifNoneMatch === undefined &&
			ifModifiedSince !== undefined &&
			!Number.isNaN(Date.parse(ifModifiedSince)) &&
			Math.floor(lastModified.getTime() / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000));
	if (notModified) {
		res.writeHead(304, headers);
		res.end();
		return;
	}
	const range = header(req, 'range');
	let status = 200;
	let part: { start: number; end: number } | undefined;
	if (range) {
		part = parseRange(range, size);
		status = 206;
		headers['content-range'] = `bytes ${part.start}-${part.end}/${size}`;
	}
	headers['content-length'] = String(part ? part.end - part.start + 1 : size);
	if (options.headOnly) {
		res.writeHead(status, headers);
		res.end();
		return;
	}
	const stream = svc.files.read(row.version, part);
	await new Promise<void>((resolve, reject) => {
		stream.once('open', () => {
			res.writeHead(status, headers);
			stream.pipe(res);
		});
		stream.once('error', (err) => (res.headersSent ? (res.destroy(err), resolve()) : reject(err)));
		stream.once('end', resolve);
		res.once('close', () => {
			stream.destroy();
			resolve();
		});
	});
}

export function infoBody(row: ObjectRow, size: number | undefined): Record<string, unknown> {
	const metadata = row.metadata ?? ({} as Record<string, unknown>);
	return jsonRow({
		id: row.id,
		name: row.name,
		version: row.version,
		bucket_id: row.bucket_id,
		size: typeof metadata.size === 'number' ? metadata.size : (size ?? null),
		content_type: metadata.mimetype ?? null,
		cache_control: metadata.cacheControl ?? null,
		etag: metadata.eTag ?? null,
		metadata: row.user_metadata,
		last_modified: row.updated_at,
		created_at: row.created_at
	});
}

export async function sendInfo(call: Call, row: ObjectRow): Promise<void> {
	const { svc, res } = call;
	const size = row.version ? await svc.files.size(row.version) : undefined;
	if (size === undefined) throw new StorageError(404, 'NoSuchKey', 'The resource was not found', 'Not found');
	const metadata = row.metadata ?? ({} as Record<string, unknown>);
	const headers: Record<string, string> = { 'last-modified': lastModifiedOf(row).toUTCString() };
	if (typeof metadata.eTag === 'string') headers.etag = metadata.eTag;
	if (typeof metadata.cacheControl === 'string') headers['cache-control'] = metadata.cacheControl;
	sendJson(res, 200, infoBody(row, size), headers);
}

// ---------------------------------------------------------------------------------------------
// Remove, move, copy
// ---------------------------------------------------------------------------------------------

/** Deleting a batch is one statement as the caller: rows RLS hides are skipped, not errors. */
export async function removeObjects(
	call: Call,
	bucketId: string,
	body: Record<string, unknown>
): Promise<void> {
	const prefixes = body.prefixes;
	if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string')) {
		throw storageErrors.invalidRequest("body must have required property 'prefixes'");
	}
	if (prefixes.length < 1 || prefixes.length > 1000) {
		throw storageErrors.invalidRequest('body/prefixes must have between 1 and 1000 items');
	}
	const deleted: Record<string, unknown>[] = [];
	for (let i = 0; i < prefixes.length; i += 500) {
		const batch = prefixes.slice(i, i + 500) as string[];
		deleted.push(
			...(await deleteObjectRows(call, call.who, 'bucket_id = $1 and name = any($2::text[])', [
				bucketId,
				batch
			]))
		);
	}
	sendJson(call.res, 200, jsonRow(deleted));
}

export async function removeObject(call: Call, bucketId: string, key: string): Promise<void> {
	const { svc, res, scope } = call;
	await mustFindObject(svc, svc.admin, scope, bucketId, key);
	const rows = await deleteObjectRows(call, call.who, 'name = $1 and bucket_id = $2', [key, bucketId]);
	if (rows.length === 0) throw storageErrors.accessDenied('Access denied');
	sendJson(res, 200, { message: 'Successfully deleted' });
}

export async function moveObject(call: Call, body: Record<string, unknown>): Promise<void> {
	const { svc, res, scope, who } = call;
	const { bucketId, sourceKey, destinationKey, destinationBucket } = transfer(body);
	const version = svc.files.newVersion();
	const owner = ownerColumns(who.owner);
	const moveSql = `update storage.objects set name = $3, version = $4, bucket_id = $5, owner = $6, owner_id = $7
		 where bucket_id = $1 and name = $2 returning ${objectColumns}`;
	const moveValues = [
		bucketId,
		sourceKey,
		destinationKey,
		version,
		destinationBucket,
		owner.owner,
		owner.owner_id
	];
	// The caller must see the source and may update it into the destination (USING and WITH CHECK).
	await testPermission(svc.ctx, who, scope, async (tx) => {
		if (!(await findObject(tx, bucketId, sourceKey))) throw storageErrors.noSuchKey();
		const { rows } = await tx.query(moveSql, moveValues);
		if (rows.length === 0) throw storageErrors.noSuchKey();
	});
	const source = await mustFindObject(svc, svc.admin, scope, bucketId, sourceKey);
	if (bucketId === destinationBucket && sourceKey === destinationKey) {
		sendJson(res, 200, { message: 'Successfully moved', Id: source.id, Key: destinationKey });
		return;
	}
	if (!source.version) throw storageErrors.noSuchKey();
	await svc.files.duplicate(source.version, version);
	try {
		const moved = await runAs(svc.ctx, svc.admin, scope, async (tx) => {
			const { rows } = await tx.query<ObjectRow>(moveSql, moveValues);
			if (!rows[0]) throw storageErrors.noSuchKey();
			return rows[0];
		});
		await svc.files.remove([source.version]);
		sendJson(res, 200, { message: 'Successfully moved', Id: moved.id, Key: destinationKey });
	} catch (err) {
		await svc.files.remove([version]);
		throw err;
	}
}

export async function copyObject(call: Call, body: Record<string, unknown>): Promise<void> {
	const { svc, req, res, scope, who } = call;
	const { bucketId, sourceKey, destinationKey, destinationBucket } = transfer(body);
	const copyMetadata = body.copyMetadata !== false;
	const upsert = header(req, 'x-upsert') === 'true';
	const origin = await mustFindObject(svc, who, scope, bucketId, sourceKey);
	if (!origin.version) throw storageErrors.noSuchKey();
	const metadata: Record<string, unknown> = { ...origin.metadata };
	if (!copyMetadata && typeof body.metadata === 'object' && body.metadata !== null) {
		const given = body.metadata as { cacheControl?: unknown; mimetype?: unknown };
		if (given.cacheControl !== undefined) metadata.cacheControl = given.cacheControl;
		if (given.mimetype !== undefined) metadata.mimetype = given.mimetype;
	}
	const userMetadata = copyMetadata
		? (origin.user_metadata ?? undefined)
		: parseUserMetadataHeader(header(req, 'x-metadata'));
	await canUpload(svc, who, scope, {
		bucketId: destinationBucket,
		name: destinationKey,
		owner: who.owner,
		upsert,
		userMetadata,
		metadata
	});
	const version = svc.files.newVersion();
	await svc.files.duplicate(origin.version, version);
	const copied = await completeUpload(svc, scope, {
		bucketId: destinationBucket,
		name: destinationKey,
		owner: who.owner,
		upsert,
		version,
		metadata: { ...metadata, lastModified: new Date().toISOString() },
		userMetadata
	});
	sendJson(res, 200, { Id: copied.id, Key: `${destinationBucket}/${destinationKey}`, ...jsonRow(copied) });
}

// ---------------------------------------------------------------------------------------------
// Signed download URLs
// ---------------------------------------------------------------------------------------------

export async function createSignedUrl(
	call: Call,
	bucketId: string,
	key: string,
	body: Record<string, unknown>
): Promise<void> {
	const { svc, res, scope, who } = call;
	mustBeValidExpiry(body.expiresIn);
	await mustFindObject(svc, who, scope, bucketId, key);
	const url = `${bucketId}/${key}`;
	const token = signToken(svc.ctx.config, { url, scope: 'download' }, body.expiresIn);
	sendJson(res, 200, { signedURL: `/object/sign/${url}?token=${token}` });
}

export async function createSignedUrls(
	call: Call,
	bucketId: string,
	body: Record<string, unknown>
): Promise<void> {
	const { svc, res, scope, who } = call;
	mustBeValidExpiry(body.expiresIn);
	const expiresIn = body.expiresIn;
	const paths = body.paths;
	if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
		throw storageErrors.invalidRequest("body must have required property 'paths'");
	}
	const { rows } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query<{ name: string }>(
			`select name from storage.objects where bucket_id = $1 and name = any($2::text[])`,
			[bucketId, paths]
		)
	);
	const visible = new Set(rows.map((r) => r.name));
	sendJson(
		res,
		200,
		(paths as string[]).map((path) => {
			if (!visible.has(path)) {
				return {
					error: 'Either the object does not exist or you do not have access to it',
					path,
					signedURL: null
				};
			}
			const url = `${bucketId}/${path}`;
			const token = signToken(svc.ctx.config, { url, scope: 'download' }, expiresIn);
			return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
		})
	);
}
