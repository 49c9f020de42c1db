// /rest/v1 — PostgREST over the public schema, each request one transaction as the caller.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http.ts';
import type { LocalbaseContext } from './server.ts';

export async function handleRest(
	_ctx: LocalbaseContext,
	_req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	send(res, 501, { code: 'PGRST000', message: `localbase: ${url.pathname} is not implemented yet` });
}
