// /realtime/v1 — Supabase Realtime (Phoenix protocol vsn 2.0.0 and 1.0.0): private channels authorized
// by RLS on realtime.messages, broadcast, presence, broadcasts from the database, and the HTTP
// broadcast API. The socket side lives in realtime/hub.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalbaseContext } from '../context.ts';
import { header, HttpError, readRawBody, send } from '../http.ts';
import { bearerOf, type Caller } from '../request-auth.ts';
import { authenticateToken, checkWrite, sessionAlive } from './authorization.ts';
import { namespaceOf, RealtimeHub } from './hub.ts';
import type { BroadcastMessage } from './protocol.ts';

export interface Realtime {
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
	/** `ctx` is the server's context for this route (its body limit). */
	handleHttp(ctx: LocalbaseContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
	/** Closes at once the channels and sockets of `userId` whose session has ended. */
	sessionsEnded(userId: string): void;
	close(): Promise<void>;
}

/** The NOTIFY channel platform.sql's trigger on realtime.messages sends to after commit. */
const notifyChannel = 'localbase_realtime';

/**
 * A broadcast from the database with this event says "who may use this topic has changed":
 * after delivering it, localbase checks read access again for every private channel joined to
 * the topic and closes those that lost it. Hosted Realtime has no such re-check (it checks at
 * join and on a new access token); there the broadcast is delivered like any other.
 */
export const accessChangedEvent = 'access_changed';

interface Notification {
	id: string;
	topic?: string;
	event?: string;
	private?: boolean;
	payload?: unknown;
	inserted_at?: string;
}

function parseNotification(text: string): Notification | undefined {
	try {
		const value = JSON.parse(text) as Notification;
		return typeof value === 'object' && value !== null && typeof value.id === 'string' ? value : undefined;
	} catch {
		return undefined;
	}
}

export async function createRealtime(ctx: LocalbaseContext): Promise<Realtime> {
	const { config, db } = ctx;
	const hub = new RealtimeHub(config, db);

	// Database broadcasts are delivered in commit order; a large one is read back by id first.
	let deliveries = Promise.resolve();
	const deliver = async (note: Notification) => {
		let row = note;
		if (note.payload === undefined) {
			const { rows } = await db.query<Notification>(
				'select id, topic, event, private, payload from realtime.messages where id = $1',
				[note.id]
			);
			if (!rows[0]) return;
			row = rows[0];
		}
		if (typeof row.topic !== 'string' || typeof row.event !== 'string') return;
		hub.publish(row.private === true, row.topic, {
			event: row.event,
			json: row.payload,
			binary: false,
			meta: { id: row.id },
			wire: 'binary'
		});
		// Awaited: nothing later in the stream reaches a channel that has just lost this topic.
		if (row.private === true && row.event === accessChangedEvent) await hub.recheckTopic(row.topic);
	};
	const unlisten = await db.listen(
		notifyChannel,
		(text) => {
			const note = parseNotification(text);
			if (!note) {
				// Only something other than platform.sql's trigger can send this; there is nobody to answer.
				console.warn(`[localbase] ignored a malformed ${notifyChannel} notification`);
				return;
			}
			deliveries = deliveries
				.then(() => deliver(note))
				.catch((err: unknown) => {
					// The message is lost to its subscribers: make them rejoin so they refetch what they missed.
					console.error(`[localbase] realtime could not deliver database message ${note.id}:`, err);
					hub.resync(
						typeof note.topic === 'string' ? namespaceOf(note.private === true, note.topic) : undefined
					);
				});
		},
		{
			// LISTEN was down for a while and what the database sent meanwhile is gone: every channel
			// gets phx_error, so its client rejoins and (as Spotter's clients do after any
			// resubscribe) fetches what it missed from the database. LISTEN is back before the
			// rejoins, so nothing sent after them is missed.
			onReconnect: () => hub.resync()
		}
	);

	return {
		handleUpgrade: (req, socket, head) => hub.handleUpgrade(req, socket, head),
		handleHttp: (routeCtx, req, res, url) => handleHttp(routeCtx, hub, req, res, url),
		sessionsEnded: (userId) => hub.sessionsEnded(userId),
		close: async () => {
			await unlisten();
			await hub.close();
			await deliveries;
		}
	};
}

// -------------------------------------------------------------------------------------------------
// HTTP broadcast API: POST /api/broadcast and /api/broadcast/<topic>/events/<event>
// -------------------------------------------------------------------------------------------------

const unauthorized = () => new HttpError(401, { message: 'Unauthorized' });

async function callerOf(ctx: LocalbaseContext, req: IncomingMessage): Promise<Caller> {
	const token = bearerOf(header(req, 'apikey'), header(req, 'authorization'), ctx.config);
	if (!token) throw unauthorized();
	const check = authenticateToken(token, ctx.config);
	if (!check.ok) throw unauthorized();
	if (!(await sessionAlive(ctx.db, check.caller))) throw unauthorized();
	return check.caller;
}

function xHeaders(req: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (name.startsWith('x-') && typeof value === 'string') headers[name] = value;
	}
	return headers;
}

