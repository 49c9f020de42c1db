// Channels that are already joined when access to their topic goes away: the conversation is
// archived (the database says access_changed on its topic and localbase checks every channel on
// it again), or the session behind the channel ends (auth tells realtime at once). Hosted Realtime
// re-checks only at join and on a new access token; localbase/README.md says where it differs.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
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
let coachSam: string;
let rivalJordan: string;

const clientOf = async (who: DemoUser) =>
	createTestClient(t.url, wellKnown.publishableKey, await mintAccessToken(t.lb, ids[who]));

/** A user signed in through /auth/v1 with supabase-js, as the app signs in. */
async function signedIn(email: string) {
	const client = createTestClient(t.url, wellKnown.publishableKey);
	const { error } = await client.auth.signInWithPassword({ email, password: demoPassword });
	expect(error).toBeNull();
	return client;
}

/** send_message as a signed-in user, committed in its own transaction. */
async function send(from: string, to: string, body: string): Promise<void> {
	await asUser(t.lb, await mintAccessToken(t.lb, from), (q) =>
		q.query('select id from public.send_message($1, $2, $3)', [to, body, crypto.randomUUID()])
	);
}

beforeAll(async () => {
	t = await startTestLocalbase({ seed: true });
	ids = await demoIds(t.lb);
	coachAlex = await conversationOf(t.lb, ids.coach, ids.alex);
	coachSam = await conversationOf(t.lb, ids.coach, ids.sam);
	rivalJordan = await conversationOf(t.lb, ids.rival, ids.jordan);
});
afterAll(async () => {
	await t?.close();
});

describe('a conversation archived while both sides are joined', () => {
	test('both participants’ open channels hear access_changed and are closed at once with a system error', async () => {
		const rival = await clientOf('rival');
		const jordan = await clientOf('jordan');
		const atRival = conversationChannel(rival, rivalJordan);
		const atJordan = conversationChannel(jordan, rivalJordan, { presence: { key: ids.jordan } });
		const rivalGot = collectBroadcasts(atRival);
		const rivalSystem = collectSystem(atRival);
		const jordanSystem = collectSystem(atJordan);
		const rivalStatuses = await joinAndWatch(atRival);
		const jordanStatuses = await joinAndWatch(atJordan);
		// Jordan has used the channel's write permission once, so localbase holds it cached.
		expect(await atJordan.track({ typing: false })).toBe('ok');

		// The trainer removes the trainee: the database archives the conversation.
		await asUser(t.lb, await mintAccessToken(t.lb, ids.rival), (q) =>
			q.query('select public.remove_trainee($1)', [ids.jordan])
		);
		await waitFor(
			() => rivalStatuses.includes('CLOSED') && jordanStatuses.includes('CLOSED'),
			'both channels to close'
		);
		expect(rivalGot.map((m) => m.event)).toContain('access_changed');
		expect(rivalGot.find((m) => m.event === 'access_changed')?.payload).toMatchObject({
			conversation_id: rivalJordan,
			archived_reason: 'unlinked'
		});
		for (const system of [rivalSystem, jordanSystem]) {
			expect(system.at(-1)).toMatchObject({
				status: 'error',
				message: `You no longer have permission to read from this Channel topic: conversation:${rivalJordan}`
			});
		}

		// Neither side can join the topic again.
		const rival2 = await clientOf('rival');
		expect((await subscribe(conversationChannel(rival2, rivalJordan))).status).toBe('CHANNEL_ERROR');
		expect((await subscribe(conversationChannel(await clientOf('jordan'), rivalJordan))).status).toBe(
			'CHANNEL_ERROR'
		);
		await removeAll(rival, jordan, rival2);
	});

	test('channels on other topics stay open and keep receiving', async () => {
		const coach = await signedIn(demoUsers.coach);
		const onAlex = conversationChannel(coach, coachAlex);
		const onSam = conversationChannel(coach, coachSam);
		const alexMessages = collectBroadcasts(onAlex, 'message_created');
		const alexStatuses = await joinAndWatch(onAlex);
		const samStatuses = await joinAndWatch(onSam);

		await asUser(t.lb, await mintAccessToken(t.lb, ids.coach), (q) =>
			q.query('select public.remove_trainee($1)', [ids.sam])
		);
		await waitFor(() => samStatuses.includes('CLOSED'), 'the coach ↔ sam channel to close');
		await send(ids.alex, ids.coach, 'still here');
		await waitFor(() => alexMessages.length === 1, 'the message on coach ↔ alex');
		expect(alexStatuses).toEqual(['SUBSCRIBED']);
		await removeAll(coach);
	});

	test('a channel that can still read the topic stays open when access_changed is announced', async () => {
		const alex = await clientOf('alex');
		const channel = conversationChannel(alex, coachAlex);
		const got = collectBroadcasts(channel, 'access_changed');
		const statuses = await joinAndWatch(channel);
		// Archived and restored in one transaction: two announcements, delivered after the commit,
		// when access is back.
		await t.lb.db.transaction(async (tx) => {
			await tx.query(
				`update public.conversations set archived_at = now(), archived_reason = 'unlinked' where id = $1`,
				[coachAlex]
			);
			await tx.query(
				`update public.conversations set archived_at = null, archived_reason = null where id = $1`,
				[coachAlex]
			);
		});
		await waitFor(() => got.length === 2, 'both announcements');
		await sleep(100);
		expect(statuses).toEqual(['SUBSCRIBED']);
		await removeAll(alex);
	});

	test('a conversation restored by linking the pair again can be joined again', async () => {
		// Sam was unlinked above; linking the same pair again restores the conversation.
		await t.lb.db.query('update public.profiles set trainer_id = $1 where id = $2', [ids.coach, ids.sam]);
		const sam = await clientOf('sam');
		expect((await subscribe(conversationChannel(sam, coachSam))).status).toBe('SUBSCRIBED');
		await removeAll(sam);
	});
});

