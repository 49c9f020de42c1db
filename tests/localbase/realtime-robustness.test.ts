// What a misbehaving client can do to /realtime/v1 (raw `ws`, since the official client never sends
// these frames): garbage, oversized and truncated frames close that socket only; protocol mistakes
// get Phoenix's error replies; the server and everyone else carry on.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestClient, startTestLocalbase, wellKnown, type TestLocalbase } from './harness.ts';
import { collectBroadcasts, removeAll, sleep, subscribe, waitFor } from './realtime-support.ts';

let t: TestLocalbase;

beforeAll(async () => {
	t = await startTestLocalbase();
});
afterAll(async () => {
	await t?.close();
});

interface Raw {
	ws: WebSocket;
	frames: unknown[];
	closed: Promise<number>;
	send(frame: unknown[]): void;
	reply(ref: string): Promise<unknown[]>;
}

async function rawSocket(): Promise<Raw> {
	const ws = new WebSocket(
		`${t.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${wellKnown.anonKey}&vsn=2.0.0`
	);
	const frames: unknown[] = [];
	ws.on('message', (data, isBinary) => frames.push(isBinary ? data : JSON.parse(data.toString())));
	const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return {
		ws,
		frames,
		closed,
		send: (frame) => ws.send(JSON.stringify(frame)),
		reply: (ref) =>
			waitFor(
				() =>
					frames.find((f) => Array.isArray(f) && f[1] === ref && f[3] === 'phx_reply') as
						unknown[] | undefined,
				`the reply to ref ${ref}`
			)
	};
}

/** A client-to-server broadcast (kind 3) with chosen header values. */
function kind3(
	topic: string,
	event: string,
	payload: Buffer,
	overrides: Partial<Record<number, number>> = {}
) {
	const parts = [Buffer.from('1'), Buffer.from('2'), Buffer.from(topic), Buffer.from(event), Buffer.alloc(0)];
	const header = [3, ...parts.map((p) => p.length), 1];
	for (const [index, value] of Object.entries(overrides)) header[Number(index)] = value!;
	return Buffer.concat([Buffer.from(header), ...parts, payload]);
}

async function joined(raw: Raw, topic: string) {
	raw.send(['1', '1', topic, 'phx_join', { config: { broadcast: { self: true } } }]);
	expect(await raw.reply('1')).toEqual([
		'1',
		'1',
		topic,
		'phx_reply',
		{ status: 'ok', response: { postgres_changes: [] } }
	]);
}

/** An official client on `topic`, to show that others are unaffected by a bad socket. */
async function bystander(topic: string) {
	const client = createTestClient(t.url, wellKnown.anonKey);
	const channel = client.channel(topic);
	const got = collectBroadcasts(channel);
	expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
	return { client, channel, got };
}

describe('frames that cannot be understood', () => {
	test('a text frame that is not JSON closes that socket only', async () => {
		const other = await bystander('robust-1');
		const raw = await rawSocket();
		raw.ws.send('this is not json {');
		expect(await raw.closed).toBe(1007);
		const sender = await bystander('robust-1');
		await sender.channel.send({ type: 'broadcast', event: 'alive', payload: {} });
		await waitFor(() => other.got.some((m) => m.event === 'alive'), 'the bystander to keep receiving');
		await removeAll(other.client, sender.client);
	});

	test('JSON of the wrong shape closes the socket', async () => {
		const raw = await rawSocket();
		raw.ws.send(JSON.stringify({ topic: 'realtime:x', event: 'phx_join' }));
		expect(await raw.closed).toBe(1007);
		const again = await rawSocket();
		again.ws.send(JSON.stringify([null, '1', 42, 'phx_join', {}]));
		expect(await again.closed).toBe(1007);
	});

	test('a frame larger than the frame limit closes the socket with 1009', async () => {
		const raw = await rawSocket();
		raw.send([null, '1', 'realtime:big', 'broadcast', { blob: 'x'.repeat(t.lb.config.maxFrameBytes + 10) }]);
		expect(await raw.closed).toBe(1009);
	});

	test('a binary frame of an unknown kind, or shorter than its header says, closes the socket', async () => {
		const unknownKind = await rawSocket();
		unknownKind.ws.send(Buffer.from([9, 0, 0, 0, 0, 0, 0]));
		expect(await unknownKind.closed).toBe(1007);
		const truncated = await rawSocket();
		await joined(truncated, 'realtime:robust-bin');
		truncated.ws.send(kind3('realtime:robust-bin', 'e', Buffer.from('{}'), { 3: 200 }));
		expect(await truncated.closed).toBe(1007);
	});

	test('a binary broadcast whose JSON payload is malformed is not passed on to anyone', async () => {
		const other = await bystander('robust-json');
		const raw = await rawSocket();
		await joined(raw, 'realtime:robust-json');
		raw.ws.send(kind3('realtime:robust-json', 'bad', Buffer.from('{"unterminated": ')));
		expect(await raw.closed).toBe(1007);
		await sleep(100);
		expect(other.got).toEqual([]);
		await removeAll(other.client);
	});

	test('a well-formed binary broadcast from a raw socket reaches the official client', async () => {
		const other = await bystander('robust-ok');
		const raw = await rawSocket();
		await joined(raw, 'realtime:robust-ok');
		raw.ws.send(kind3('realtime:robust-ok', 'fine', Buffer.from('{"ok":true}')));
		await waitFor(() => other.got.length === 1, 'the broadcast');
		expect(other.got[0]).toMatchObject({ event: 'fine', payload: { ok: true } });
		raw.ws.close();
		await removeAll(other.client);
	});
});

