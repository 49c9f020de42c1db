// /realtime/v1 through the official supabase-js: channels, broadcast (self, ack), presence, private
// channels authorized by RLS on realtime.messages, token errors, database broadcasts and the HTTP
// broadcast API. Topic policies for `room:<uid>` and `shared:*` are created here.
import { RealtimeClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
	createTestClient,
	demoUsers,
	mintAccessToken,
	startTestLocalbase,
	userIdOf,
	wellKnown
} from './harness.ts';
import type { TestLocalbase } from './harness.ts';
import {
	collectBroadcasts,
	collectSystem,
	joinAndWatch,
	removeAll,
	signedToken,
	sleep,
	subscribe,
	waitFor,
	withAlgNone
} from './realtime-support.ts';

let t: TestLocalbase;
let alexId: string;
let samId: string;
let alexToken: string;
let samToken: string;

const anonClient = () => createTestClient(t.url, wellKnown.anonKey);
const userClient = (token: string, key: string = wellKnown.publishableKey) =>
	createTestClient(t.url, key, token);

beforeAll(async () => {
	t = await startTestLocalbase({ seed: true });
	alexId = await userIdOf(t.lb, demoUsers.alex);
	samId = await userIdOf(t.lb, demoUsers.sam);
	alexToken = await mintAccessToken(t.lb, alexId);
	samToken = await mintAccessToken(t.lb, samId);
	// room:<uid> — only that user reads and writes; shared:* — every signed-in user reads, nobody writes.
	await t.lb.db.exec(`
		create policy "test: read own room and shared topics" on realtime.messages for select to authenticated
		  using ((select realtime.topic()) = 'room:' || (select auth.uid())::text
		         or (select realtime.topic()) like 'shared:%');
		create policy "test: write own room" on realtime.messages for insert to authenticated
		  with check ((select realtime.topic()) = 'room:' || (select auth.uid())::text);
	`);
});
afterAll(async () => {
	await t?.close();
});