describe('a session that ends while its channels are open', () => {
	test('a global sign-out on one device closes the channels of the user’s other sessions at once', async () => {
		const phone = await signedIn(demoUsers.alex);
		const laptop = await signedIn(demoUsers.alex);
		const channel = conversationChannel(laptop, coachAlex);
		const inbox = laptop.channel(`user:${ids.alex}`, { config: { private: true } });
		const system = collectSystem(channel);
		const heard = collectBroadcasts(channel, 'message_created');
		const statuses = await joinAndWatch(channel);
		const inboxStatuses = await joinAndWatch(inbox);

		const started = Date.now();
		expect((await phone.auth.signOut({ scope: 'global' })).error).toBeNull();
		// No access_token event reaches the laptop's channels: localbase closes them on its own.
		await waitFor(
			() => statuses.includes('CLOSED') && inboxStatuses.includes('CLOSED'),
			'the laptop’s channels to close',
			2000
		);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(system.at(-1)).toMatchObject({
			status: 'error',
			message: expect.stringMatching(/session of this token has ended/)
		});
		await send(ids.coach, ids.alex, 'after the global sign-out');
		await sleep(200);
		expect(heard).toEqual([]);
		await removeAll(phone, laptop);
	});

	test('signing out this device only leaves the other sessions’ channels open', async () => {
		const phone = await signedIn(demoUsers.alex);
		const laptop = await signedIn(demoUsers.alex);
		const statuses = await joinAndWatch(conversationChannel(laptop, coachAlex));
		expect((await phone.auth.signOut({ scope: 'local' })).error).toBeNull();
		await sleep(300);
		expect(statuses).toEqual(['SUBSCRIBED']);
		await removeAll(phone, laptop);
	});

	test('a password change closes the channels of the user’s other sessions', async () => {
		const phone = await signedIn(demoUsers.sam);
		const laptop = await signedIn(demoUsers.sam);
		const laptopStatuses = await joinAndWatch(
			laptop.channel(`user:${ids.sam}`, { config: { private: true } })
		);
		const phoneStatuses = await joinAndWatch(phone.channel(`user:${ids.sam}`, { config: { private: true } }));
		expect(
			(await phone.auth.updateUser({ password: 'a-new-password-for-sam', current_password: demoPassword }))
				.error
		).toBeNull();
		await waitFor(() => laptopStatuses.includes('CLOSED'), 'the other session’s channel to close', 2000);
		expect(phoneStatuses).toEqual(['SUBSCRIBED']);
		await removeAll(phone, laptop);
	});

	test('deleting a user closes their channels at once', async () => {
		const solo = await signedIn(demoUsers.solo);
		const statuses = await joinAndWatch(solo.channel(`user:${ids.solo}`, { config: { private: true } }));
		const admin = createTestClient(t.url, wellKnown.secretKey);
		expect((await admin.auth.admin.deleteUser(ids.solo)).error).toBeNull();
		await waitFor(() => statuses.includes('CLOSED'), 'the deleted user’s channel to close', 2000);
		await removeAll(solo);
	});

	test('a socket connected with the token of an ended session is closed, and cannot connect again', async () => {
		const token = await mintAccessToken(t.lb, ids.rival);
		const url = `${t.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${token}&vsn=2.0.0`;
		const ws = new WebSocket(url);
		const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		const rival = await signedIn(demoUsers.rival);
		expect((await rival.auth.signOut({ scope: 'global' })).error).toBeNull();
		expect(await closed).toBe(1008);

		const again = new WebSocket(url);
		const status = await new Promise<number>((resolve) => {
			again.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			again.on('open', () => resolve(101));
		});
		expect(status).toBe(401);
		await removeAll(rival);
	});
});
