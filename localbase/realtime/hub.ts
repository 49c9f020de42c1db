// The Realtime socket server: connections, channels (join, leave, access_token), broadcast fan-out
// and presence, mirroring supabase/realtime's RealtimeChannel and its handlers.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { LocalbaseConfig } from '../config.ts';
import { isConnectionFailure, type Db } from '../../db/index.ts';
import { mapApiKey, type Caller } from '../request-auth.ts';
import {
	authenticateToken,
	checkRead,
	checkWrite,
	sessionAlive,
	sessionEndedMessage,
	type AuthContext,
	type Policies
} from './authorization.ts';
import {
	decodeInbound,
	encodeBroadcast,
	encodeFrame,
	FrameError,
	supportedVsns,
	type BroadcastMessage,
	type Frame,
	type Vsn
} from './protocol.ts';
import { PresenceRegistry, type PresenceDiff } from './presence.ts';

/** Phoenix closes a socket that has sent nothing (not even a heartbeat) for this long. */
const idleTimeoutMs = 60_000;
/** Realtime re-confirms a channel's token this often, and at its expiry. */
const confirmTokenMs = 5 * 60_000;
/** A receiver this far behind is dropped rather than buffered without bound. */
const maxBufferedBytes = 16 * 1024 * 1024;

export function namespaceOf(isPrivate: boolean, subTopic: string): string {
	return `${isPrivate ? 'private' : 'public'}:${subTopic}`;
}

class Connection {
	readonly presenceKey = randomUUID();
	readonly channels = new Map<string, Channel>();
	private readonly queues = new Map<string, Promise<void>>();
	lastSeen = Date.now();
	closed = false;

	constructor(
		readonly ws: WebSocket,
		readonly vsn: Vsn,
		/** The socket's apikey as a JWT (sb_ keys mapped), used when a join carries no user token. */
		readonly tenantToken: string,
		/** Who that token is (a user token when a client connects with one). */
		readonly tenantCaller: Caller,
		readonly headers: Record<string, string>
	) {}

	send(data: string | Buffer): void {
		if (this.ws.readyState !== WebSocket.OPEN) return;
		if (this.ws.bufferedAmount > maxBufferedBytes) {
			this.ws.terminate();
			return;
		}
		this.ws.send(data);
	}

	push(frame: Frame): void {
		this.send(encodeFrame(this.vsn, frame));
	}

	reply(request: Frame, status: 'ok' | 'error', response: Record<string, unknown>): void {
		this.push({
			joinRef: request.joinRef,
			ref: request.ref,
			topic: request.topic,
			event: 'phx_reply',
			payload: { status, response }
		});
	}

	/** Runs `task` after every earlier task for the same topic, as one Phoenix channel process would. */
	enqueue(topic: string, task: () => Promise<void>, onError: (err: unknown) => void): void {
		const previous = this.queues.get(topic) ?? Promise.resolve();
		const next = previous.then(task).catch(onError);
		this.queues.set(topic, next);
		void next.then(() => {
			if (this.queues.get(topic) === next) this.queues.delete(topic);
		});
	}
}

class Channel {
	policies: Policies = {};
	tracked = false;
	closed = false;
	/** Set while the database has said access to the topic changed and the read check runs again. */
	rechecking = false;
	confirmTimer: NodeJS.Timeout | undefined;

	constructor(
		readonly conn: Connection,
		readonly topic: string,
		readonly subTopic: string,
		readonly joinRef: string | null,
		readonly isPrivate: boolean,
		readonly selfBroadcast: boolean,
		readonly ack: boolean,
		readonly presenceKey: string,
		public presenceEnabled: boolean,
		public caller: Caller,
		public token: string
	) {}

	get namespace(): string {
		return namespaceOf(this.isPrivate, this.subTopic);
	}

	authContext(): AuthContext {
		return { caller: this.caller, topic: this.subTopic, headers: this.conn.headers };
	}

	push(event: string, payload: unknown, ref: string | null = null): void {
		this.conn.push({ joinRef: this.joinRef, ref, topic: this.topic, event, payload });
	}

