import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as database from './database';
import * as outbox from './outbox';
import { keepPostedMessage } from './posted-message';
import { me, other } from './test-records';

const conversation = '20000000-0000-4000-8000-000000000001';
const page = `/messages/${conversation}`;
const pageId = '30000000-0000-4000-8000-000000000001';

afterEach(() => database.destroy());

function form(fields: Record<string, string>): FormData {
	const data = new FormData();
	for (const [name, value] of Object.entries({ message_id: pageId, from: me, to: other, ...fields })) {
		data.set(name, value);
	}
	return data;
}

describe('a message the composer’s form posted offline', () => {
	it('waits in the outbox under a new id, trimmed as the chat sends it, for the chat to send', async () => {
		expect(await keepPostedMessage(form({ body: '  Rest day?\u200b ' }), page, me)).toBe(true);
		const [kept] = await outbox.of(me, conversation);
		expect(kept).toMatchObject({
			userId: me,
			thread: conversation,
			recipientId: other,
			body: 'Rest day?',
			status: 'pending',
			error: null
		});
		// Not the page's id: a kept page's id may belong to a message sent earlier.
		expect(kept.id).not.toBe(pageId);
		expect(await outbox.pending(me)).toHaveLength(1);
	});

	it('keeps a first message to someone under them, where the chat of that first message reads it', async () => {
		expect(await keepPostedMessage(form({ body: 'Welcome!' }), `/messages/with/${other}`, me)).toBe(true);
		expect(await outbox.of(me, outbox.newThread(other))).toMatchObject([
			{ body: 'Welcome!', recipientId: other, status: 'pending' }
		]);
	});

	it('keeps one message when the same text is posted twice at once (a double tap), two when later', async () => {
		const at = new Date('2026-11-30T10:00:00Z');
		// The two posts of a double tap arrive at the worker together.
		await Promise.all([
			keepPostedMessage(form({ body: 'On my way' }), page, me, at),
			keepPostedMessage(form({ body: 'On my way' }), page, me, new Date(at.getTime() + 2_000))
		]);
		expect(await outbox.of(me, conversation)).toHaveLength(1);
		await keepPostedMessage(form({ body: 'On my way' }), page, me, new Date(at.getTime() + 60_000));
		expect(await outbox.of(me, conversation)).toHaveLength(2);
	});

	it('keeps a text over the limit as refused, with the reason, so it can still be copied', async () => {
		const long = 'x'.repeat(2001);
		await keepPostedMessage(form({ body: long }), page, me);
		expect(await outbox.of(me, conversation)).toMatchObject([
			{
				body: long,
				status: 'failed',
				error: { message: expect.stringMatching(/2,000 characters/), retryable: false }
			}
		]);
		expect(await outbox.pending(me)).toEqual([]);
	});

	it('keeps nothing for a blank text, and says the form was handled', async () => {
		expect(await keepPostedMessage(form({ body: ' \u3000 ' }), page, me)).toBe(true);
		expect(await outbox.of(me, conversation)).toEqual([]);
	});

	it('refuses a form written by someone other than the session’s user, or with ids that are not ids', async () => {
		expect(await keepPostedMessage(form({ body: 'Hi' }), page, other)).toBe(false);
		expect(await keepPostedMessage(form({ body: 'Hi', to: 'nobody' }), page, me)).toBe(false);
		expect(await keepPostedMessage(form({ body: 'Hi' }), '/messages/not-a-conversation', me)).toBe(false);
		expect(await keepPostedMessage(form({ body: 'Hi' }), `/messages/with/${me}`, me)).toBe(false);
		expect(await keepPostedMessage(form({ body: 'Hi' }), `/settings/${conversation}`, me)).toBe(false);
		expect(await outbox.pending(me)).toEqual([]);
		expect(await outbox.pending(other)).toEqual([]);
		// Without a way to read the session cookie, the form's writer is taken as the user.
		expect(await keepPostedMessage(form({ body: 'Hi' }), page, null)).toBe(true);
		expect(await outbox.pending(me)).toHaveLength(1);
	});
});