describe('protocol mistakes', () => {
	test('a push to a topic the socket has not joined is answered with "unmatched topic"', async () => {
		const raw = await rawSocket();
		raw.send(['5', '7', 'realtime:nowhere', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }]);
		expect(await raw.reply('7')).toEqual([
			'5',
			'7',
			'realtime:nowhere',
			'phx_reply',
			{ status: 'error', response: { reason: 'unmatched topic' } }
		]);
		raw.ws.close();
	});

	test('joining a topic outside realtime:, or the bare realtime: prefix, is refused', async () => {
		const raw = await rawSocket();
		raw.send(['1', '1', 'elsewhere', 'phx_join', {}]);
		expect((await raw.reply('1'))[4]).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
		raw.send(['2', '2', 'realtime:', 'phx_join', {}]);
		expect((await raw.reply('2'))[4]).toEqual({
			status: 'error',
			response: { reason: 'TopicNameRequired: You must provide a topic name' }
		});
		raw.ws.close();
	});

	test('a join with a payload that is not an object joins a public channel with the defaults', async () => {
		const raw = await rawSocket();
		raw.send(['1', '1', 'realtime:odd-join', 'phx_join', 'garbage']);
		expect((await raw.reply('1'))[4]).toEqual({ status: 'ok', response: { postgres_changes: [] } });
		raw.ws.close();
	});

	test('an unknown event in a joined channel is ignored and the socket keeps working', async () => {
		const raw = await rawSocket();
		await joined(raw, 'realtime:unknown-event');
		raw.send(['1', '2', 'realtime:unknown-event', 'no_such_event', { x: 1 }]);
		raw.send([null, '3', 'phoenix', 'heartbeat', {}]);
		expect(await raw.reply('3')).toEqual([null, '3', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
		expect(raw.frames.some((f) => Array.isArray(f) && f[1] === '2')).toBe(false);
		raw.ws.close();
	});

	test('joining the same topic twice closes the first join and keeps the second', async () => {
		const raw = await rawSocket();
		await joined(raw, 'realtime:twice');
		raw.send(['2', '2', 'realtime:twice', 'phx_join', { config: { broadcast: { self: true } } }]);
		expect((await raw.reply('2'))[4]).toMatchObject({ status: 'ok' });
		expect(raw.frames).toContainEqual(['1', '1', 'realtime:twice', 'phx_close', {}]);
		raw.send([
			'2',
			'3',
			'realtime:twice',
			'broadcast',
			{ type: 'broadcast', event: 'echo', payload: { n: 1 } }
		]);
		await waitFor(() => raw.frames.some((f) => Array.isArray(f) && f[3] === 'broadcast'), 'the self echo');
		raw.ws.close();
	});

	test('leave answers ok and then closes the channel with phx_close', async () => {
		const raw = await rawSocket();
		await joined(raw, 'realtime:bye');
		raw.send(['1', '2', 'realtime:bye', 'phx_leave', {}]);
		expect((await raw.reply('2'))[4]).toEqual({ status: 'ok', response: {} });
		await waitFor(
			() =>
				raw.frames.some(
					(f) => JSON.stringify(f) === JSON.stringify(['1', '1', 'realtime:bye', 'phx_close', {}])
				),
			'phx_close'
		);
		raw.ws.close();
	});

	test('the socket refuses an unknown protocol version', async () => {
		const status = await new Promise<number>((resolve) => {
			const ws = new WebSocket(
				`${t.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${wellKnown.anonKey}&vsn=9.9.9`
			);
			ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			ws.on('error', () => {});
		});
		expect(status).toBe(400);
	});
});

describe('after all of that', () => {
	test('the server still answers and a presence left by a dropped raw socket is gone', async () => {
		const raw = await rawSocket();
		raw.send([
			'1',
			'1',
			'realtime:after',
			'phx_join',
			{ config: { presence: { key: 'raw', enabled: true } } }
		]);
		await raw.reply('1');
		raw.send([
			'1',
			'2',
			'realtime:after',
			'presence',
			{ type: 'presence', event: 'track', payload: { a: 1 } }
		]);
		await raw.reply('2');
		raw.ws.terminate();
		await sleep(100);
		const client = createTestClient(t.url, wellKnown.anonKey);
		const channel = client.channel('after', { config: { presence: { key: 'fresh' } } });
		let synced = false;
		channel.on('presence', { event: 'sync' }, () => (synced = true));
		expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
		await waitFor(() => synced, 'presence_state');
		expect(channel.presenceState()).toEqual({});
		expect((await fetch(`${t.url}/health`)).status).toBe(200);
		await removeAll(client);
	});
});
