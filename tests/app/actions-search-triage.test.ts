// The data modules of message actions, search, the other person and triage against localbase with
// the demo seed: each call's shape and parsing end to end, through supabase-js, with one refusal each
// coming back as the user's sentence. The rules themselves are proven in tests/db.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as conversations from '$lib/data/conversations';
import * as messages from '$lib/data/messages';
import * as profiles from '$lib/data/profiles';
import * as reactions from '$lib/data/reactions';
import * as search from '$lib/data/search';
import {
	conversationChangedWithTriageSchema,
	messageUpdatedSchema,
	reactionsChangedSchema
} from '$lib/schemas/message-events';
import type { Supabase } from '$lib/supabase/types';
import { collectBroadcasts, subscribe, waitFor } from '../localbase/realtime-support';
import {
	createTestClient,
	demoPassword,
	demoUsers,
	startTestLocalbase,
	wellKnown,
	type TestLocalbase
} from '../localbase/harness';

const coachAlex = '20000000-0000-4000-8000-000000000001';
const coachSam = '20000000-0000-4000-8000-000000000002';
const rivalJordan = '20000000-0000-4000-8000-000000000003';
const coachId = '10000000-0000-4000-8000-000000000001';
const alexId = '10000000-0000-4000-8000-000000000002';
const message80 = '30000000-0000-4000-8000-000000000080';

let lb: TestLocalbase;

async function signedIn(email: string): Promise<Supabase> {
	const client = createTestClient(lb.url, wellKnown.publishableKey);
	const { error } = await client.auth.signInWithPassword({ email, password: demoPassword });
	if (error) throw error;
	return client as unknown as Supabase;
}
function data<T>(result: { ok: true; data: T } | { ok: false; error: { message: string } }): T {
	if (!result.ok) throw new Error(result.error.message);
	return result.data;
}

beforeAll(async () => {
	lb = await startTestLocalbase({ seed: true });
});
afterAll(async () => {
	await lb?.close();
});

describe('message actions', () => {
	test('a reply, its edit and its deletion come back as messages with their new state', async () => {
		const coach = await signedIn(demoUsers.coach);
		const reply = data(
			await messages.send(coach, {
				recipientId: alexId,
				body: 'About that',
				id: crypto.randomUUID(),
				replyToId: message80
			})
		);
		expect(reply).toMatchObject({ reply_to_id: message80, edited_at: null, deleted_at: null });
		const edited = data(await messages.edit(coach, reply.id, 'About that, again'));
		expect(edited.body).toBe('About that, again');
		expect(edited.edited_at).toEqual(expect.any(String));
		const deleted = data(await messages.remove(coach, reply.id));
		expect(deleted).toMatchObject({ id: reply.id, body: '' });
		expect(deleted.deleted_at).toEqual(expect.any(String));
		const alex = await signedIn(demoUsers.alex);
		expect(data(await messages.get(alex, message80))).toMatchObject({
			id: message80,
			conversation_id: coachAlex
		});
		const page = data(await messages.list(alex, coachAlex));
		expect(page.at(-1)).toMatchObject({ id: reply.id, body: '', reply_to_id: message80 });
	});

	test('refusals are the user’s sentences: someone else’s message, the edit window', async () => {
		const coach = await signedIn(demoUsers.coach);
		expect(await messages.edit(coach, message80, 'mine now')).toMatchObject({
			ok: false,
			error: { code: 'SP102', message: 'You can only edit or delete your own messages.' }
		});
		expect(await messages.edit(coach, '30000000-0000-4000-8000-000000000079', 'late')).toMatchObject({
			ok: false,
			error: { code: 'SP103', message: 'Messages can only be edited within 15 minutes of sending.' }
		});
		expect(data(await messages.get(coach, '30000000-0000-4000-8002-000000000001'))).toBeNull();
	});

	test('reactions toggle and read back per message, in the app’s order', async () => {
		const alex = await signedIn(demoUsers.alex);
		const coach = await signedIn(demoUsers.coach);
		const id = '30000000-0000-4000-8000-000000000077';
		expect(data(await reactions.toggle(alex, id, '🔥'))).toEqual({
			conversation_id: coachAlex,
			message_id: id,
			reactions: [{ emoji: '🔥', count: 1, user_ids: [alexId] }]
		});
		data(await reactions.toggle(coach, id, '👍'));
		expect(data(await reactions.forMessages(coach, [id, message80]))).toEqual([
			{
				conversation_id: coachAlex,
				message_id: id,
				reactions: [
					{ emoji: '👍', count: 1, user_ids: [coachId] },
					{ emoji: '🔥', count: 1, user_ids: [alexId] }
				]
			}
		]);
		expect(await reactions.toggle(alex, id, '🦄')).toMatchObject({ ok: false, error: { code: 'SP106' } });
	});
});

describe('search', () => {
	test('finds as typed and splits the excerpt into matched and plain text', async () => {
		const coach = await signedIn(demoUsers.coach);
		const hits = data(await search.messages(coach, 'squ num', { pageSize: 3 }));
		expect(hits).toHaveLength(3);
		expect(hits[0]).toMatchObject({ conversation_id: coachAlex, other_party_name: 'Alex Rivera' });
		expect(hits[0].excerpt.filter((s) => s.match).map((s) => s.text)).toEqual(['squat', 'numbers']);
		const next = data(
			await search.messages(coach, 'squ num', { after: { createdAt: hits[2].created_at, id: hits[2].id } })
		);
		expect(next.map((h) => h.id)).not.toContain(hits[0].id);
		expect(hits.length + next.length).toBe(8);
	});

	test('a trainee finds nothing of another pair', async () => {
		const jordan = await signedIn(demoUsers.jordan);
		expect(data(await search.messages(jordan, 'squat'))).toEqual([]);
	});
});

