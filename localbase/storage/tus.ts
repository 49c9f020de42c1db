// Resumable uploads over TUS at /storage/v1/upload/resumable, as Supabase Storage serves them: the
// protocol is @tus/server with @tus/file-store, and the hooks add Supabase's rules — the upload check
// as the caller (policies, 409 for a taken key) at creation and on every PATCH and DELETE, the
// bucket's MIME list and size limit at creation, Location as
// `…/upload/resumable/<base64url("bucket/key/version")>`, and the storage.objects row on finish.
// The upload's data file is the object's file (named by the version), so finishing moves nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FileConfigstore, FileStore } from '@tus/file-store';
import { Metadata, Server, type ServerOptions, type Upload } from '@tus/server';
import { storageErrors, StorageError, toStorageError, isPgError } from './errors.ts';
import { mustBeAllowedMimeType, mustBeValidBucketName, mustBeValidKey, uploadLimit } from './limits.ts';
import type { RequestScope, Requester } from './scope.ts';
import {
	canUpload,
	completeUpload,
	findBucket,
	uploadedMetadata,
	type BucketRow,
	type StorageService
} from './service.ts';
import { verifySignedToken } from './signed.ts';

export const tusPath = '/storage/v1/upload/resumable';
const signedSuffix = '/sign';

type TusRequest = Parameters<NonNullable<ServerOptions['onIncomingRequest']>>[0];

interface Target {
	bucketId: string;
	key: string;
	version: string;
}

/** What one resumable request carries through the hooks: who asks, as whom it writes, its target. */
export interface TusContext {
	who: Requester;
	owner: string | undefined;
	upsert: boolean;
	signed: boolean;
	scope: RequestScope;
	target?: Target;
	bucket?: BucketRow;
}

const contexts = new WeakMap<IncomingMessage, TusContext>();

function contextOf(req: TusRequest): TusContext {
	const node = req.runtime?.node?.req as IncomingMessage | undefined;
	const context = node && contexts.get(node);
	if (!context) throw new Error('resumable upload request without its localbase context');
	return context;
}

const versionPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The upload id of a URL: base64url of "bucket/key/version". */
function parseUploadId(encoded: string): Target {
	const decoded = Buffer.from(encoded, 'base64url').toString('utf8');
	const parts = decoded.split('/');
	const version = parts.pop();
	const bucketId = parts.shift();
	const key = parts.join('/');
	if (!bucketId || !key || !version || !versionPattern.test(version)) throw storageErrors.invalidUploadId();
	return { bucketId, key, version };
}

function sameTarget(upload: Upload, target: Target): boolean {
	return upload.metadata?.bucketName === target.bucketId && upload.metadata?.objectName === target.key;
}

export interface Resumable {
	handle(req: IncomingMessage, res: ServerResponse, context: TusContext): Promise<void>;
	close(): void;
}