describe('public channels', () => {
	test('a broadcast reaches the other subscribers but not the sender unless self is set', async () => {
		const a = anonClient();
		const b = anonClient();
		const quiet = a.channel('lobby');
		const loud = b.channel('lobby', { config: { broadcast: { self: true } } });
		const atA = collectBroadcasts(quiet, 'hello');
		const atB = collectBroadcasts(loud, 'hello');
		expect((await subscribe(quiet)).status).toBe('SUBSCRIBED');
		expect((await subscribe(loud)).status).toBe('SUBSCRIBED');

		expect(await quiet.send({ type: 'broadcast', event: 'hello', payload: { from: 'a', n: 1 } })).toBe('ok');
		await waitFor(() => atB.length === 1, 'b to receive a');
		expect(atB[0]).toMatchObject({ type: 'broadcast', event: 'hello', payload: { from: 'a', n: 1 } });

		expect(await loud.send({ type: 'broadcast', event: 'hello', payload: { from: 'b' } })).toBe('ok');
		await waitFor(() => atA.length === 1 && atB.length === 2, 'a and (self) b to receive b');
		expect(atA[0].payload).toEqual({ from: 'b' });
		expect(atB[1].payload).toEqual({ from: 'b' });
		await sleep(100);
		expect(atA).toHaveLength(1);
		await removeAll(a, b);
	});

	test('an event filter only sees its own event, and "*" sees them all', async () => {
		const a = anonClient();
		const b = anonClient();
		const sender = a.channel('filters');
		const listener = b.channel('filters');
		const onlyPing = collectBroadcasts(listener, 'ping');
		const all = collectBroadcasts(listener, '*');
		await subscribe(sender);
		await subscribe(listener);
		await sender.send({ type: 'broadcast', event: 'ping', payload: {} });
		await sender.send({ type: 'broadcast', event: 'pong', payload: {} });
		await waitFor(() => all.length === 2, 'both events');
		expect(onlyPing.map((m) => m.event)).toEqual(['ping']);
		expect(all.map((m) => m.event)).toEqual(['ping', 'pong']);
		await removeAll(a, b);
	});

	test('with ack the send resolves "ok" only once the server has acknowledged it', async () => {
		const a = anonClient();
		const channel = a.channel('acks', { config: { broadcast: { ack: true } } });
		await subscribe(channel);
		expect(await channel.send({ type: 'broadcast', event: 'e', payload: { x: 1 } })).toBe('ok');
		await removeAll(a);
	});

	test('public and private channels of the same name are separate namespaces', async () => {
		const a = userClient(alexToken);
		const b = anonClient();
		const privateRoom = a.channel(`room:${alexId}`, { config: { private: true, broadcast: { self: true } } });
		const publicRoom = b.channel(`room:${alexId}`);
		const atPrivate = collectBroadcasts(privateRoom);
		const atPublic = collectBroadcasts(publicRoom);
		expect((await subscribe(privateRoom)).status).toBe('SUBSCRIBED');
		expect((await subscribe(publicRoom)).status).toBe('SUBSCRIBED');
		await publicRoom.send({ type: 'broadcast', event: 'from-public', payload: {} });
		await privateRoom.send({ type: 'broadcast', event: 'from-private', payload: {} });
		await waitFor(() => atPrivate.length === 1, 'the private echo');
		await sleep(100);
		expect(atPrivate.map((m) => m.event)).toEqual(['from-private']);
		expect(atPublic).toEqual([]);
		await removeAll(a, b);
	});

	test('leaving a channel closes it and stops its messages', async () => {
		const a = anonClient();
		const b = anonClient();
		const left = a.channel('leaving');
		const sender = b.channel('leaving');
		const got = collectBroadcasts(left);
		await subscribe(left);
		await subscribe(sender);
		expect(await left.unsubscribe()).toBe('ok');
		expect(left.state).toBe('closed');
		await sender.send({ type: 'broadcast', event: 'after-leave', payload: {} });
		await sleep(150);
		expect(got).toEqual([]);
		await removeAll(a, b);
	});

	test('the server answers heartbeats', async () => {
		const a = anonClient();
		const statuses: string[] = [];
		a.realtime.onHeartbeat((status) => statuses.push(status));
		await subscribe(a.channel('beats'));
		await a.realtime.sendHeartbeat();
		await waitFor(() => statuses.includes('ok'), 'a heartbeat reply');
		await removeAll(a);
	});

	test('a vsn 1.0.0 client joins and exchanges broadcasts with a vsn 2.0.0 client', async () => {
		const v1 = new RealtimeClient(`${t.url}/realtime/v1`, {
			params: { apikey: wellKnown.anonKey },
			transport: WebSocket as never,
			vsn: '1.0.0'
		});
		const v2 = anonClient();
		const old = v1.channel('mixed');
		const cur = v2.channel('mixed');
		const atOld = collectBroadcasts(old);
		const atCur = collectBroadcasts(cur);
		expect((await subscribe(old)).status).toBe('SUBSCRIBED');
		expect((await subscribe(cur)).status).toBe('SUBSCRIBED');
		await cur.send({ type: 'broadcast', event: 'to-v1', payload: { v: 2 } });
		await old.send({ type: 'broadcast', event: 'to-v2', payload: { v: 1 } });
		await waitFor(() => atOld.length === 1 && atCur.length === 1, 'both directions');
		expect(atOld[0]).toMatchObject({ event: 'to-v1', payload: { v: 2 } });
		expect(atCur[0]).toMatchObject({ event: 'to-v2', payload: { v: 1 } });
		await v1.removeAllChannels();
		v1.disconnect();
		await removeAll(v2);
	});
});

