// Section 5: delivery through localbase, as the app sees it. localbase runs in a child process
// (bench/realtime-server.ts) on its own scratch database; the clients here are the official
// supabase-js / realtime-js over the ws transport.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	createClient,
	RealtimeClient,
	type RealtimeChannel,
	type SupabaseClient
} from '@supabase/supabase-js';
import WebSocket from 'ws';
import { Child } from './lib/child.ts';
import { nowMs, pool, sleep, summarize } from './lib/stats.ts';
import type { FromServer, ServerPair, ServerUser, ToServer } from './realtime-server.ts';
import type { Row } from './report.ts';

export interface RealtimeOptions {
	/** Conversations messages are spread over; two connected clients each. */
	pairs: number;
	/** Messages per second, open loop. */
	rate: number;
	seconds: number;
	rpcConcurrency: number;
	rpcSeconds: number;
	sockets: number;
	socketConcurrency: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const section = '5 realtime through localbase';

type Server = Child<FromServer, ToServer>;

function clientFor(url: string, key: string, user: ServerUser): SupabaseClient {
	const client = createClient(url, key, {
		realtime: { transport: WebSocket as never },
		auth: { autoRefreshToken: false, persistSession: false },
		global: { headers: { Authorization: `Bearer ${user.token}` } }
	});
	void client.realtime.setAuth(user.token);
	return client;
}

function subscribed(channel: RealtimeChannel, timeoutMs = 15_000): Promise<void> {
	return new Promise((resolve, reject) => {
		channel.subscribe((status, err) => {
			if (status === 'SUBSCRIBED') resolve();
			else reject(new Error(`${channel.topic}: ${status}${err ? ` (${err.message})` : ''}`));
		}, timeoutMs);
	});
}

interface Pending {
	sentAt: number;
	recipient: string;
	deliveredAt?: number;
}

/**
 * Open loop at `rate`/s for `seconds`: message k goes to conversation k mod pairs, alternately from
 * the trainee and the trainer. Returns the send → recipient-callback latencies and what was lost.
 */
async function openLoop(
	o: RealtimeOptions,
	pending: Map<string, Pending>,
	send: (k: number, id: string) => { recipient: string; done: PromiseLike<void> }
): Promise<{ latencies: number[]; lost: number; achievedRate: number }> {
	const total = Math.round(o.rate * o.seconds);
	const interval = 1000 / o.rate;
	const done: PromiseLike<void>[] = [];
	const start = nowMs();
	for (let k = 0; k < total; k++) {
		const wait = start + k * interval - nowMs();
		if (wait > 0) await sleep(wait);
		const id = randomUUID();
		const entry: Pending = { sentAt: nowMs(), recipient: '' };
		pending.set(id, entry);
		const sent = send(k, id);
		entry.recipient = sent.recipient;
		done.push(sent.done);
	}
	const achievedRate = total / ((nowMs() - start) / 1000);
	await Promise.all(done);
	const deadline = nowMs() + 5000;
	while (nowMs() < deadline && [...pending.values()].some((p) => p.deliveredAt === undefined))
		await sleep(20);
	const latencies = [...pending.values()]
		.filter((p) => p.deliveredAt !== undefined)
		.map((p) => p.deliveredAt! - p.sentAt);
	return { latencies, lost: total - latencies.length, achievedRate };
}

export async function realtimeBenchmarks(
	serverUrl: string | undefined,
	o: RealtimeOptions,
	log: (line: string) => void
): Promise<Row[]> {
	const server: Server = new Child('localbase child', path.join(here, 'realtime-server.ts'), {
		args: [JSON.stringify({ pairs: o.pairs, sockets: o.sockets })],
		env: { ...process.env, DATABASE_URL: serverUrl ?? '' },
		nodeFlags: ['--expose-gc']
	});
	const clients: SupabaseClient[] = [];
	const sockets: RealtimeClient[] = [];
	try {
		const ready = await server.next('ready', 180_000);
		log(`  localbase at ${ready.url} on ${ready.backend} (child process ${server.process.pid})`);
		const rows: Row[] = [];
		rows.push(...(await delivery(ready, o, clients, log)));
		rows.push(...(await socketsJoined(ready, o, server, sockets, log)));
		return rows;
	} finally {
		await pool(
			clients.map((c) => async () => {
				// Leaves every channel, then disconnects the socket.
				await c.removeAllChannels();
			}),
			50
		);
		await pool(
			sockets.map((s) => async () => {
				await s.removeAllChannels();
			}),
			50
		);
		await server.stop(15_000);
	}
}

async function delivery(
	ready: Extract<FromServer, { type: 'ready' }>,
	o: RealtimeOptions,
	clients: SupabaseClient[],
	log: (line: string) => void
): Promise<Row[]> {
	const { url, key } = ready;
	const pending = new Map<string, Pending>();
	const floorPending = new Map<string, Pending>();
	const onReceive = (map: Map<string, Pending>, receiver: string, id: unknown) => {
		const entry = typeof id === 'string' ? map.get(id) : undefined;
		if (entry && entry.recipient === receiver && entry.deliveredAt === undefined) entry.deliveredAt = nowMs();
	};

	// Every client as the app would be: its inbox topic and the open conversation's topic (private),
	// plus a public topic per pair for the no-database floor.
	interface Side {
		user: ServerUser;
		client: SupabaseClient;
		floor?: RealtimeChannel;
	}
	const sides: { pair: ServerPair; trainer: Side; trainee: Side }[] = ready.pairs.map((pair) => {
		const side = (user: ServerUser): Side => {
			const client = clientFor(url, key, user);
			clients.push(client);
			return { user, client };
		};
		return { pair, trainer: side(pair.trainer), trainee: side(pair.trainee) };
	});
	const joinStart = nowMs();
	await pool(
		sides.flatMap(({ pair, trainer, trainee }, i) =>
			[trainer, trainee].map((s) => async () => {
				const conversation = s.client
					.channel(`conversation:${pair.conversationId}`, { config: { private: true } })
					.on('broadcast', { event: 'message_created' }, (m) =>
						onReceive(pending, s.user.id, (m.payload as { message?: { id?: unknown } }).message?.id)
					);
				const inbox = s.client.channel(`user:${s.user.id}`, { config: { private: true } });
				s.floor = s.client
					.channel(`floor:${i}`, { config: { private: false } })
					.on('broadcast', { event: 'ping' }, (m) => onReceive(floorPending, s.user.id, m.payload?.id));
				await Promise.all([subscribed(conversation), subscribed(inbox), subscribed(s.floor)]);
			})
		),
		o.socketConcurrency
	);
	log(
		`  ${clients.length} clients joined ${clients.length * 3} channels in ${((nowMs() - joinStart) / 1000).toFixed(1)} s`
	);

	// Warm-up: one message per conversation, not measured.
	await pool(
		sides.map(({ pair, trainer }) => async () => {
			const { error } = await trainer.client.rpc('send_message', {
				recipient_id: pair.trainee.id,
				body: 'warm-up',
				message_id: randomUUID()
			});
			if (error) throw new Error(`warm-up send_message failed: ${error.message}`);
		}),
		10
	);
	await sleep(500);

	const rpcLatencies: number[] = [];
	const errors: string[] = [];
	const db = await openLoop(o, pending, (k, id) => {
		const s = sides[k % sides.length];
		const [from, to] =
			Math.floor(k / sides.length) % 2 === 0 ? [s.trainee, s.trainer] : [s.trainer, s.trainee];
		const start = nowMs();
		const done = from.client
			.rpc('send_message', { recipient_id: to.user.id, body: `benchmark message ${k}`, message_id: id })
			.then(({ error }) => {
				rpcLatencies.push(nowMs() - start);
				if (error) errors.push(error.message);
			});
		return { recipient: to.user.id, done };
	});
	if (errors.length > 0) throw new Error(`${errors.length} send_message calls failed, e.g. ${errors[0]}`);
	log(`  delivery: ${db.latencies.length} messages at ${db.achievedRate.toFixed(0)}/s`);

	// Without ack nothing answers a broadcast, so realtime-js keeps each push's timer for its whole
	// timeout; a short one lets the process exit promptly. It does not affect delivery.
	const floor = await openLoop(o, floorPending, (k, id) => {
		const s = sides[k % sides.length];
		const [from, to] =
			Math.floor(k / sides.length) % 2 === 0 ? [s.trainee, s.trainer] : [s.trainer, s.trainee];
		const done = from
			.floor!.send({ type: 'broadcast', event: 'ping', payload: { id } }, { timeout: 1000 })
			.then((status) => {
				if (status !== 'ok') errors.push(`broadcast ${status}`);
			});
		return { recipient: to.user.id, done };
	});
	if (errors.length > 0) throw new Error(`${errors.length} broadcasts failed, e.g. ${errors[0]}`);
	log(`  floor: ${floor.latencies.length} broadcasts at ${floor.achievedRate.toFixed(0)}/s`);

	// RPC round trips: closed loop, `rpcConcurrency` clients each calling unread_total() back to back.
	const rpcSamples: number[] = [];
	const rpcStart = nowMs();
	const rpcDeadline = rpcStart + o.rpcSeconds * 1000;
	await Promise.all(
		sides.slice(0, o.rpcConcurrency).map(async ({ trainer }) => {
			while (nowMs() < rpcDeadline) {
				const t = nowMs();
				const { error } = await trainer.client.rpc('unread_total');
				if (error) throw new Error(`unread_total failed: ${error.message}`);
				rpcSamples.push(nowMs() - t);
			}
		})
	);
	const rpcRate = rpcSamples.length / ((nowMs() - rpcStart) / 1000);

	const d = summarize(db.latencies);
	const f = summarize(floor.latencies);
	const shape = `${o.rate}/s over ${sides.length} conversations, ${clients.length} clients`;
	return [
		{
			section,
			name: `send_message (supabase-js rpc) → recipient's callback, ${shape}`,
			summary: d,
			value: `p99 ${d.p99.toFixed(1)} ms, lost ${db.lost}`,
			target: { text: 'p50 ≤ 15, p99 ≤ 100 ms', pass: d.p50 <= 15 && d.p99 <= 100 && db.lost === 0 }
		},
		{
			section,
			name: `floor: bare broadcast client → server → client, no database, same shape`,
			summary: f,
			value: `p99 ${f.p99.toFixed(1)} ms, lost ${floor.lost}`
		},
		{
			section,
			name: `send_message rpc round trip as seen by the sender, during the delivery run`,
			summary: summarize(rpcLatencies)
		},
		{
			section,
			name: `RPC round trips/s: unread_total(), ${o.rpcConcurrency} clients back to back`,
			summary: summarize(rpcSamples),
			value: `${rpcRate.toFixed(0)}/s`
		}
	];
}

async function socketsJoined(
	ready: Extract<FromServer, { type: 'ready' }>,
	o: RealtimeOptions,
	server: Server,
	sockets: RealtimeClient[],
	log: (line: string) => void
): Promise<Row[]> {
	const endpoint = `${ready.url.replace(/^http/, 'ws')}/realtime/v1`;
	const before = await server.request({ type: 'memory' }, 'memory', 10_000);
	const start = nowMs();
	const times = await pool(
		ready.sockets.map((user) => async () => {
			const t = nowMs();
			const socket = new RealtimeClient(endpoint, {
				params: { apikey: ready.key },
				transport: WebSocket as never
			});
			sockets.push(socket);
			await socket.setAuth(user.token);
			await subscribed(socket.channel(`user:${user.id}`, { config: { private: true } }));
			return nowMs() - t;
		}),
		o.socketConcurrency
	);
	const wall = (nowMs() - start) / 1000;
	await sleep(500);
	const after = await server.request({ type: 'memory' }, 'memory', 10_000);
	const open = sockets.filter((s) => s.isConnected()).length;
	log(`  ${open} sockets joined in ${wall.toFixed(1)} s`);
	const perSocketKb = (after.rss - before.rss) / 1024 / sockets.length;
	const heapKb = (after.heapUsed - before.heapUsed) / 1024 / sockets.length;
	return [
		{
			section,
			name: `${o.sockets} sockets, each joined to a private channel: connect + join (${o.socketConcurrency} at a time)`,
			summary: summarize(times),
			value: `all in ${wall.toFixed(1)} s, ${open} open`
		},
		{
			section,
			name: `server memory with ${o.sockets} sockets joined`,
			value:
				`RSS ${(before.rss / 2 ** 20).toFixed(0)} → ${(after.rss / 2 ** 20).toFixed(0)} MB ` +
				`(${perSocketKb.toFixed(0)} KB/socket; heap ${heapKb.toFixed(0)} KB/socket)`
		}
	];
}