export function createResumable(svc: StorageService): Resumable {
	const configstore = new FileConfigstore(svc.files.uploadsDir);
	const datastore = new FileStore({
		directory: svc.files.objectsDir,
		configstore,
		expirationPeriodInMilliseconds: svc.settings.tusUrlExpiryMs
	});

	const bucketOf = async (context: TusContext, bucketId: string): Promise<BucketRow> => {
		if (context.bucket?.id !== bucketId) {
			context.bucket = await findBucket(svc, svc.admin, context.scope, bucketId);
		}
		return context.bucket!;
	};

	const server = new Server({
		path: tusPath,
		datastore,
		disableTerminationForFinishedUploads: true,
		allowedHeaders: ['Authorization', 'ApiKey', 'X-Client-Info', 'X-Upsert', 'Upload-Expires', 'X-Signature'],
		exposedHeaders: ['Tus-Complete'],

		namingFunction: (req, metadata) => {
			const context = contextOf(req);
			const bucketId = metadata?.bucketName ?? undefined;
			const key = metadata?.objectName ?? undefined;
			mustBeValidBucketName(bucketId);
			mustBeValidKey(key);
			context.target = { bucketId, key, version: svc.files.newVersion() };
			return context.target.version;
		},

		getFileIdFromRequest: (req, lastPath) => {
			if (!lastPath || lastPath === 'resumable' || lastPath === 'sign') return undefined;
			const context = contextOf(req);
			context.target = parseUploadId(lastPath);
			return context.target.version;
		},

		generateUrl: (req, { proto, host, path, id }) => {
			const context = contextOf(req);
			if (!context.target || context.target.version !== id) throw storageErrors.invalidUploadId();
			const { bucketId, key, version } = context.target;
			const encoded = Buffer.from(`${bucketId}/${key}/${version}`, 'utf8').toString('base64url');
			return `${proto}://${host}${path}${context.signed ? signedSuffix : ''}/${encoded}`;
		},

		maxSize: async (req) => {
			const context = contextOf(req);
			if (!context.target) return svc.settings.fileSizeLimit;
			const bucket = await bucketOf(context, context.target.bucketId);
			return uploadLimit(context.target.key, bucket.file_size_limit, svc.settings.fileSizeLimit);
		},

		onIncomingRequest: async (req, id) => {
			const context = contextOf(req);
			const target = context.target;
			if (!target) throw storageErrors.invalidUploadId();
			let mimetype: string | undefined;
			let contentLength: number | undefined;
			let rawUserMetadata: string | null | undefined;
			if (req.method === 'POST') {
				let metadata: Record<string, string | null> = {};
				try {
					metadata = Metadata.parse(req.headers.get('upload-metadata') ?? undefined);
				} catch {
					throw storageErrors.invalidParameter('upload-metadata', 'Invalid Upload-Metadata header');
				}
				mimetype = metadata.contentType ?? undefined;
				rawUserMetadata = metadata.metadata;
				const length = req.headers.get('upload-length');
				contentLength = length ? Number(length) : undefined;
			} else {
				const upload = await datastore.getUpload(id);
				// The URL names its object: a URL whose object is not the upload's is not this upload.
				if (!sameTarget(upload, target)) throw storageErrors.noSuchUpload();
				mimetype = upload.metadata?.contentType ?? undefined;
				contentLength = upload.size;
				rawUserMetadata = upload.metadata?.metadata;
			}
			if (context.signed) {
				const signature = req.headers.get('x-signature');
				if (!signature) throw storageErrors.invalidSignature('Missing x-signature header');
				const token = verifySignedToken(svc.ctx.config, signature, target.bucketId, target.key, 'upload');
				context.owner = token.owner;
				context.upsert = token.upsert === true;
			}
			if (req.method === 'HEAD' || req.method === 'OPTIONS') return;
			let userMetadata: Record<string, unknown> | undefined;
			try {
				userMetadata = rawUserMetadata ? JSON.parse(rawUserMetadata) : undefined;
			} catch {
				userMetadata = undefined;
			}
			await canUpload(svc, context.who, context.scope, {
				bucketId: target.bucketId,
				name: target.key,
				owner: context.owner,
				upsert: context.upsert,
				userMetadata,
				metadata: { mimetype, contentLength }
			});
		},

		onUploadCreate: async (req, upload) => {
			const context = contextOf(req);
			const bucket = await bucketOf(context, context.target!.bucketId);
			const metadata = { ...upload.metadata };
			metadata.cacheControl = /^-?\d+$/.test(metadata.cacheControl ?? '')
				? `max-age=${metadata.cacheControl}`
				: 'no-cache';
			// Stricter than hosted, which skips the check when no contentType is given.
			mustBeAllowedMimeType(metadata.contentType || 'application/octet-stream', bucket.allowed_mime_types);
			return { metadata };
		},

		onUploadFinish: async (req, upload) => {
			const context = contextOf(req);
			const metadata = upload.metadata ?? {};
			const size = upload.size ?? upload.offset;
			let userMetadata: Record<string, unknown> | undefined;
			try {
				userMetadata = metadata.metadata ? JSON.parse(metadata.metadata) : undefined;
			} catch {
				userMetadata = undefined;
			}
			await completeUpload(svc, context.scope, {
				bucketId: metadata.bucketName ?? '',
				name: metadata.objectName ?? '',
				owner: context.owner,
				upsert: context.upsert,
				version: upload.id,
				metadata: uploadedMetadata({
					md5: await svc.files.md5Of(upload.id),
					size,
					mimetype: metadata.contentType || 'application/octet-stream',
					cacheControl: metadata.cacheControl || 'no-cache'
				}),
				userMetadata
			});
			// Recorded as complete, so the expiry sweep never removes what is now the object's file.
			upload.offset = size;
			await configstore.set(upload.id, upload);
			return { headers: { 'Tus-Complete': '1' } };
		},

		onResponseError: (_req, err) => {
			if (err instanceof StorageError || isPgError(err)) {
				const e = toStorageError(err);
				return { status_code: e.statusCode, body: e.message };
			}
			if (err instanceof Error) {
				console.error('[localbase] storage: resumable upload failed:', err);
				return { status_code: 500, body: 'Internal Server Error' };
			}
			return undefined;
		}
	});

	/** Expired unfinished uploads are deleted; finished ones only lose their bookkeeping. */
	const sweep = async () => {
		await datastore.deleteExpired();
		const expiry = svc.settings.tusUrlExpiryMs;
		for (const id of (await configstore.list?.()) ?? []) {
			const info = await configstore.get(id);
			const created = info?.creation_date ? Date.parse(info.creation_date) : NaN;
			if (info && info.offset === info.size && Date.now() > created + expiry) await configstore.delete(id);
		}
	};
	const timer = setInterval(() => {
		sweep().catch((err: unknown) =>
			console.error('[localbase] storage: resumable upload sweep failed:', err)
		);
	}, 10 * 60_000);
	timer.unref();

	return {
		handle: async (req, res, context) => {
			contexts.set(req, context);
			await server.handle(req, res);
		},
		close: () => clearInterval(timer)
	};
}

export function isSignedTusPath(pathname: string): boolean {
	return pathname === `${tusPath}${signedSuffix}` || pathname.startsWith(`${tusPath}${signedSuffix}/`);
}
