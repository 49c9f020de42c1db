// Reading an upload's body as the Storage API does: a raw body (content-type, cache-control and
// x-metadata from the headers) or multipart/form-data (busboy; the fields cacheControl, contentType
// and metadata sent before the one file part). The bucket's MIME list and size limit are checked
// here; a refused body is still read to its end, so the client gets the answer instead of a reset.
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import { header } from '../http.ts';
import { storageErrors } from './errors.ts';
import type { ObjectFiles, Written } from './files.ts';
import { isEmptyFolder, mustBeAllowedMimeType } from './limits.ts';

/** user_metadata larger than this is refused (the Storage API's limit). */
const maxUserMetadataBytes = 1024 * 1024;

export interface IncomingFile {
	mimeType: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | undefined;
	/** The Content-Length the client declared (what write checks see as contentLength). */
	declaredLength: number | undefined;
	/** Streams the bytes into the file of `version`; `truncated` when they passed the limit. */
	store(files: ObjectFiles, version: string): Promise<Written>;
	/** Reads the rest of the body and drops it. */
	discard(): Promise<void>;
}

export function parseUserMetadataHeader(value: string | undefined): Record<string, unknown> | undefined {
	if (!value) return undefined;
	try {
		const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
		return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function declaredLengthOf(req: IncomingMessage): number | undefined {
	const n = Number(header(req, 'content-length'));
	return header(req, 'content-length') !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function drain(stream: Readable): Promise<void> {
	return new Promise((resolve) => {
		if (stream.readableEnded || stream.destroyed) return resolve();
		stream
			.on('end', resolve)
			.on('close', resolve)
			.on('error', () => resolve());
		stream.resume();
	});
}

export async function receiveFile(
	req: IncomingMessage,
	options: { key: string; limit: number; allowedMimeTypes: string[] | null }
): Promise<IncomingFile> {
	const contentType = header(req, 'content-type');
	const checkMime = (mime: string) => {
		if (!isEmptyFolder(options.key)) mustBeAllowedMimeType(mime, options.allowedMimeTypes);
	};
	if (!contentType?.startsWith('multipart/form-data')) {
		if (req.readableEnded || req.destroyed)
			throw storageErrors.noContent('Request stream closed before upload could begin');
		const mimeType = contentType || 'application/octet-stream';
		const declaredLength = declaredLengthOf(req);
		try {
			checkMime(mimeType);
			if (declaredLength !== undefined && declaredLength > options.limit)
				throw storageErrors.entityTooLarge();
		} catch (err) {
			await drain(req);
			throw err;
		}
		return {
			mimeType,
			cacheControl: header(req, 'cache-control') ?? 'no-cache',
			userMetadata: parseUserMetadataHeader(header(req, 'x-metadata')),
			declaredLength,
			store: (files, version) => files.write(req, version, options.limit),
			discard: () => drain(req)
		};
	}
	return receiveMultipart(req, options, checkMime);
}

function receiveMultipart(
	req: IncomingMessage,
	options: { limit: number },
	checkMime: (mime: string) => void
): Promise<IncomingFile> {
	return new Promise((resolve, reject) => {
		let parser: busboy.Busboy;
		try {
			parser = busboy({
				headers: req.headers,
				limits: { fields: 10, files: 1, fileSize: options.limit, fieldSize: maxUserMetadataBytes + 1 }
			});
		} catch (err) {
			void drain(req);
			return reject(storageErrors.noContent((err as Error).message));
		}
		const fields: Record<string, string> = {};
		let settled = false;
		const finished = new Promise<void>((done) => parser.once('close', done));
		const fail = (err: unknown) => {
			if (settled) return;
			settled = true;
			void drain(req);
			reject(err);
		};
		parser.on('field', (name, value) => {
			fields[name] = value;
		});
		parser.on('error', (err) => fail(storageErrors.noContent((err as Error).message)));
		parser.on('close', () => fail(storageErrors.noContent()));
		parser.on('file', (_name, file, info) => {
			if (settled) return file.resume();
			settled = true;
			const mimeType = fields.contentType || info.mimeType;
			const cacheTime = fields.cacheControl;
			const rawMetadata = fields.metadata ?? fields.userMetadata;
			try {
				checkMime(mimeType);
				if (rawMetadata !== undefined && Buffer.byteLength(rawMetadata) > maxUserMetadataBytes) {
					throw storageErrors.entityTooLarge('user_metadata');
				}
			} catch (err) {
				file.resume();
				void finished.then(() => reject(err));
				return;
			}
			let userMetadata: Record<string, unknown> | undefined;
			try {
				userMetadata = rawMetadata === undefined ? undefined : JSON.parse(rawMetadata);
			} catch {
				userMetadata = undefined;
			}
			// busboy ends the part at the limit and marks it truncated; the rest is read and dropped.
			const body = new PassThrough();
			file.pipe(body);
			resolve({
				mimeType,
				cacheControl: cacheTime ? `max-age=${cacheTime}` : 'no-cache',
				userMetadata,
				// The multipart length includes the boundaries, so it says nothing about the file's size.
				declaredLength: declaredLengthOf(req),
				store: async (files, version) => {
					const written = await files.write(body, version, options.limit);
					await finished;
					if (file.truncated && !written.truncated) {
						await files.remove([version]);
						return { ...written, truncated: true };
					}
					return written;
				},
				discard: async () => {
					body.resume();
					await finished;
				}
			});
		});
		req.pipe(parser);
	});
}
