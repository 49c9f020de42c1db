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

/** Reads the whole body, refusing more than `limit` bytes with 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > limit) {
			reject(new HttpError(413, { code: 'PGRST413', message: `Request body exceeds ${limit} bytes` }));
			req.resume();
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new HttpError(413, { code: 'PGRST413', message: `Request body exceeds ${limit} bytes` }));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		// A client that disconnects mid-body ends the request here, before any transaction opens.
		const aborted = () => new HttpError(400, { code: 'PGRST000', message: 'Client closed the request' });
		req.on('error', () => reject(aborted()));
		req.on('close', () => {
			if (!req.complete) reject(aborted());
		});
	});
}

export function header(req: IncomingMessage, name: string): string | undefined {
	const v = req.headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}
