// The app's data layer (src/lib/data/*) against localbase with the demo seed: the calls the
// screens make, with the pages, cursors and refusals the screens rely on.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as conversations from '$lib/data/conversations';
import * as invitations from '$lib/data/invitations';
import * as messages from '$lib/data/messages';
import * as profiles from '$lib/data/profiles';
import * as pushSubscriptions from '$lib/data/push-subscriptions';
import type { Supabase } from '$lib/supabase/types';
import {
	createTestClient,
	demoPassword,
	demoUsers,
	startTestLocalbase,
	wellKnown,
	type TestLocalbase
} from '../localbase/harness';

const coachAlex = '20000000-0000-4000-8000-000000000001';
const coachId = '10000000-0000-4000-8000-000000000001';
const alexId = '10000000-0000-4000-8000-000000000002';

let lb: TestLocalbase;

async function signedIn(email: string): Promise<Supabase> {
	const client = createTestClient(lb.url, wellKnown.publishableKey);
	const { error } = await client.auth.signInWithPassword({ email, password: demoPassword });
	if (error) throw error;
	return client as unknown as Supabase;
}

beforeAll(async () => {
	lb = await startTestLocalbase({ seed: true });
});

afterAll(async () => {
	await lb?.close();
});

describe('a trainer’s conversation list', () => {
	test('pages with the keyset cursor, newest first, each conversation once', async () => {
		const coach = await signedIn(demoUsers.coach);
		const seen: string[] = [];
		let cursor: conversations.Cursor | undefined;
		for (let page = 0; page < 5; page++) {
			const result = await conversations.list(coach, cursor, 1);
			if (!result.ok) throw new Error(result.error.message);
			if (result.data.length === 0) break;
			const [row] = result.data;
			seen.push(row.id);
			cursor = { lastMessageAt: row.last_message_at!, id: row.id };
		}
		expect(seen).toEqual([coachAlex, '20000000-0000-4000-8000-000000000002']);
	});

	test('shows the other party, never the viewer', async () => {
		const alex = await signedIn(demoUsers.alex);
		const result = await conversations.list(alex);
		expect(result.ok && result.data.map((c) => c.other_party_name)).toEqual(['Casey Coach']);
	});
});

describe('a conversation’s history', () => {
	test('comes 20 at a time, oldest first within a page, back to the first message', async () => {
		const coach = await signedIn(demoUsers.coach);
		const newest = await messages.list(coach, coachAlex);
		expect(newest.ok && newest.data.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 61 + i));
		const older = await messages.list(coach, coachAlex, 61);
		expect(older.ok && older.data.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 41 + i));
		const first = await messages.list(coach, coachAlex, 21);
		expect(first.ok && first.data[0].body).toBe('Remember to log your sleep. (#1)');
	});

	test('catch-up returns exactly what is newer than the last message held', async () => {
		const coach = await signedIn(demoUsers.coach);
		const after = await messages.after(coach, coachAlex, 77);
		expect(after.ok && after.data.map((m) => m.seq)).toEqual([78, 79, 80]);
	});

	test('catch-up from nothing held returns the whole history, oldest first, each message once', async () => {
		const coach = await signedIn(demoUsers.coach);
		const all = await messages.after(coach, coachAlex, 0);
		expect(all.ok && all.data.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
	});

	test('is invisible to someone who is not in it', async () => {
		const sam = await signedIn(demoUsers.sam);
		expect(await conversations.get(sam, coachAlex)).toEqual({ ok: true, data: null });
		expect(await messages.list(sam, coachAlex)).toEqual({ ok: true, data: [] });
		expect(await messages.after(sam, coachAlex, 0)).toEqual({ ok: true, data: [] });
	});
});