describe('presence', () => {
	test('a joiner gets presence_state, sees others track and leave, and a dropped socket counts as a leave', async () => {
		const a = anonClient();
		const b = anonClient();
		const watcher = a.channel('gym', { config: { presence: { key: 'watcher' } } });
		const joins: string[] = [];
		const leaves: string[] = [];
		watcher
			.on('presence', { event: 'join' }, ({ key }) => joins.push(key))
			.on('presence', { event: 'leave' }, ({ key }) => leaves.push(key));
		expect((await subscribe(watcher)).status).toBe('SUBSCRIBED');
		expect(await watcher.track({ mood: 'watching' })).toBe('ok');
		await waitFor(() => joins.includes('watcher'), 'own join');

		const lifter = b.channel('gym', { config: { presence: { key: 'lifter' } } });
		let synced = false;
		lifter.on('presence', { event: 'sync' }, () => (synced = true));
		await subscribe(lifter);
		await waitFor(() => synced, 'presence_state at the late joiner');
		expect(Object.keys(lifter.presenceState())).toEqual(['watcher']);
		expect(lifter.presenceState().watcher[0]).toMatchObject({ mood: 'watching' });

		expect(await lifter.track({ sets: 3 })).toBe('ok');
		await waitFor(() => joins.includes('lifter'), 'the lifter joining');
		expect(watcher.presenceState().lifter[0]).toMatchObject({ sets: 3 });

		b.realtime.disconnect();
		await waitFor(() => leaves.includes('lifter'), 'the lifter leaving when its socket drops');
		expect(Object.keys(watcher.presenceState())).toEqual(['watcher']);
		await removeAll(a, b);
	});

	test('untrack removes the presence and tracking the same payload again changes nothing', async () => {
		const a = anonClient();
		const b = anonClient();
		const me = a.channel('desk', { config: { presence: { key: 'me' } } });
		const them = b.channel('desk', { config: { presence: { key: 'them' } } });
		const events: string[] = [];
		them
			.on('presence', { event: 'join' }, ({ key }) => events.push(`join:${key}`))
			.on('presence', { event: 'leave' }, ({ key }) => events.push(`leave:${key}`));
		await subscribe(them);
		await subscribe(me);
		await me.track({ at: 1 });
		await me.track({ at: 1 });
		await waitFor(() => events.includes('join:me'), 'the join');
		await me.untrack();
		await waitFor(() => events.includes('leave:me'), 'the leave');
		expect(events).toEqual(['join:me', 'leave:me']);
		expect(them.presenceState()).toEqual({});
		await removeAll(a, b);
	});
});

