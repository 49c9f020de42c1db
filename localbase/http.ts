// Small HTTP helpers shared by the auth, rest and realtime handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: Record<string, unknown>,
		readonly headers: Record<string, string> = {}
	) {
		super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
	}
}

export const corsHeaders: Record<string, string> = {
	'access-control-allow-origin': '*',
	'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
	'access-control-allow-headers':
		'authorization, apikey, x-client-info, content-type, accept, accept-profile, content-profile, prefer, range, x-supabase-api-version, x-retry-count',
	'access-control-expose-headers': 'content-range, content-location, x-supabase-api-version, x-sb-error-code',
	'access-control-max-age': '86400'
};

export function send(
	res: ServerResponse,
	status: number,
	body?: unknown,
	headers: Record<string, string> = {}
): void {
	if (res.headersSent || res.destroyed) return;
	const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, {
		...corsHeaders,
		...(payload !== undefined && !headers['content-type']
			? { 'content-type': 'application/json; charset=utf-8' }
			: {}),
		...headers
	});
	res.end(payload);
}

/** Reads the whole body as UTF-8 text, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
	return (await readRawBody(req, limit)).toString('utf8');
}

/**
 * Reads the whole body as bytes (binary payloads must not go through a UTF-8 decode), refusing
 * more than `limit` bytes with 413. The refusal is an answer, not a reset: the rest of an
 * oversized body is read and dropped, so a client still sending it (a chunked body, a browser
 * upload) finishes and reads the 413 instead of seeing its connection cut. Node's requestTimeout
 * ends a client that never stops sending.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const tooLarge = () =>
			new HttpError(413, { code: 'PGRST413', message: `Request body exceeds ${limit} bytes` });
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > limit) {
			reject(tooLarge());
			req.resume();
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		let over = false;
		req.on('data', (chunk: Buffer) => {
			if (over) return;
			size += chunk.length;
			if (size > limit) {
				over = true;
				chunks.length = 0;
				reject(tooLarge());
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => {
			if (!over) resolve(Buffer.concat(chunks));
		});
		// A client that disconnects mid-body ends the request here, before any transaction opens.
		const aborted = () => new HttpError(400, { code: 'PGRST000', message: 'Client closed the request' });
		req.on('error', () => reject(aborted()));
		req.on('close', () => {
			if (!req.complete) reject(aborted());
		});
	});
}

/** The body limit for a path: the longest matching prefix of `bodyLimits`, else `maxBodyBytes`. */
export function bodyLimitFor(
	config: { maxBodyBytes: number; bodyLimits: Record<string, number> },
	pathname: string
): number {
	let best: string | undefined;
	for (const prefix of Object.keys(config.bodyLimits)) {
		if (pathname.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
	}
	return best === undefined ? config.maxBodyBytes : config.bodyLimits[best];
}

export function header(req: IncomingMessage, name: string): string | undefined {
	const v = req.headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}