describe('sending', () => {
	test('is idempotent on the message id the client generated', async () => {
		const coach = await signedIn(demoUsers.coach);
		const id = crypto.randomUUID();
		const first = await messages.send(coach, { recipientId: alexId, body: 'Stretch tonight', id });
		const retry = await messages.send(coach, { recipientId: alexId, body: 'Stretch tonight', id });
		expect(first.ok && retry.ok && retry.data).toEqual(first.ok && first.data);
	});

	test('refusals come back as sentences for the user', async () => {
		const coach = await signedIn(demoUsers.coach);
		const blank = await messages.send(coach, { recipientId: alexId, body: '  ', id: crypto.randomUUID() });
		expect(blank).toMatchObject({
			ok: false,
			error: { code: 'SP003', message: 'A message cannot be empty.' }
		});
		const solo = await signedIn(demoUsers.solo);
		const refused = await messages.send(solo, {
			recipientId: coachId,
			body: 'hi',
			id: crypto.randomUUID()
		});
		expect(refused).toMatchObject({
			ok: false,
			error: { code: 'SP001', message: 'You can only message your own trainer or trainees.' }
		});
	});
});

describe('reading', () => {
	test('marking a conversation read brings the unread total down', async () => {
		const alex = await signedIn(demoUsers.alex);
		const before = await conversations.unreadTotal(alex);
		expect(before.ok && before.data).toBeGreaterThan(0);
		const marked = await conversations.markRead(alex, coachAlex);
		expect(marked.ok && marked.data).toBe(before.ok && before.data);
		expect(await conversations.unreadTotal(alex)).toEqual({ ok: true, data: 0 });
	});
});

describe('a trainer’s trainees', () => {
	test('are listed by name with the conversation each one has, found by pair too', async () => {
		const coach = await signedIn(demoUsers.coach);
		const trainees = await profiles.trainees(coach, coachId);
		if (!trainees.ok) throw new Error(trainees.error.message);
		expect(trainees.data.map((t) => t.id)).toContain(alexId);
		const theirs = await conversations.withTrainees(
			coach,
			coachId,
			trainees.data.map((t) => t.id)
		);
		expect(theirs.ok && theirs.data.find((c) => c.trainee_id === alexId)?.id).toBe(coachAlex);
		expect(await conversations.between(coach, { trainerId: coachId, traineeId: alexId })).toMatchObject({
			ok: true,
			data: { id: coachAlex }
		});
		const sam = await signedIn(demoUsers.sam);
		expect(await conversations.between(sam, { trainerId: coachId, traineeId: alexId })).toEqual({
			ok: true,
			data: null
		});
	});
});

describe('push subscriptions', () => {
	test('are saved, found and removed for this device, with the one result shape', async () => {
		const alex = await signedIn(demoUsers.alex);
		const endpoint = `https://push.example/${crypto.randomUUID()}`;
		expect(await pushSubscriptions.has(alex, endpoint)).toEqual({ ok: true, data: false });
		expect(
			await pushSubscriptions.save(alex, { endpoint, p256dh: 'key', auth: 'secret' }, 'app-suite')
		).toEqual({
			ok: true,
			data: null
		});
		expect(await pushSubscriptions.has(alex, endpoint)).toEqual({ ok: true, data: true });
		const sam = await signedIn(demoUsers.sam);
		expect(await pushSubscriptions.has(sam, endpoint)).toEqual({ ok: true, data: false });
		expect(await pushSubscriptions.remove(alex, endpoint)).toEqual({ ok: true, data: null });
		expect(await pushSubscriptions.has(alex, endpoint)).toEqual({ ok: true, data: false });
	});
});

describe('invitations', () => {
	test('a wrong code is explained, a right one links the trainee', async () => {
		const solo = await signedIn(demoUsers.solo);
		const wrong = await invitations.redeem(solo, 'ZZZZZZZZ');
		expect(wrong).toMatchObject({ ok: false, error: { code: 'SP010' } });
		const right = await invitations.redeem(solo, 'CASEY234');
		expect(right.ok && right.data.trainer_id).toBe(coachId);
	});
});
