// Writing storage responses: JSON and error bodies with CORS headers that let a browser send the
// storage headers (x-upsert, x-metadata, the tus headers) and read the ones a download answers with.
import type { ServerResponse } from 'node:http';
import { corsHeaders, send } from '../http.ts';
import { toStorageError } from './errors.ts';

export const storageCorsHeaders: Record<string, string> = {
	...corsHeaders,
	'access-control-allow-headers': [
		corsHeaders['access-control-allow-headers'],
		'x-upsert, x-metadata, cache-control, content-length, content-disposition, content-encoding',
		'if-none-match, if-modified-since, x-signature, x-robots-tag',
		'tus-resumable, upload-length, upload-metadata, upload-offset, upload-defer-length, upload-concat'
	].join(', '),
	'access-control-expose-headers': [
		corsHeaders['access-control-expose-headers'],
		'content-length, content-type, content-disposition, etag, last-modified, cache-control, accept-ranges',
		'location, tus-resumable, tus-version, tus-extension, tus-max-size, upload-offset, upload-length',
		'upload-metadata, upload-expires, tus-complete, x-robots-tag, expires'
	].join(', ')
};

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {}
): void {
	send(res, status, JSON.stringify(body), {
		...storageCorsHeaders,
		'content-type': 'application/json; charset=utf-8',
		...headers
	});
}

export function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
	const e = toStorageError(err);
	sendJson(res, e.status, e.body(), headers);
}
