// /realtime/v1 — Supabase Realtime (Phoenix protocol vsn 2.0.0): private channels authorized by
// RLS on realtime.messages, broadcast, presence, and broadcasts from the database.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { send } from './http.ts';
import type { LocalbaseContext } from './server.ts';

export interface Realtime {
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
	handleHttp(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
	close(): Promise<void>;
}

export async function createRealtime(_ctx: LocalbaseContext): Promise<Realtime> {
	return {
		handleUpgrade: (_req, socket) => {
			socket.end('HTTP/1.1 501 Not Implemented\r\nConnection: close\r\n\r\n');
		},
		handleHttp: async (_req, res, url) => {
			send(res, 501, { message: `localbase: ${url.pathname} is not implemented yet` });
		},
		close: async () => {}
	};
}
