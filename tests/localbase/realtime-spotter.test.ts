// Spotter's realtime rules over localbase with the seeded demo data: conversation:<id> for the two
// participants of an active conversation, user:<id> for that user only, messages broadcast by the
// database after commit, and signed-out sessions losing their channels.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
	createTestClient,
	demoPassword,
	demoUsers,
	mintAccessToken,
	startTestLocalbase,
	wellKnown
} from './harness.ts';
import type { TestLocalbase } from './harness.ts';
import {
	asUser,
	claimsOf,
	collectBroadcasts,
	collectSystem,
	joinAndWatch,
	removeAll,
	sleep,
	subscribe,
	waitFor,
	conversationChannel,
	conversationOf,
	demoIds,
	type DemoUser
} from './realtime-support.ts';

let t: TestLocalbase;
let ids: Record<DemoUser, string>;
let coachAlex: string;
let rivalJordan: string;

const clientOf = async (who: DemoUser) =>
	createTestClient(t.url, wellKnown.publishableKey, await mintAccessToken(t.lb, ids[who]));

const tokens: Partial<Record<string, string>> = {};

/** send_message as a signed-in user, in its own transaction (committed, or rolled back on request). */
const send = async (from: string, to: string, body: string, opts: { rollback?: boolean } = {}) => {
	const token = (tokens[from] ??= await mintAccessToken(t.lb, from));
	return asUser(
		t.lb,
		token,
		(q) =>
			q.query<{ id: string }>('select id from public.send_message($1, $2, $3)', [to, body, randomUUID()]),
		opts
	);
};

beforeAll(async () => {
	t = await startTestLocalbase({ seed: true });
	ids = await demoIds(t.lb);
	coachAlex = await conversationOf(t.lb, ids.coach, ids.alex);
	rivalJordan = await conversationOf(t.lb, ids.rival, ids.jordan);
});
afterAll(async () => {
	await t?.close();
});

describe('who may join', () => {
	test('both participants can join their conversation topic', async () => {
		const coach = await clientOf('coach');
		const alex = await clientOf('alex');
		expect((await subscribe(conversationChannel(coach, coachAlex))).status).toBe('SUBSCRIBED');
		expect((await subscribe(conversationChannel(alex, coachAlex))).status).toBe('SUBSCRIBED');
		await removeAll(coach, alex);
	});

	test("a trainee cannot join another pair's conversation topic", async () => {
		const jordan = await clientOf('jordan');
		const result = await subscribe(conversationChannel(jordan, coachAlex));
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toBe(
			`Unauthorized: You do not have permissions to read from this Channel topic: conversation:${coachAlex}`
		);
		await removeAll(jordan);
	});

	test("another trainee of the same trainer cannot join that trainer's conversation with someone else", async () => {
		const sam = await clientOf('sam');
		expect((await subscribe(conversationChannel(sam, coachAlex))).status).toBe('CHANNEL_ERROR');
		await removeAll(sam);
	});

	test('a user can join their own user topic but not anyone else’s', async () => {
		const solo = await clientOf('solo');
		const own = solo.channel(`user:${ids.solo}`, { config: { private: true } });
		const other = solo.channel(`user:${ids.alex}`, { config: { private: true } });
		expect((await subscribe(own)).status).toBe('SUBSCRIBED');
		expect((await subscribe(other)).status).toBe('CHANNEL_ERROR');
		await removeAll(solo);
	});

	test('an archived conversation can no longer be joined', async () => {
		const jordan = await clientOf('jordan');
		await t.lb.db.query(
			`update public.conversations set archived_at = now(), archived_reason = 'unlinked' where id = $1`,
			[rivalJordan]
		);
		try {
			expect((await subscribe(conversationChannel(jordan, rivalJordan))).status).toBe('CHANNEL_ERROR');
		} finally {
			await t.lb.db.query(
				`update public.conversations set archived_at = null, archived_reason = null where id = $1`,
				[rivalJordan]
			);
		}
		expect((await subscribe(conversationChannel(await clientOf('rival'), rivalJordan))).status).toBe(
			'SUBSCRIBED'
		);
		await removeAll(jordan);
	});
});

