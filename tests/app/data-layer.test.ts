// The app's data layer (src/lib/messaging/api.ts) against localbase with the demo seed: the
// calls the screens make, with the pages, cursors and refusals the screens rely on.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as api from '$lib/messaging/api';
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
		let cursor: api.ConversationCursor | undefined;
		for (let page = 0; page < 5; page++) {
			const result = await api.listConversations(coach, cursor, 1);
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
		const result = await api.listConversations(alex);
		expect(result.ok && result.data.map((c) => c.other_party_name)).toEqual(['Casey Coach']);
	});
});

describe('a conversation’s history', () => {
	test('comes 20 at a time, oldest first within a page, back to the first message', async () => {
		const coach = await signedIn(demoUsers.coach);
		const newest = await api.listMessages(coach, coachAlex);
		expect(newest.ok && newest.data.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 61 + i));
		const older = await api.listMessages(coach, coachAlex, 61);
		expect(older.ok && older.data.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 41 + i));
		const first = await api.listMessages(coach, coachAlex, 21);
		expect(first.ok && first.data[0].body).toBe('Remember to log your sleep. (#1)');
	});

	test('catch-up returns exactly what is newer than the last message held', async () => {
		const coach = await signedIn(demoUsers.coach);
		const after = await api.messagesAfter(coach, coachAlex, 77);
		expect(after.ok && after.data.map((m) => m.seq)).toEqual([78, 79, 80]);
	});

	test('is invisible to someone who is not in it', async () => {
		const sam = await signedIn(demoUsers.sam);
		expect(await api.getConversation(sam, coachAlex)).toEqual({ ok: true, data: null });
		expect(await api.listMessages(sam, coachAlex)).toEqual({ ok: true, data: [] });
	});
});

describe('sending', () => {
	test('is idempotent on the message id the client generated', async () => {
		const coach = await signedIn(demoUsers.coach);
		const id = crypto.randomUUID();
		const first = await api.sendMessage(coach, { recipientId: alexId, body: 'Stretch tonight', id });
		const retry = await api.sendMessage(coach, { recipientId: alexId, body: 'Stretch tonight', id });
		expect(first.ok && retry.ok && retry.data).toEqual(first.ok && first.data);
	});

	test('refusals come back as sentences for the user', async () => {
		const coach = await signedIn(demoUsers.coach);
		const blank = await api.sendMessage(coach, { recipientId: alexId, body: '  ', id: crypto.randomUUID() });
		expect(blank).toMatchObject({
			ok: false,
			error: { code: 'SP003', message: 'A message cannot be empty.' }
		});
		const solo = await signedIn(demoUsers.solo);
		const refused = await api.sendMessage(solo, {
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
		const before = await api.unreadTotal(alex);
		expect(before.ok && before.data).toBeGreaterThan(0);
		const marked = await api.markConversationRead(alex, coachAlex);
		expect(marked.ok && marked.data).toBe(before.ok && before.data);
		expect(await api.unreadTotal(alex)).toEqual({ ok: true, data: 0 });
	});
});

describe('invitations', () => {
	test('a wrong code is explained, a right one links the trainee', async () => {
		const solo = await signedIn(demoUsers.solo);
		const wrong = await api.redeemInvitation(solo, 'ZZZZZZZZ');
		expect(wrong).toMatchObject({ ok: false, error: { code: 'SP010' } });
		const right = await api.redeemInvitation(solo, 'CASEY234');
		expect(right.ok && right.data.trainer_id).toBe(coachId);
	});
});