	mayReadBroadcast(): boolean {
		return !this.isPrivate || (!this.rechecking && this.policies.broadcastRead === true);
	}

	mayReadPresence(): boolean {
		return !this.isPrivate || (!this.rechecking && this.policies.presenceRead === true);
	}
}

interface JoinConfig {
	selfBroadcast: boolean;
	ack: boolean;
	presenceKey: string;
	presenceEnabled: boolean;
	isPrivate: boolean;
	postgresChanges: unknown[];
	replay: boolean;
}

function asObject(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

function parseJoinConfig(payload: unknown): JoinConfig {
	const config = asObject(asObject(payload).config);
	const broadcast = asObject(config.broadcast);
	const presence = asObject(config.presence);
	return {
		selfBroadcast: broadcast.self === true,
		ack: broadcast.ack === true,
		presenceKey: typeof presence.key === 'string' ? presence.key : '',
		presenceEnabled: presence.enabled === true,
		isPrivate: config.private === true,
		postgresChanges: Array.isArray(config.postgres_changes) ? config.postgres_changes : [],
		replay: broadcast.replay !== undefined && broadcast.replay !== null
	};
}

function httpError(socket: Duplex, status: number, statusText: string, body: Record<string, unknown>): void {
	const text = JSON.stringify(body);
	socket.end(
		`HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\n` +
			`Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
	);
}

export class RealtimeHub {
	private readonly wss: WebSocketServer;
	private readonly connections = new Set<Connection>();
	private readonly namespaces = new Map<string, Set<Channel>>();
	private readonly presence = new PresenceRegistry();
	private readonly sweeper: NodeJS.Timeout;
	private closing = false;

	constructor(
		private readonly config: LocalbaseConfig,
		private readonly db: Db
	) {
		this.wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });
		this.sweeper = setInterval(() => this.closeIdleConnections(), idleTimeoutMs / 4);
		this.sweeper.unref();
	}

	get connectionCount(): number {
		return this.connections.size;
	}

	// ---------------------------------------------------------------------------------------------
	// Connections
	// ---------------------------------------------------------------------------------------------

	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const vsn = url.searchParams.get('vsn') ?? '1.0.0';
		if (!supportedVsns.includes(vsn as Vsn)) {
			return httpError(socket, 400, 'Bad Request', { error: `Unsupported serializer version (vsn): ${vsn}` });
		}
		const headerKey = req.headers['x-api-key'];
		const apikey = (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? url.searchParams.get('apikey');
		if (!apikey) return httpError(socket, 401, 'Unauthorized', { error: 'API key is missing' });
		const token = mapApiKey(apikey, this.config);
		const check = authenticateToken(token, this.config);
		if (!check.ok) {
			// The upgrade answers with Realtime's short messages (user_socket.ex error_response).
			const message = check.message.startsWith('Token has expired') ? 'Token has expired' : check.message;
			return httpError(socket, 401, 'Unauthorized', { error: message });
		}
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(req.headers)) {
			if (name.startsWith('x-') && typeof value === 'string') headers[name] = value;
		}
		const upgrade = () =>
			this.wss.handleUpgrade(req, socket, head, (ws) =>
				this.accept(ws, vsn as Vsn, token, check.caller, headers)
			);
		if (typeof check.caller.claims.session_id !== 'string') return upgrade();
		// A user token as the socket's key: its session must still exist (stricter than hosted, as joins are).
		sessionAlive(this.db, check.caller).then(
			(alive) => (alive ? upgrade() : httpError(socket, 401, 'Unauthorized', { error: sessionEndedMessage })),
			(err: unknown) => {
				console.error('[localbase] realtime could not check the session of a connecting socket:', err);
				httpError(socket, 503, 'Service Unavailable', {
					error: 'Realtime was unable to connect to the project database'
				});
			}
		);
	}

	private accept(
		ws: WebSocket,
		vsn: Vsn,
		tenantToken: string,
		tenantCaller: Caller,
		headers: Record<string, string>
	): void {
		if (this.closing) {
			ws.terminate();
			return;
		}
		const conn = new Connection(ws, vsn, tenantToken, tenantCaller, headers);
		this.connections.add(conn);
		ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
		// Oversized frames (maxPayload) and protocol violations arrive here; ws closes the socket itself.
		ws.on('error', () => ws.terminate());
		ws.on('close', () => this.dropConnection(conn));
	}

	private dropConnection(conn: Connection): void {
		if (conn.closed) return;
		conn.closed = true;
		this.connections.delete(conn);
		for (const channel of [...conn.channels.values()]) this.removeChannel(channel);
	}

	private closeIdleConnections(): void {
		const cutoff = Date.now() - idleTimeoutMs;
		for (const conn of this.connections) {
			if (conn.lastSeen < cutoff) conn.ws.close(1000, 'heartbeat timeout');
		}
	}

	private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
		conn.lastSeen = Date.now();
		const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
		let inbound;
		try {
			inbound = decodeInbound(buffer, isBinary, conn.vsn);
		} catch (err) {
			// Phoenix cannot answer a frame it cannot parse (there is no ref to reply to): it drops the socket.
			if (err instanceof FrameError) {
				conn.ws.close(isBinary && conn.vsn === '1.0.0' ? 1003 : 1007, err.message.slice(0, 120));
			} else {
				console.error('[localbase] realtime could not decode a frame:', err);
				conn.ws.close(1011, 'internal error');
			}
			return;
		}
		const { frame } = inbound;
		if (frame.topic === 'phoenix' && frame.event === 'heartbeat') {
			conn.reply(frame, 'ok', {});
			return;
		}
		const onError = (err: unknown) => this.channelCrashed(conn, frame.topic, err);
		if (inbound.kind === 'broadcast') {
			const message = inbound.message;
			conn.enqueue(frame.topic, () => this.onChannelMessage(conn, frame, message), onError);
		} else if (frame.event === 'phx_join') {
			conn.enqueue(
				frame.topic,
				() => this.join(conn, frame),
				(err) => {
					if (this.closing) return;
					console.error(`[localbase] realtime join of ${frame.topic} failed:`, err);
					conn.reply(frame, 'error', { reason: 'UnknownErrorOnChannel: Unknown Error on Channel' });
				}
			);
		} else if (frame.event === 'phx_leave') {
			conn.enqueue(frame.topic, async () => this.leave(conn, frame), onError);
		} else {
			conn.enqueue(frame.topic, () => this.onChannelMessage(conn, frame), onError);
		}
	}

	/** An unexpected failure inside a channel: like a crashed channel process, phx_error and gone. */
	private channelCrashed(conn: Connection, topic: string, err: unknown): void {
		if (this.closing) return;
		console.error(`[localbase] realtime channel ${topic} failed:`, err);
		const channel = conn.channels.get(topic);
		if (!channel) return;
		channel.push('phx_error', {}, channel.joinRef);
		this.removeChannel(channel);
	}

	// ---------------------------------------------------------------------------------------------
	// Join, leave, shutdown
	// ---------------------------------------------------------------------------------------------

	private async join(conn: Connection, frame: Frame): Promise<void> {
		const fail = (reason: string) => conn.reply(frame, 'error', { reason });
		if (frame.topic === 'realtime:') return fail('TopicNameRequired: You must provide a topic name');
		if (!frame.topic.startsWith('realtime:')) return fail('unmatched topic');
		const subTopic = frame.topic.slice('realtime:'.length);
		const config = parseJoinConfig(frame.payload);

		const existing = conn.channels.get(frame.topic);
		if (existing) {
			// Phoenix closes the old channel when the same topic is joined again on one socket.
			existing.push('phx_close', {}, existing.joinRef);
			this.removeChannel(existing);
		}

		if (config.postgresChanges.length > 0) {
			return fail(
				'UnsupportedFeature: localbase does not implement postgres_changes (per-subscriber RLS change ' +
					'data capture); broadcast from the database with realtime.send() or realtime.broadcast_changes() instead'
			);
		}
		if (config.replay) {
			return fail('UnsupportedFeature: localbase does not implement broadcast replay');
		}

		const payload = asObject(frame.payload);
		const offered = typeof payload.access_token === 'string' ? payload.access_token : payload.user_token;
		const token = typeof offered === 'string' && !offered.startsWith('sb_') ? offered : conn.tenantToken;
		const check = authenticateToken(token, this.config);
		if (!check.ok) return fail(`${check.code}: ${check.message}`);
		const caller = check.caller;

		const policies: Policies = {};
		if (config.isPrivate) {
			let read;
			try {
				read = await checkRead(
					this.db,
					{ caller, topic: subTopic, headers: conn.headers },
					{
						presence: config.presenceEnabled
					}
				);
			} catch (err) {
				if (this.closing) return;
				if (isConnectionFailure(err)) {
					// Not a refusal: the client retries the join (with backoff) and may succeed.
					console.warn(
						`[localbase] realtime read check for ${subTopic} lost the database:`,
						(err as Error).message
					);
					return fail('UnableToConnectToProject: Realtime was unable to connect to the project database');
				}
				// Realtime reports a failing policy (RlsPolicyError) to the client as a plain refusal.
				console.warn(`[localbase] realtime read check for ${subTopic} failed:`, (err as Error).message);
				return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`);
			}
			if (!read.ok) return fail(`InvalidJWTToken: ${sessionEndedMessage}`);
			if (!read.broadcast && !read.presence) {
				return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`);
			}
			policies.broadcastRead = read.broadcast;
			policies.presenceRead = read.presence;
		} else if (!(await sessionAlive(this.db, caller))) {
			return fail(`InvalidJWTToken: ${sessionEndedMessage}`);
		}
		if (conn.closed) return;

		const channel = new Channel(
			conn,
			frame.topic,
			subTopic,
			frame.joinRef ?? frame.ref,
			config.isPrivate,
			config.selfBroadcast,
			config.ack,
			config.presenceKey || conn.presenceKey,
			config.presenceEnabled,
			caller,
			token
		);
		channel.policies = policies;
		conn.channels.set(frame.topic, channel);
		let members = this.namespaces.get(channel.namespace);
		if (!members) this.namespaces.set(channel.namespace, (members = new Set()));
		members.add(channel);
		this.scheduleTokenConfirmation(channel);

		conn.reply(frame, 'ok', { postgres_changes: [] });
		if (channel.presenceEnabled && channel.mayReadPresence()) {
			channel.push('presence_state', this.presence.state(channel.namespace));
		}
	}

	private leave(conn: Connection, frame: Frame): void {
		conn.reply(frame, 'ok', {});
		const channel = conn.channels.get(frame.topic);
		if (!channel) return;
		channel.push('phx_close', {}, channel.joinRef);
		this.removeChannel(channel);
	}

	/** Realtime's shutdown_response: a system error naming the reason, then phx_close. */
	private shutdown(channel: Channel, message: string): void {
		if (channel.closed) return;
		channel.push('system', { extension: 'system', status: 'error', message, channel: channel.subTopic });
		channel.push('phx_close', {}, channel.joinRef);
		this.removeChannel(channel);
	}

	private removeChannel(channel: Channel): void {
		if (channel.closed) return;
		channel.closed = true;
		clearTimeout(channel.confirmTimer);
		const { conn } = channel;
		if (conn.channels.get(channel.topic) === channel) conn.channels.delete(channel.topic);
		const members = this.namespaces.get(channel.namespace);
		members?.delete(channel);
		if (members?.size === 0) this.namespaces.delete(channel.namespace);
		if (channel.tracked) {
			channel.tracked = false;
			const diff = this.presence.untrack(channel.namespace, channel);
			if (diff) this.sendPresenceDiff(channel.namespace, channel.topic, diff);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Token lifetime and access_token
	// ---------------------------------------------------------------------------------------------

	private scheduleTokenConfirmation(channel: Channel): void {
		clearTimeout(channel.confirmTimer);
		const exp = channel.caller.claims.exp;
		const untilExpiry = typeof exp === 'number' ? exp * 1000 - Date.now() : confirmTokenMs;
		const delay = Math.max(0, Math.min(confirmTokenMs, untilExpiry + 1000));
		channel.confirmTimer = setTimeout(() => {
			channel.conn.enqueue(
				channel.topic,
				() => this.confirmToken(channel),
				(err) => this.channelCrashed(channel.conn, channel.topic, err)
			);
		}, delay);
		channel.confirmTimer.unref();
	}

	/** Realtime's periodic confirm_token; localbase also ends the channel when the session has ended. */
	private async confirmToken(channel: Channel): Promise<void> {
		if (channel.closed) return;
		const check = authenticateToken(channel.token, this.config);
		if (!check.ok) return this.shutdown(channel, check.message);
		if (!(await sessionAlive(this.db, channel.caller))) return this.shutdown(channel, sessionEndedMessage);
		this.scheduleTokenConfirmation(channel);
	}

	private async accessToken(channel: Channel, payload: unknown): Promise<void> {
		const next = asObject(payload).access_token;
		if (typeof next !== 'string' || next.startsWith('sb_') || next === channel.token) {
			// Hosted Realtime ignores these (supabase-js sends the API key on sign-out). localbase still
			// re-checks the current token's session, so signing out closes the user's channels at once.
			if (!(await sessionAlive(this.db, channel.caller))) this.shutdown(channel, sessionEndedMessage);
			return;
		}
		const check = authenticateToken(next, this.config);
		if (!check.ok) return this.shutdown(channel, check.message);
		const caller = check.caller;
		const previous = channel.policies;
		let policies: Policies = {};
		if (channel.isPrivate) {
			const read = await checkRead(
				this.db,
				{ caller, topic: channel.subTopic, headers: channel.conn.headers },
				{
					presence: channel.presenceEnabled
				}
			);
			if (channel.closed) return;
			if (!read.ok) return this.shutdown(channel, sessionEndedMessage);
			if (!read.broadcast && !read.presence) {
				return this.shutdown(
					channel,
					`You do not have permissions to read from this Channel topic: ${channel.subTopic}`
				);
			}
			const revoked =
				(previous.broadcastRead === true && !read.broadcast) ||
				(previous.presenceRead === true && read.presence === false);
			if (revoked) {
				return this.shutdown(
					channel,
					`You no longer have permission to read from this Channel topic: ${channel.subTopic}`
				);
			}
			policies = { broadcastRead: read.broadcast, presenceRead: read.presence };
		} else if (!(await sessionAlive(this.db, caller))) {
			return this.shutdown(channel, sessionEndedMessage);
		}
		if (channel.closed) return;
		channel.caller = caller;
		channel.token = next;
		channel.policies = policies;
		this.scheduleTokenConfirmation(channel);
	}

	// ---------------------------------------------------------------------------------------------
	// Access changed (a database broadcast said so) and sessions ended (auth said so)
	// ---------------------------------------------------------------------------------------------

	/**
	 * Runs the read check again for every private channel joined to `subTopic` and closes those that
	 * lost read access, as `access_token` does for one channel. Until its check is done a channel
	 * receives nothing on the topic, and its cached write permissions are dropped (probed again at
	 * the next broadcast or track).
	 */
	async recheckTopic(subTopic: string): Promise<void> {
		const members = [...(this.namespaces.get(namespaceOf(true, subTopic)) ?? [])];
		for (const channel of members) {
			channel.rechecking = true;
			channel.policies.broadcastWrite = undefined;
			channel.policies.presenceWrite = undefined;
		}
		await Promise.all(
			members.map(
				(channel) =>
					new Promise<void>((resolve) => {
						channel.conn.enqueue(
							channel.topic,
							async () => {
								await this.recheck(channel);
								resolve();
							},
							(err) => {
								this.channelCrashed(channel.conn, channel.topic, err);
								resolve();
							}
						);
					})
			)
		);
	}

	private async recheck(channel: Channel): Promise<void> {
		if (channel.closed) return;
		try {
			const read = await checkRead(this.db, channel.authContext(), { presence: channel.presenceEnabled });
			if (channel.closed) return;
			if (!read.ok) return this.shutdown(channel, sessionEndedMessage);
			if (!read.broadcast && !read.presence) {
				return this.shutdown(
					channel,
					`You no longer have permission to read from this Channel topic: ${channel.subTopic}`
				);
			}
			channel.policies.broadcastRead = read.broadcast;
			channel.policies.presenceRead = read.presence;
			if (channel.tracked && read.presence === false) {
				channel.tracked = false;
				const diff = this.presence.untrack(channel.namespace, channel);
				if (diff) this.sendPresenceDiff(channel.namespace, channel.topic, diff);
			}
		} finally {
			channel.rechecking = false;
		}
	}

	/**
	 * Sessions of `userId` ended: every channel acting for one of them is closed with Realtime's
	 * shutdown frames, and every socket connected with such a session's token is closed.
	 */
	sessionsEnded(userId: string): void {
		if (this.closing) return;
		const bySession = new Map<string, { caller: Caller; channels: Channel[]; sockets: Connection[] }>();
		const entry = (caller: Caller) => {
			const sessionId = caller.claims.session_id;
			if (caller.claims.sub !== userId || typeof sessionId !== 'string') return undefined;
			let e = bySession.get(sessionId);
			if (!e) bySession.set(sessionId, (e = { caller, channels: [], sockets: [] }));
			return e;
		};
		for (const conn of this.connections) {
			entry(conn.tenantCaller)?.sockets.push(conn);
			for (const channel of conn.channels.values()) entry(channel.caller)?.channels.push(channel);
		}
		for (const { caller, channels, sockets } of bySession.values()) {
			sessionAlive(this.db, caller).then(
				(alive) => {
					if (alive) return;
					for (const channel of channels) this.shutdown(channel, sessionEndedMessage);
					for (const conn of sockets) conn.ws.close(1008, 'session ended');
				},
				(err: unknown) => {
					// The periodic token check closes them later; say why it could not be now.
					console.error('[localbase] realtime could not check ended sessions:', err);
				}
			);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Messages inside a joined channel
	// ---------------------------------------------------------------------------------------------

	private async onChannelMessage(
		conn: Connection,
		frame: Frame,
		broadcast?: BroadcastMessage
	): Promise<void> {
		const channel = conn.channels.get(frame.topic);
		if (!channel) {
			// Phoenix answers any push to a topic this socket has not joined.
			if (frame.ref !== null) conn.reply(frame, 'error', { reason: 'unmatched topic' });
			return;
		}
		// A push from an earlier join of this topic (the client rejoined since) is stale.
		if (frame.joinRef !== null && frame.joinRef !== channel.joinRef) return;
		if (broadcast) return this.broadcastFromClient(channel, frame, broadcast);
		switch (frame.event) {
			case 'broadcast': {
				const payload = asObject(frame.payload);
				if (typeof payload.event !== 'string') return;
				return this.broadcastFromClient(channel, frame, {
					event: payload.event,
					json: payload.payload,
					binary: false,
					wire: 'text'
				});
			}
			case 'presence':
				return this.presenceFromClient(channel, frame);
			case 'access_token':
				return this.accessToken(channel, frame.payload);
			default:
				// Realtime ignores events it does not know (it only logs them at info level).
				return;
		}
	}

	private async broadcastFromClient(
		channel: Channel,
		frame: Frame,
		message: BroadcastMessage
	): Promise<void> {
		if (channel.isPrivate) {
			if (channel.policies.broadcastWrite === undefined) {
				const write = await checkWrite(this.db, channel.authContext());
				if (channel.closed) return;
				channel.policies.broadcastWrite = write.broadcast;
				channel.policies.presenceWrite = write.presence;
			}
			// Denied broadcasts are dropped without a reply, as Realtime does: an ack-waiting sender times out.
			if (!channel.policies.broadcastWrite) return;
		}
		this.fanOut(channel.namespace, channel.topic, message, channel.selfBroadcast ? undefined : channel);
		if (channel.ack) channel.conn.reply(frame, 'ok', {});
	}

	private async presenceFromClient(channel: Channel, frame: Frame): Promise<void> {
		const payload = asObject(frame.payload);
		if (typeof payload.event !== 'string') return channel.conn.reply(frame, 'ok', {});
		const event = payload.event.toLowerCase();
		if (event === 'untrack') {
			if (channel.tracked) {
				channel.tracked = false;
				const diff = this.presence.untrack(channel.namespace, channel);
				if (diff) this.sendPresenceDiff(channel.namespace, channel.topic, diff);
			}
			return channel.conn.reply(frame, 'ok', {});
		}
		if (event !== 'track') return channel.conn.reply(frame, 'error', {});
		if (channel.isPrivate && channel.policies.presenceWrite === undefined) {
			// Presence may be switched on by this track: authorize presence read now if the join skipped it.
			if (channel.policies.presenceRead === undefined) {
				const read = await checkRead(this.db, channel.authContext(), { presence: true });
				if (channel.closed) return;
				if (!read.ok) return this.shutdown(channel, sessionEndedMessage);
				channel.policies.presenceRead = read.presence;
			}
			const write = await checkWrite(this.db, channel.authContext());
			if (channel.closed) return;
			channel.policies.broadcastWrite ??= write.broadcast;
			channel.policies.presenceWrite = write.presence;
		}
		if (channel.isPrivate && !channel.policies.presenceWrite) return channel.conn.reply(frame, 'error', {});
		const meta = payload.payload ?? {};
		if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
			return channel.conn.reply(frame, 'error', { reason: 'Presence track payload must be a map' });
		}
		const diff = this.presence.track(
			channel.namespace,
			channel,
			channel.presenceKey,
			meta as Record<string, unknown>
		);
		channel.tracked = true;
		channel.presenceEnabled = true;
		if (diff) this.sendPresenceDiff(channel.namespace, channel.topic, diff);
		channel.conn.reply(frame, 'ok', {});
	}

	private sendPresenceDiff(namespace: string, topic: string, diff: PresenceDiff): void {
		const frames = new Map<Vsn, string>();
		for (const member of this.namespaces.get(namespace) ?? []) {
			if (!member.mayReadPresence()) continue;
			let data = frames.get(member.conn.vsn);
			if (data === undefined) {
				data = encodeFrame(member.conn.vsn, {
					joinRef: null,
					ref: null,
					topic,
					event: 'presence_diff',
					payload: diff
				});
				frames.set(member.conn.vsn, data);
			}
			member.conn.send(data);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Fan-out (socket, database and HTTP broadcasts)
	// ---------------------------------------------------------------------------------------------

	/** Delivers `message` to every channel joined to `namespace` that may read broadcasts; returns how many. */
	fanOut(namespace: string, topic: string, message: BroadcastMessage, except?: Channel): number {
		const frames = new Map<Vsn, string | Buffer | null>();
		let delivered = 0;
		for (const member of this.namespaces.get(namespace) ?? []) {
			if (member === except || !member.mayReadBroadcast()) continue;
			let data = frames.get(member.conn.vsn);
			if (data === undefined) {
				data = encodeBroadcast(member.conn.vsn, topic, message);
				frames.set(member.conn.vsn, data);
			}
			if (data === null) continue;
			member.conn.send(data);
			delivered++;
		}
		return delivered;
	}

	/** Fan-out by channel name, as the database and the HTTP API address topics. */
	publish(isPrivate: boolean, subTopic: string, message: BroadcastMessage): number {
		return this.fanOut(namespaceOf(isPrivate, subTopic), `realtime:${subTopic}`, message);
	}

	/**
	 * After a database message could not be delivered: every affected channel gets phx_error, so its
	 * client rejoins and (as Spotter's clients do after any resubscribe) refetches from the database.
	 */
	resync(namespace?: string): void {
		if (this.closing) return;
		const channels = namespace
			? [...(this.namespaces.get(namespace) ?? [])]
			: [...this.namespaces.values()].flatMap((members) => [...members]);
		for (const channel of channels) {
			channel.push('phx_error', {}, channel.joinRef);
			this.removeChannel(channel);
		}
	}

	async close(): Promise<void> {
		this.closing = true;
		clearInterval(this.sweeper);
		for (const conn of [...this.connections]) {
			for (const channel of conn.channels.values()) clearTimeout(channel.confirmTimer);
			conn.ws.terminate();
			this.dropConnection(conn);
		}
		await new Promise<void>((resolve) => this.wss.close(() => resolve()));
	}
}