describe('who may send', () => {
	test('a participant’s broadcast on their own conversation topic is dropped: clients write only presence', async () => {
		const coach = await clientOf('coach');
		const alex = await clientOf('alex');
		const alexChannel = conversationChannel(alex, coachAlex);
		const atAlex = collectBroadcasts(alexChannel);
		const coachChannel = conversationChannel(coach, coachAlex, { broadcast: { ack: true } });
		await subscribe(coachChannel);
		await subscribe(alexChannel);
		// A denied broadcast gets no reply, so a sender waiting for the ack times out.
		expect(
			await coachChannel.send(
				{ type: 'broadcast', event: 'message_created', payload: { message: { body: 'forged' } } },
				{ timeout: 500 }
			)
		).toBe('timed out');
		await sleep(200);
		expect(atAlex).toEqual([]);
		await removeAll(coach, alex);
	});

	test('a broadcast to a conversation topic by an outsider is not delivered', async () => {
		const jordan = await clientOf('jordan');
		const alex = await clientOf('alex');
		const alexChannel = conversationChannel(alex, coachAlex);
		const atAlex = collectBroadcasts(alexChannel);
		await subscribe(alexChannel);
		// Not joined: supabase-js falls back to the HTTP batch API, which drops what the caller may not write.
		const outsider = conversationChannel(jordan, coachAlex);
		expect(await outsider.send({ type: 'broadcast', event: 'typing', payload: { spoof: true } })).toBe('ok');
		await expect(outsider.httpSend('typing', { spoof: true })).rejects.toThrow('Unauthorized');
		await sleep(200);
		expect(atAlex).toEqual([]);
		await removeAll(jordan, alex);
	});

	test('nobody can broadcast on a user topic, not even its owner', async () => {
		const alex = await clientOf('alex');
		const alex2 = await clientOf('alex');
		const sender = alex.channel(`user:${ids.alex}`, { config: { private: true, broadcast: { ack: true } } });
		const listener = alex2.channel(`user:${ids.alex}`, { config: { private: true } });
		const got = collectBroadcasts(listener);
		await subscribe(sender);
		await subscribe(listener);
		expect(
			await sender.send({ type: 'broadcast', event: 'conversation_changed', payload: {} }, { timeout: 500 })
		).toBe('timed out');
		expect(got).toEqual([]);
		await removeAll(alex, alex2);
	});

	test('participants see each other’s presence on their conversation topic', async () => {
		const coach = await clientOf('coach');
		const alex = await clientOf('alex');
		const watcher = conversationChannel(coach, coachAlex, { presence: { key: ids.coach } });
		const joins: string[] = [];
		watcher.on('presence', { event: 'join' }, ({ key }) => joins.push(key));
		await subscribe(watcher);
		const typist = conversationChannel(alex, coachAlex, { presence: { key: ids.alex } });
		await subscribe(typist);
		expect(await typist.track({ typing: true })).toBe('ok');
		await waitFor(() => joins.includes(ids.alex), 'alex’s presence');
		await removeAll(coach, alex);
	});
});

