// Puts one file into Storage with progress and a way to stop it: a standard upload (one request)
// for small files, a resumable one (TUS, 6 MB chunks, as Supabase Storage expects) from
// LIMITS.resumableFromBytes, which picks up where it stopped after a dropped connection or a reload.
// Both answer one outcome; an object already at the key is my own earlier try (the key is in my
// folder, under this message's id), so it counts as uploaded.
import { LIMITS } from './limits';

export interface StorageTarget {
	/** The project URL (…/storage/v1 is added). */
	url: string;
	apikey: string;
	/** A current access token (asked before each request: a long upload may outlive one). */
	token: () => Promise<string>;
}

export interface UploadRequest {
	bucket: string;
	key: string;
	blob: Blob;
	contentType: string;
	onProgress?: (sent: number, total: number) => void;
}

export type UploadOutcome =
	{ ok: true } | { ok: false; cancelled: boolean; message: string; retryable: boolean };

export interface UploadHandle {
	done: Promise<UploadOutcome>;
	cancel(): void;
}

const CANCELLED: UploadOutcome = { ok: false, cancelled: true, message: 'Cancelled.', retryable: true };
const NETWORK: UploadOutcome = {
	ok: false,
	cancelled: false,
	message: 'The upload was interrupted. It continues when you retry or are back online.',
	retryable: true
};

/** Storage's error body (every non-500 error comes as HTTP 400; statusCode is the real one). */
export function describeStorageError(status: number, bodyText: string): UploadOutcome | { ok: true } {
	let body: { statusCode?: string | number; code?: string; error?: string; message?: string } = {};
	try {
		body = JSON.parse(bodyText) as typeof body;
	} catch {
		// Not JSON (a proxy's page): the HTTP status is all there is.
	}
	const code = Number(body.statusCode ?? status);
	if (code === 409) return { ok: true };
	const refuse = (message: string, retryable = false): UploadOutcome => ({
		ok: false,
		cancelled: false,
		message,
		retryable
	});
	if (code === 413) return refuse('The server refused this file as too large.');
	if (code === 415) return refuse('The server does not accept this type of file.');
	if (code === 403 || code === 401)
		return refuse('You are not allowed to upload here. Sign in again and retry.', true);
	if (code === 429 || code >= 500 || status === 0)
		return refuse('The server is busy. Try again in a moment.', true);
	return refuse(`The upload was refused${body.message ? `: ${body.message}` : ''}.`, true);
}

function encodeKey(key: string): string {
	return key.split('/').map(encodeURIComponent).join('/');
}

function standard(target: StorageTarget, request: UploadRequest): UploadHandle {
	const xhr = new XMLHttpRequest();
	let cancelled = false;
	const done = (async (): Promise<UploadOutcome> => {
		const token = await target.token();
		if (cancelled) return CANCELLED;
		return new Promise<UploadOutcome>((resolve) => {
			xhr.open('POST', `${target.url}/storage/v1/object/${request.bucket}/${encodeKey(request.key)}`);
			xhr.setRequestHeader('authorization', `Bearer ${token}`);
			xhr.setRequestHeader('apikey', target.apikey);
			xhr.setRequestHeader('content-type', request.contentType);
			xhr.setRequestHeader('cache-control', 'max-age=3600');
			xhr.setRequestHeader('x-upsert', 'false');
			xhr.upload.onprogress = (e) => request.onProgress?.(e.loaded, request.blob.size);
			xhr.onload = () => {
				if (xhr.status >= 200 && xhr.status < 300) {
					request.onProgress?.(request.blob.size, request.blob.size);
					resolve({ ok: true });
				} else resolve(describeStorageError(xhr.status, xhr.responseText) as UploadOutcome);
			};
			xhr.onerror = () => resolve(NETWORK);
			xhr.onabort = () => resolve(CANCELLED);
			xhr.send(request.blob);
		});
	})();
	return {
		done,
		cancel() {
			cancelled = true;
			xhr.abort();
		}
	};
}

function resumable(target: StorageTarget, request: UploadRequest): UploadHandle {
	let stop: (() => void) | undefined;
	let cancelled = false;
	const done = (async (): Promise<UploadOutcome> => {
		const { Upload } = await import('tus-js-client');
		if (cancelled) return CANCELLED;
		return new Promise<UploadOutcome>((resolve) => {
			const upload = new Upload(request.blob, {
				endpoint: `${target.url}/storage/v1/upload/resumable`,
				// The few quick retries tus does itself; after them the user (or the outbox) retries.
				retryDelays: [0, 1000, 3000, 5000],
				chunkSize: LIMITS.resumableFromBytes,
				uploadDataDuringCreation: true,
				removeFingerprintOnSuccess: true,
				headers: { apikey: target.apikey, 'x-upsert': 'false' },
				metadata: {
					bucketName: request.bucket,
					objectName: request.key,
					contentType: request.contentType,
					cacheControl: '3600'
				},
				async onBeforeRequest(req) {
					req.setHeader('authorization', `Bearer ${await target.token()}`);
				},
				onProgress: (sent, total) => request.onProgress?.(sent, total),
				onSuccess: () => resolve({ ok: true }),
				onError: (error) => {
					const response = 'originalResponse' in error ? error.originalResponse : null;
					if (!response) return resolve(NETWORK);
					resolve(describeStorageError(response.getStatus(), response.getBody() ?? '') as UploadOutcome);
				}
			});
			stop = () => {
				void upload.abort();
				resolve(CANCELLED);
			};
			// The same file to the same key was partly sent before (a reload, a dropped connection):
			// carry on from the server's offset.
			void upload.findPreviousUploads().then((previous) => {
				if (cancelled) return;
				const [last] = previous;
				if (last) upload.resumeFromPreviousUpload(last);
				upload.start();
			});
		});
	})();
	return {
		done,
		cancel() {
			cancelled = true;
			stop?.();
		}
	};
}

/** Starts an upload; resumable from LIMITS.resumableFromBytes. */
export function startUpload(target: StorageTarget, request: UploadRequest): UploadHandle {
	return request.blob.size > LIMITS.resumableFromBytes
		? resumable(target, request)
		: standard(target, request);
}