describe('private channels', () => {
	test('a user joins a private topic a SELECT policy lets them read', async () => {
		const a = userClient(alexToken);
		const result = await subscribe(a.channel(`room:${alexId}`, { config: { private: true } }));
		expect(result.status).toBe('SUBSCRIBED');
		await removeAll(a);
	});

	test('a user cannot join a private topic no policy lets them read, and is told why', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${samId}`, { config: { private: true } });
		const result = await subscribe(channel);
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toBe(
			`Unauthorized: You do not have permissions to read from this Channel topic: room:${samId}`
		);
		await removeAll(a);
	});

	test('the anonymous role cannot join a private topic that only authenticated users may read', async () => {
		const a = anonClient();
		const result = await subscribe(a.channel('shared:news', { config: { private: true } }));
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toMatch(/^Unauthorized: /);
		await removeAll(a);
	});

	test('the service_role key may join any private topic', async () => {
		const a = createTestClient(t.url, wellKnown.secretKey);
		expect((await subscribe(a.channel(`room:${samId}`, { config: { private: true } }))).status).toBe(
			'SUBSCRIBED'
		);
		await removeAll(a);
	});

	test('a broadcast the INSERT policy allows is delivered to the other readers', async () => {
		const a = userClient(alexToken);
		const b = userClient(alexToken);
		const sender = a.channel(`room:${alexId}`, { config: { private: true, broadcast: { ack: true } } });
		const reader = b.channel(`room:${alexId}`, { config: { private: true } });
		const got = collectBroadcasts(reader);
		await subscribe(sender);
		await subscribe(reader);
		expect(await sender.send({ type: 'broadcast', event: 'note', payload: { text: 'hi' } })).toBe('ok');
		await waitFor(() => got.length === 1, 'the note');
		expect(got[0]).toMatchObject({ event: 'note', payload: { text: 'hi' } });
		await removeAll(a, b);
	});

	test('a broadcast no INSERT policy allows is dropped, and a sender waiting for an ack times out', async () => {
		const a = userClient(alexToken);
		const b = userClient(samToken);
		const sender = a.channel('shared:news', { config: { private: true, broadcast: { ack: true } } });
		const reader = b.channel('shared:news', { config: { private: true } });
		const got = collectBroadcasts(reader);
		expect((await subscribe(sender)).status).toBe('SUBSCRIBED');
		expect((await subscribe(reader)).status).toBe('SUBSCRIBED');
		expect(await sender.send({ type: 'broadcast', event: 'spam', payload: {} }, { timeout: 500 })).toBe(
			'timed out'
		);
		await sleep(100);
		expect(got).toEqual([]);
		await removeAll(a, b);
	});

	test('tracking presence on a private topic is refused when no INSERT policy allows it', async () => {
		const a = userClient(alexToken);
		const channel = a.channel('shared:news', { config: { private: true, presence: { key: 'alex' } } });
		expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
		expect(await channel.track({ here: true })).toBe('error');
		await removeAll(a);
	});

	test('presence on a private topic works for a user the policies allow', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true, presence: { key: 'alex' } } });
		let synced = false;
		channel.on('presence', { event: 'sync' }, () => (synced = true));
		expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
		expect(await channel.track({ typing: true })).toBe('ok');
		await waitFor(() => synced && channel.presenceState().alex, 'own presence');
		expect(channel.presenceState().alex[0]).toMatchObject({ typing: true });
		await removeAll(a);
	});

	test('an access_token that no longer grants read access closes the channel with a system error', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true } });
		const system = collectSystem(channel);
		const statuses = await joinAndWatch(channel);
		await a.realtime.setAuth(samToken);
		await waitFor(() => statuses.includes('CLOSED'), 'the channel to close');
		expect(system[0]).toMatchObject({
			extension: 'system',
			status: 'error',
			message: `You do not have permissions to read from this Channel topic: room:${alexId}`
		});
		await removeAll(a);
	});

	test('an access_token that is not validly signed closes the channel with the reason', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true } });
		const system = collectSystem(channel);
		const statuses = await joinAndWatch(channel);
		await a.realtime.setAuth(withAlgNone(samToken));
		await waitFor(() => statuses.includes('CLOSED'), 'the channel to close');
		expect(system[0]).toMatchObject({
			status: 'error',
			message: expect.stringMatching(/^Failed to generate JWT signer/)
		});
		await removeAll(a);
	});

	test('a refreshed access_token that still grants access keeps the channel open', async () => {
		const a = userClient(alexToken);
		const b = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true } });
		const got = collectBroadcasts(channel);
		const statuses = await joinAndWatch(channel);
		await a.realtime.setAuth(await mintAccessToken(t.lb, alexId));
		await sleep(100);
		const sender = b.channel(`room:${alexId}`, { config: { private: true } });
		await subscribe(sender);
		await sender.send({ type: 'broadcast', event: 'still-here', payload: {} });
		await waitFor(() => got.length === 1, 'the broadcast after the token change');
		expect(statuses).toEqual(['SUBSCRIBED']);
		await removeAll(a, b);
	});
});

describe('tokens', () => {
	const joinWith = async (token: string) => {
		const a = createTestClient(t.url, wellKnown.anonKey, token);
		const result = await subscribe(a.channel('lobby'));
		await removeAll(a);
		return result;
	};

	test('an expired token is refused at join with how long ago it expired', async () => {
		const now = Math.floor(Date.now() / 1000);
		const result = await joinWith(signedToken(t.lb, { sub: alexId, role: 'authenticated', exp: now - 30 }));
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toMatch(/^InvalidJWTToken: Token has expired 3\d seconds ago$/);
	});

	test('a token signed with another secret is refused at join', async () => {
		const forged = signedToken(
			t.lb,
			{ sub: alexId, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 600 },
			'not-the-local-secret-but-long-enough-to-look-real'
		);
		const result = await joinWith(forged);
		expect(result.error?.message).toBe('JwtSignatureError: Failed to validate JWT signature');
	});

	test('an unsigned (alg none) token is refused at join', async () => {
		const result = await joinWith(withAlgNone(alexToken));
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toMatch(/^JwtSignerError: /);
	});

	test('a token without exp is refused at join', async () => {
		const result = await joinWith(signedToken(t.lb, { sub: alexId, role: 'authenticated' }));
		expect(result.error?.message).toBe('InvalidJWTToken: Fields `role` and `exp` are required in JWT');
	});

	test('a token that is not a JWT is refused at join', async () => {
		const result = await joinWith('definitely-not-a-jwt');
		expect(result.error?.message).toBe('MalformedJWT: The token provided is not a valid JWT');
	});

	test('a token whose session was signed out is refused at join', async () => {
		const token = await mintAccessToken(t.lb, samId);
		const sessionId = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).session_id;
		await t.lb.db.query('delete from auth.sessions where id = $1', [sessionId]);
		const result = await joinWith(token);
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toMatch(/^InvalidJWTToken: The session of this token has ended/);
	});

	test('a joined channel is closed with a system error when its token expires', async () => {
		const exp = Math.floor(Date.now() / 1000) + 2;
		// With an sb_ key, the access_token supabase-js sends after joining (the key) is ignored, so the
		// channel keeps the short-lived token; with the anon JWT it would switch to that instead.
		const a = createTestClient(
			t.url,
			wellKnown.publishableKey,
			signedToken(t.lb, { sub: alexId, role: 'authenticated', exp })
		);
		const channel = a.channel('short-lived');
		const system = collectSystem(channel);
		const statuses = await joinAndWatch(channel);
		await waitFor(() => statuses.includes('CLOSED'), 'the channel to close at expiry', 6000);
		expect(system[0]).toMatchObject({
			status: 'error',
			message: expect.stringMatching(/^Token has expired \d+ seconds ago$/)
		});
		await removeAll(a);
	});

	test('the socket refuses a missing or invalid apikey with 401 and a JSON error', async () => {
		const upgrade = (query: string) =>
			new Promise<{ status: number; body: string }>((resolve, reject) => {
				const ws = new WebSocket(`${t.url.replace('http', 'ws')}/realtime/v1/websocket?${query}`);
				ws.on('unexpected-response', (_req, res) => {
					let body = '';
					res.on('data', (c: Buffer) => (body += c.toString()));
					res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
				});
				ws.on('open', () => reject(new Error('upgrade should have been refused')));
				ws.on('error', () => {});
			});
		expect(await upgrade('vsn=2.0.0')).toEqual({ status: 401, body: '{"error":"API key is missing"}' });
		expect(await upgrade('apikey=nonsense&vsn=2.0.0')).toEqual({
			status: 401,
			body: '{"error":"The token provided is not a valid JWT"}'
		});
	});

	test('postgres_changes is refused at join with an error naming it unsupported', async () => {
		const a = anonClient();
		const channel = a
			.channel('changes')
			.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, () => {});
		const result = await subscribe(channel);
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toMatch(
			/^UnsupportedFeature: localbase does not implement postgres_changes/
		);
		await removeAll(a);
	});
});

describe('broadcasts from the database', () => {
	test('realtime.send delivers after commit, with the row id in payload and meta', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true } });
		const got = collectBroadcasts(channel, 'from-db');
		await subscribe(channel);
		await t.lb.db.query(`select realtime.send('{"n": 1}'::jsonb, 'from-db', $1, true)`, [`room:${alexId}`]);
		await waitFor(() => got.length === 1, 'the database message');
		expect(got[0].payload.n).toBe(1);
		expect(got[0].payload.id).toEqual(expect.any(String));
		expect(got[0].meta?.id).toBe(got[0].payload.id);
		await removeAll(a);
	});

	test('a message from a rolled-back transaction is never delivered', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true } });
		const got = collectBroadcasts(channel, 'maybe');
		await subscribe(channel);
		await expect(
			t.lb.db.transaction(async (tx) => {
				await tx.query(`select realtime.send('{"kept": false}'::jsonb, 'maybe', $1, true)`, [
					`room:${alexId}`
				]);
				throw new Error('roll back');
			})
		).rejects.toThrow('roll back');
		await t.lb.db.query(`select realtime.send('{"kept": true}'::jsonb, 'maybe', $1, true)`, [
			`room:${alexId}`
		]);
		await waitFor(() => got.length === 1, 'the committed message');
		await sleep(100);
		expect(got.map((m) => m.payload.kept)).toEqual([true]);
		await removeAll(a);
	});

	test('a public database message goes to the public namespace only', async () => {
		const a = anonClient();
		const channel = a.channel('announcements');
		const got = collectBroadcasts(channel);
		await subscribe(channel);
		await t.lb.db.query(`select realtime.send('{"private": "no"}'::jsonb, 'pub', 'announcements', false)`);
		await t.lb.db.query(`select realtime.send('{"private": "yes"}'::jsonb, 'priv', 'announcements', true)`);
		await waitFor(() => got.length === 1, 'the public message');
		await sleep(100);
		expect(got.map((m) => m.event)).toEqual(['pub']);
		await removeAll(a);
	});

	test('a message too large for one NOTIFY is read back and delivered whole', async () => {
		const a = userClient(alexToken);
		const channel = a.channel(`room:${alexId}`, { config: { private: true } });
		const got = collectBroadcasts(channel, 'big');
		await subscribe(channel);
		const text = 'x'.repeat(20_000);
		await t.lb.db.query(`select realtime.send(jsonb_build_object('text', $2::text), 'big', $1, true)`, [
			`room:${alexId}`,
			text
		]);
		await waitFor(() => got.length === 1, 'the large message');
		expect(got[0].payload.text).toBe(text);
		await removeAll(a);
	});
});

describe('HTTP broadcast API', () => {
	test('send() before joining falls back to the batch API, which delivers public messages as text', async () => {
		const a = anonClient();
		const b = anonClient();
		const listener = b.channel('rest-room');
		const got = collectBroadcasts(listener);
		await subscribe(listener);
		const notJoined = a.channel('rest-room');
		expect(await notJoined.send({ type: 'broadcast', event: 'via-rest', payload: { ok: true } })).toBe('ok');
		await waitFor(() => got.length === 1, 'the REST message');
		expect(got[0]).toMatchObject({ event: 'via-rest', payload: { ok: true } });
		await removeAll(a, b);
	});

	test('the batch API answers 202 but drops private messages the caller may not write', async () => {
		const b = userClient(samToken);
		const listener = b.channel('shared:news', { config: { private: true } });
		const got = collectBroadcasts(listener);
		await subscribe(listener);
		const post = (token: string, topic: string) =>
			fetch(`${t.url}/realtime/v1/api/broadcast?apikey=${wellKnown.anonKey}&vsn=2.0.0`, {
				method: 'POST',
				headers: {
					apikey: wellKnown.anonKey,
					authorization: `Bearer ${token}`,
					'content-type': 'application/json'
				},
				body: JSON.stringify({ messages: [{ topic, event: 'e', payload: { from: 'rest' }, private: true }] })
			});
		const denied = await post(alexToken, 'shared:news');
		expect(denied.status).toBe(202);
		const allowed = await post(wellKnown.serviceRoleKey, 'shared:news');
		expect(allowed.status).toBe(202);
		await waitFor(() => got.length === 1, 'the service_role message');
		await sleep(100);
		expect(got).toHaveLength(1);
		await removeAll(b);
	});

	test('the batch API answers 401 to a bad token and 422 to a message without a topic', async () => {
		const bad = await fetch(`${t.url}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: {
				apikey: wellKnown.anonKey,
				authorization: 'Bearer nope',
				'content-type': 'application/json'
			},
			body: JSON.stringify({ messages: [{ topic: 'x', event: 'e', payload: {} }] })
		});
		expect(bad.status).toBe(401);
		expect(await bad.json()).toEqual({ message: 'Unauthorized' });
		const invalid = await fetch(`${t.url}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: { apikey: wellKnown.anonKey, 'content-type': 'application/json' },
			body: JSON.stringify({ messages: [{ event: 'e', payload: {} }] })
		});
		expect(invalid.status).toBe(422);
		expect(await invalid.json()).toEqual({ errors: { messages: [{ topic: ["can't be blank"] }] } });
	});

	test('httpSend delivers to a private topic the user may write, and is refused where they may not', async () => {
		const a = userClient(alexToken);
		const b = userClient(alexToken);
		const listener = b.channel(`room:${alexId}`, { config: { private: true } });
		const got = collectBroadcasts(listener);
		await subscribe(listener);
		const own = a.channel(`room:${alexId}`, { config: { private: true } });
		expect(await own.httpSend('http-event', { via: 'httpSend' })).toEqual({ success: true });
		await waitFor(() => got.length === 1, 'the httpSend message');
		expect(got[0]).toMatchObject({ event: 'http-event', payload: { via: 'httpSend' } });
		const foreign = a.channel(`room:${samId}`, { config: { private: true } });
		await expect(foreign.httpSend('http-event', { via: 'httpSend' })).rejects.toThrow('Unauthorized');
		await removeAll(a, b);
	});
});