describe('messages from the database', () => {
	test('a sent message reaches the other participant after commit, with its id', async () => {
		const alex = await clientOf('alex');
		const channel = conversationChannel(alex, coachAlex);
		const got = collectBroadcasts(channel, 'message_created');
		await subscribe(channel);
		const { rows } = await send(ids.coach, ids.alex, 'Nice squat today');
		await waitFor(() => got.length === 1, 'message_created');
		const message = got[0].payload.message as Record<string, unknown>;
		expect(message).toMatchObject({ id: rows[0].id, body: 'Nice squat today', sender_id: ids.coach });
		expect(got[0].meta?.id).toBe(got[0].payload.id);
		await removeAll(alex);
	});

	test('the recipient’s user topic hears that the conversation changed', async () => {
		const alex = await clientOf('alex');
		const inbox = alex.channel(`user:${ids.alex}`, { config: { private: true } });
		const got = collectBroadcasts(inbox, 'conversation_changed');
		await subscribe(inbox);
		await send(ids.coach, ids.alex, 'Check your inbox');
		await waitFor(() => got.length >= 1, 'conversation_changed');
		expect(got[0].payload).toMatchObject({
			conversation_id: coachAlex,
			last_message_preview: 'Check your inbox'
		});
		await removeAll(alex);
	});

	test('the recipient hears the message before its inbox event, so an open chat draws it first', async () => {
		// One socket for both topics, as the app has: frames on it arrive in the order they were sent.
		const token = await mintAccessToken(t.lb, ids.alex);
		const alex = createTestClient(t.url, wellKnown.publishableKey, token);
		const order: string[] = [];
		const chat = conversationChannel(alex, coachAlex).on('broadcast', { event: 'message_created' }, () =>
			order.push('message_created')
		);
		const inbox = alex
			.channel(`user:${ids.alex}`, { config: { private: true } })
			.on('broadcast', { event: 'conversation_changed' }, () => order.push('conversation_changed'));
		for (const channel of [chat, inbox]) {
			// Without a session, supabase-js would join with the publishable key: keep the user's token.
			await alex.realtime.setAuth(token);
			expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
		}
		for (const body of ['First in order', 'Second in order']) await send(ids.coach, ids.alex, body);
		await waitFor(() => order.length === 4, 'both messages and both inbox events');
		expect(order).toEqual([
			'message_created',
			'conversation_changed',
			'message_created',
			'conversation_changed'
		]);
		await removeAll(alex);
	});

	test('a message from a rolled-back transaction is never delivered', async () => {
		const alex = await clientOf('alex');
		const channel = conversationChannel(alex, coachAlex);
		const got = collectBroadcasts(channel, 'message_created');
		await subscribe(channel);
		await send(ids.coach, ids.alex, 'never happened', { rollback: true });
		await send(ids.coach, ids.alex, 'this one did');
		await waitFor(() => got.length === 1, 'the committed message');
		await sleep(150);
		expect(got.map((m) => (m.payload.message as { body: string }).body)).toEqual(['this one did']);
		await removeAll(alex);
	});

	test('an outsider subscribed to their own topics hears nothing of another pair’s messages', async () => {
		const jordan = await clientOf('jordan');
		const inbox = jordan.channel(`user:${ids.jordan}`, { config: { private: true } });
		const got = collectBroadcasts(inbox);
		await subscribe(inbox);
		await send(ids.coach, ids.alex, 'private to alex');
		await sleep(200);
		expect(got).toEqual([]);
		await removeAll(jordan);
	});
});

describe('signing out', () => {
	const sessionOf = (token: string) => claimsOf(token).session_id;

	test('signing out with supabase-js closes the user’s private channels with a system error', async () => {
		const alex = createTestClient(t.url, wellKnown.publishableKey);
		const { error } = await alex.auth.signInWithPassword({ email: demoUsers.alex, password: demoPassword });
		expect(error).toBeNull();
		const channel = conversationChannel(alex, coachAlex);
		const system = collectSystem(channel);
		const statuses = await joinAndWatch(channel);

		// signOut ends the session, then hands realtime the API key (an access_token event).
		expect((await alex.auth.signOut()).error).toBeNull();
		await waitFor(() => statuses.includes('CLOSED'), 'the channel to close');
		expect(system[0]).toMatchObject({
			status: 'error',
			message: expect.stringMatching(/session of this token has ended/)
		});
		await removeAll(alex);
	});

	test('a session deleted on the server loses its channels at the next access_token', async () => {
		const token = await mintAccessToken(t.lb, ids.alex);
		const alex = createTestClient(t.url, wellKnown.publishableKey, token);
		const channel = conversationChannel(alex, coachAlex);
		const got = collectBroadcasts(channel, 'message_created');
		const statuses = await joinAndWatch(channel);

		await t.lb.db.query('delete from auth.sessions where id = $1', [sessionOf(token)]);
		await alex.realtime.setAuth(token);
		await waitFor(() => statuses.includes('CLOSED'), 'the channel to close');
		await send(ids.coach, ids.alex, 'after sign-out');
		await sleep(200);
		expect(got).toEqual([]);
		await removeAll(alex);
	});

	test('a signed-out session cannot join again with its old token', async () => {
		const token = await mintAccessToken(t.lb, ids.alex);
		await t.lb.db.query('delete from auth.sessions where id = $1', [sessionOf(token)]);
		const alex = createTestClient(t.url, wellKnown.publishableKey, token);
		const result = await subscribe(conversationChannel(alex, coachAlex));
		expect(result.status).toBe('CHANNEL_ERROR');
		expect(result.error?.message).toMatch(/^InvalidJWTToken: The session of this token has ended/);
		await removeAll(alex);
	});
});