describe('the other person', () => {
	test('last seen is recorded, seen by the trainer, and hidden both ways by the setting', async () => {
		const alex = await signedIn(demoUsers.alex);
		const coach = await signedIn(demoUsers.coach);
		const seen = data(await profiles.touchLastSeen(alex));
		expect(data(await profiles.lastSeen(coach, alexId))).toBe(seen);
		expect(data(await profiles.myLastSeen(alex, alexId))).toEqual({ seen_at: seen, hidden: false });
		data(await profiles.setLastSeenHidden(alex, true));
		expect(data(await profiles.lastSeen(coach, alexId))).toBeNull();
		data(await profiles.setLastSeenHidden(alex, false));
	});

	test('a trainer keeps a private note and reads the trainee profile with it', async () => {
		const coach = await signedIn(demoUsers.coach);
		expect(data(await profiles.saveNote(coach, alexId, 'Prefers mornings'))).toMatchObject({
			trainee_id: alexId,
			body: 'Prefers mornings'
		});
		expect(data(await profiles.traineeProfile(coach, alexId))).toMatchObject({
			id: alexId,
			linked: true,
			conversation_id: coachAlex,
			note: 'Prefers mornings'
		});
		expect(data(await profiles.saveNote(coach, alexId, '  '))).toBeNull();
		const alex = await signedIn(demoUsers.alex);
		expect(await profiles.saveNote(alex, alexId, 'x')).toMatchObject({ ok: false, error: { code: 'SP001' } });
	});
});

describe('triage', () => {
	test('pin, mute and mark unread come back as my settings and shape the inbox', async () => {
		const coach = await signedIn(demoUsers.coach);
		expect(data(await conversations.setPinned(coach, coachSam, true))).toMatchObject({
			conversation_id: coachSam,
			pinned_at: expect.any(String)
		});
		expect(data(await conversations.setMuted(coach, coachAlex, true))).toMatchObject({ muted: true });
		data(await conversations.markUnread(coach, coachSam));
		const [first, second] = data(await conversations.inbox(coach));
		expect(first).toMatchObject({ id: coachSam, marked_unread: true, unread_count: 1 });
		expect(second).toMatchObject({ id: coachAlex, muted: true, pinned_at: null });
		const rest = data(await conversations.inbox(coach, { after: conversations.cursorAfter(first) }));
		expect(rest.map((r) => r.id)).toEqual([coachAlex]);
		expect(data(await conversations.inbox(coach, { name: 'sam' })).map((r) => r.id)).toEqual([coachSam]);
		expect(data(await conversations.inbox(coach, { archived: true }))).toEqual([]);
		expect(await conversations.setPinned(coach, rivalJordan, true)).toMatchObject({
			ok: false,
			error: { code: 'SP008' }
		});
		data(await conversations.setPinned(coach, coachSam, false));
		data(await conversations.setMuted(coach, coachAlex, false));
	});
});

describe('the events, through localbase’s realtime', () => {
	test('message_updated, reactions_changed and the triaged conversation_changed arrive and parse', async () => {
		const coach = await signedIn(demoUsers.coach);
		const alex = await signedIn(demoUsers.alex);
		const conversation = collectBroadcasts(
			alex.channel(`conversation:${coachAlex}`, { config: { private: true } })
		);
		const inboxChannel = alex.channel(`user:${alexId}`, { config: { private: true } });
		const inboxEvents = collectBroadcasts(inboxChannel);
		for (const channel of alex.getChannels()) expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
		try {
			const sent = data(
				await messages.send(coach, { recipientId: alexId, body: 'typo', id: crypto.randomUUID() })
			);
			data(await messages.edit(coach, sent.id, 'fixed'));
			data(await reactions.toggle(coach, sent.id, '💪'));
			data(await conversations.markUnread(alex, coachAlex));
			const updated = await waitFor(
				() => conversation.find((e) => e.event === 'message_updated'),
				'message_updated'
			);
			expect(messageUpdatedSchema.parse(updated.payload).message).toMatchObject({
				id: sent.id,
				body: 'fixed'
			});
			const reacted = await waitFor(
				() => conversation.find((e) => e.event === 'reactions_changed'),
				'reactions_changed'
			);
			expect(reactionsChangedSchema.parse(reacted.payload).reactions).toEqual([
				{ emoji: '💪', count: 1, user_ids: [coachId] }
			]);
			const marked = await waitFor(
				() => inboxEvents.find((e) => e.event === 'conversation_changed' && e.payload.marked_unread === true),
				'conversation_changed with marked_unread'
			);
			expect(conversationChangedWithTriageSchema.parse(marked.payload)).toMatchObject({
				conversation_id: coachAlex,
				marked_unread: true,
				muted: false
			});
		} finally {
			await alex.removeAllChannels();
			data(await conversations.markRead(alex, coachAlex));
		}
	});
});
