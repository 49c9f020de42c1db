// /auth/v1 — Supabase Auth (GoTrue) over auth.users and auth.sessions.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http.ts';
import type { LocalbaseContext } from './server.ts';

export async function handleAuth(
	_ctx: LocalbaseContext,
	_req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	send(res, 501, { code: 'not_implemented', message: `localbase: ${url.pathname} is not implemented yet` });
}