/** The body, as Realtime's API answers an oversized one: 413 with a `message`. */
async function readBodyOf(req: IncomingMessage, limit: number): Promise<Buffer> {
	try {
		return await readRawBody(req, limit);
	} catch (err) {
		if (err instanceof HttpError && err.status === 413) throw new HttpError(413, { message: err.message });
		throw err;
	}
}

function parseJsonBody(body: Buffer): unknown {
	try {
		return JSON.parse(body.toString('utf8'));
	} catch {
		throw new HttpError(400, { message: 'Request body is not valid JSON' });
	}
}

async function handleHttp(
	ctx: LocalbaseContext,
	hub: RealtimeHub,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	const path = url.pathname.slice('/realtime/v1'.length);
	const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
	if (path !== '/api/broadcast' && !single) {
		return send(res, 404, {
			message:
				`localbase Realtime does not serve ${url.pathname} (supported: the /realtime/v1/websocket socket, ` +
				'POST /realtime/v1/api/broadcast and POST /realtime/v1/api/broadcast/<topic>/events/<event>)'
		});
	}
	if (req.method !== 'POST') return send(res, 405, { message: `${req.method} is not allowed; use POST` });
	const caller = await callerOf(ctx, req);
	if (single) return broadcastOne(ctx, hub, req, res, url, caller, single[1], single[2]);
	return broadcastBatch(ctx, hub, req, res, caller);
}

interface BatchMessage {
	topic: string;
	event: string;
	payload: Record<string, unknown>;
	private: boolean;
	id?: string;
}

/** Validates like Realtime's BatchBroadcast changeset; errors come back as 422 {errors:{messages:[…]}}. */
function validateBatch(body: unknown): BatchMessage[] {
	const messages = (body as { messages?: unknown } | null)?.messages;
	if (!Array.isArray(messages) || messages.length === 0) {
		throw new HttpError(422, { errors: { messages: ["can't be blank"] } });
	}
	let valid = true;
	const errors = messages.map((m) => {
		const message = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
		const problems: Record<string, string[]> = {};
		for (const field of ['topic', 'event'] as const) {
			if (typeof message[field] !== 'string' || message[field] === '') problems[field] = ["can't be blank"];
		}
		const payload = message.payload;
		if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
			problems.payload = [payload === undefined || payload === null ? "can't be blank" : 'is invalid'];
		}
		if (message.private !== undefined && message.private !== null && typeof message.private !== 'boolean') {
			problems.private = ['is invalid'];
		}
		if (Object.keys(problems).length > 0) valid = false;
		return problems;
	});
	if (!valid) throw new HttpError(422, { errors: { messages: errors } });
	return messages.map((m) => ({
		topic: m.topic,
		event: m.event,
		payload: m.payload,
		private: m.private === true,
		...(typeof m.id === 'string' || typeof m.id === 'number' ? { id: String(m.id) } : {})
	}));
}

async function broadcastBatch(
	ctx: LocalbaseContext,
	hub: RealtimeHub,
	req: IncomingMessage,
	res: ServerResponse,
	caller: Caller
): Promise<void> {
	const messages = validateBatch(parseJsonBody(await readBodyOf(req, ctx.config.maxBodyBytes)));
	const asMessage = (m: BatchMessage): BroadcastMessage => ({
		event: m.event,
		json: m.payload,
		binary: false,
		...(m.id !== undefined ? { meta: { id: m.id } } : {}),
		wire: 'text'
	});
	const allowedByTopic = new Map<string, boolean>();
	for (const m of messages) {
		if (m.private) {
			// One write probe per private topic; a topic the caller may not write to is dropped silently.
			let allowed = allowedByTopic.get(m.topic);
			if (allowed === undefined) {
				allowed = (await checkWrite(ctx.db, { caller, topic: m.topic, headers: xHeaders(req) })).broadcast;
				allowedByTopic.set(m.topic, allowed);
			}
			if (!allowed) continue;
		}
		hub.publish(m.private, m.topic, asMessage(m));
	}
	send(res, 202);
}

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw new HttpError(400, { message: `Malformed URL segment: ${segment}` });
	}
}

async function broadcastOne(
	ctx: LocalbaseContext,
	hub: RealtimeHub,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL,
	caller: Caller,
	rawTopic: string,
	rawEvent: string
): Promise<void> {
	const topic = decodeSegment(rawTopic);
	const event = decodeSegment(rawEvent);
	const contentType = (header(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (
		contentType !== '' &&
		contentType !== 'application/json' &&
		contentType !== 'application/octet-stream'
	) {
		return send(res, 415, {
			error: 'Unsupported Media Type. Use application/json or application/octet-stream'
		});
	}
	const body = await readBodyOf(req, ctx.config.maxBodyBytes);
	const binary = contentType === 'application/octet-stream';
	const message: BroadcastMessage = binary
		? { event, bytes: body, binary: true, wire: 'binary' }
		: { event, json: parseJsonBody(body), binary: false, wire: 'binary' };
	if (!binary && message.json === null) {
		throw new HttpError(422, { errors: { payload: ["can't be blank"] } });
	}
	const isPrivate = url.searchParams.get('private') === 'true';
	if (isPrivate) {
		const write = await checkWrite(ctx.db, { caller, topic, headers: xHeaders(req) });
		if (!write.broadcast) return send(res, 403, { message: 'Unauthorized' });
	}
	hub.publish(isPrivate, topic, message);
	send(res, 202);
}
