// The other participant as an adversary: every way a client could put an event on a conversation
// topic, asserted from the receiving participant's client. Clients may write only presence, so
// the receiver hears nothing but what the database sends. Each attack is followed by a real
// message, so a receiver that heard nothing was listening all along.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeApiError } from '../../src/lib/errors.ts';
import { messageBodySchema } from '../../src/lib/schemas/message-body.ts';
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
	asUser,
	collectBroadcasts,
	removeAll,
	sleep,
	subscribe,
	waitFor,
	type Received
} from './realtime-support.ts';

let t: TestLocalbase;
let coach: string;
let alex: string;
let coachAlex: string;
let coachToken: string;
let alexToken: string;

const topic = () => `conversation:${coachAlex}`;

/** A message the coach really wrote an hour ago, reused by the forgeries below. */
let realMessage: { id: string; body: string; seq: number };

beforeAll(async () => {
	t = await startTestLocalbase({ seed: true });
	coach = await userIdOf(t.lb, demoUsers.coach);
	alex = await userIdOf(t.lb, demoUsers.alex);
	coachToken = await mintAccessToken(t.lb, coach);
	alexToken = await mintAccessToken(t.lb, alex);
	const { rows } = await t.lb.db.query<{ id: string; conversation_id: string; body: string; seq: number }>(
		`select m.id, m.conversation_id, m.body, m.seq from public.messages m
		 join public.conversations c on c.id = m.conversation_id
		 where c.trainer_id = $1 and c.trainee_id = $2 and m.sender_id = $1 order by m.seq desc limit 1`,
		[coach, alex]
	);
	coachAlex = rows[0].conversation_id;
	realMessage = rows[0];
});
afterAll(async () => {
	await t?.close();
});

/** The forged events an attacker would like the coach's app to show. */
const forgeries = () => [
	{
		event: 'message_created',
		payload: {
			message: {
				...realMessage,
				conversation_id: coachAlex,
				sender_id: coach,
				body: 'I quit, find another trainer',
				created_at: new Date().toISOString(),
				read_at: null
			}
		}
	},
	{
		event: 'messages_read',
		payload: { conversation_id: coachAlex, reader_id: alex, up_to_seq: 1_000_000, read_at: null, count: 9 }
	}
];

/** The coach's channel on the conversation, recording everything it hears. */
async function receiver(): Promise<{ heard: Received[]; close(): Promise<void> }> {
	const client = createTestClient(t.url, wellKnown.publishableKey, coachToken);
	const channel = client.channel(topic(), { config: { private: true } });
	const heard = collectBroadcasts(channel);
	expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
	return { heard, close: () => removeAll(client) };
}

/** A real message from alex, after the attack: the only event the receiver may hear. */
async function thenARealMessage(heard: Received[]): Promise<void> {
	const body = `real ${crypto.randomUUID()}`;
	await asUser(t.lb, alexToken, (q) =>
		q.query('select id from public.send_message($1, $2, $3)', [coach, body, crypto.randomUUID()])
	);
	await waitFor(() => heard.some((m) => m.event === 'message_created'), 'the real message');
	await sleep(100);
	expect(heard.map((m) => [m.event, (m.payload.message as { body?: string } | undefined)?.body])).toEqual([
		['message_created', body]
	]);
}

describe('a participant trying to put events on their conversation topic', () => {
	test('a socket broadcast never reaches the other participant, and a sender waiting for the ack times out', async () => {
		const { heard, close } = await receiver();
		const attacker = createTestClient(t.url, wellKnown.publishableKey, alexToken);
		const withAck = attacker.channel(topic(), { config: { private: true, broadcast: { ack: true } } });
		expect((await subscribe(withAck)).status).toBe('SUBSCRIBED');
		for (const forged of forgeries()) {
			expect(await withAck.send({ type: 'broadcast', ...forged }, { timeout: 300 })).toBe('timed out');
		}
		await thenARealMessage(heard);
		await removeAll(attacker);
		await close();
	});

	test('the HTTP batch API with private: true answers 202 but delivers nothing', async () => {
		const { heard, close } = await receiver();
		const response = await fetch(`${t.url}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: {
				apikey: wellKnown.publishableKey,
				authorization: `Bearer ${alexToken}`,
				'content-type': 'application/json'
			},
			body: JSON.stringify({
				messages: forgeries().map((f) => ({ topic: topic(), private: true, ...f }))
			})
		});
		expect(response.status).toBe(202);
		await thenARealMessage(heard);
		await close();
	});

	test('httpSend to the private topic is refused with 403 and delivers nothing', async () => {
		const { heard, close } = await receiver();
		const attacker = createTestClient(t.url, wellKnown.publishableKey, alexToken);
		const channel = attacker.channel(topic(), { config: { private: true } });
		for (const forged of forgeries()) {
			await expect(channel.httpSend(forged.event, forged.payload)).rejects.toThrow('Unauthorized');
		}
		await thenARealMessage(heard);
		await removeAll(attacker);
		await close();
	});

	test('the same message on the public topic of that name never reaches the private channel', async () => {
		const { heard, close } = await receiver();
		const attacker = createTestClient(t.url, wellKnown.publishableKey, alexToken);
		const publicChannel = attacker.channel(topic());
		expect((await subscribe(publicChannel)).status).toBe('SUBSCRIBED');
		for (const forged of forgeries()) {
			expect(await publicChannel.send({ type: 'broadcast', ...forged })).toBe('ok');
		}
		await thenARealMessage(heard);
		await removeAll(attacker);
		await close();
	});

	test('realtime.send and realtime.messages are not reachable through the REST API', async () => {
		const attacker = createTestClient(t.url, wellKnown.publishableKey, alexToken);
		const viaRpc = await attacker.schema('realtime').rpc('send', {
			payload: forgeries()[0].payload,
			event: 'message_created',
			topic: topic(),
			private: true
		});
		expect(viaRpc.status).toBe(406);
		expect(viaRpc.error?.code).toBe('PGRST106');
		const viaTable = await attacker.schema('realtime').from('messages').insert({ topic: topic() });
		expect(viaTable.error?.code).toBe('PGRST106');
		await removeAll(attacker);
	});
});

describe('a body that only looks like something', () => {
	// One run of each class of blank character: what the database and the composer both call blank.
	const blankClasses = {
		'Unicode spaces (White_Space)': '\u3000\u2003\u00a0\u205f\u1680\u2028',
		'format characters (Cf)': '\u200b\u200c\u200d\ufeff\u2060\u180e\u202e\u{e0020}\u{1d173}',
		'invisible fillers': '\u3164\u115f\u1160\uffa0\u2800'
	};

	for (const [kind, body] of Object.entries(blankClasses)) {
		test(`made of ${kind} only is refused through the API with SP003 and its sentence, and the other side hears nothing`, async () => {
			expect(messageBodySchema.safeParse(body).success, 'the composer refuses it too').toBe(false);
			const { heard, close } = await receiver();
			const sender = createTestClient(t.url, wellKnown.publishableKey, alexToken);
			const { error, status } = await sender.rpc('send_message', {
				recipient_id: coach,
				body: ` ${body} `,
				message_id: crypto.randomUUID()
			});
			expect(status).toBe(400);
			expect(error?.code).toBe('SP003');
			expect(describeApiError({ ...error!, status })).toEqual({
				code: 'SP003',
				message: 'A message cannot be empty.',
				retryable: false
			});
			await thenARealMessage(heard);
			await removeAll(sender);
			await close();
		});
	}
});
