import { describe, expect, it } from 'vitest';
import {
	fillFromDevice,
	judgeEvent,
	mergeConversations,
	mergeMessages,
	reconcileMessages,
	sameMessage
} from './merge';
import type { ConversationRow, MessageRow } from '$lib/schemas/rows';

const message = (seq: number, extra: Partial<MessageRow> = {}): MessageRow => ({
	id: `m${seq}`,
	conversation_id: 'c',
	seq,
	sender_id: 'a',
	body: `#${seq}`,
	created_at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
	read_at: null,
	...extra
});

const conversation = (id: string, minute: number, seq = minute): ConversationRow => ({
	id,
	other_party_id: 'o',
	other_party_name: 'Other',
	other_party_avatar_url: null,
	other_party_role: 'trainee',
	last_message_at: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
	last_message_preview: 'hi',
	last_message_sender_id: 'o',
	last_message_seq: seq,
	unread_count: 0,
	archived_at: null,
	archived_reason: null
});

describe('merging messages', () => {
	it('keeps each message once, in seq order, whatever order they arrive in', () => {
		const { messages, added } = mergeMessages([message(1), message(3)], [message(3), message(2), message(4)]);
		expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
		expect(added.map((m) => m.seq)).toEqual([2, 4]);
	});

	it('does not lose a read receipt to an older copy of the row', () => {
		const read = message(1, { read_at: '2026-01-01T01:00:00Z' });
		expect(mergeMessages([read], [message(1)]).messages[0].read_at).toBe('2026-01-01T01:00:00Z');
	});
});

describe('a message that arrives as an event', () => {
	const held = [message(1), message(2), message(3)];

	it('is shown when it is the next one', () => {
		expect(judgeEvent(held, message(4))).toBe('new');
		expect(judgeEvent([], message(1))).toBe('new');
	});

	it('changes nothing when it repeats a message held, read receipt aside', () => {
		expect(judgeEvent(held, message(3))).toBe('held');
		expect(judgeEvent(held, message(3, { read_at: '2026-01-01T01:00:00Z' }))).toBe('held');
	});

	it('is a gap to fill from the database when it is further ahead', () => {
		expect(judgeEvent(held, message(6))).toBe('gap');
		expect(judgeEvent([], message(2))).toBe('gap');
	});

	it('never replaces a message held: a reused id with other text, sender, seq or time is a conflict', () => {
		for (const forged of [
			message(2, { body: 'I quit' }),
			message(2, { sender_id: 'b' }),
			message(2, { conversation_id: 'other' }),
			message(2, { created_at: '2030-01-01T00:00:00Z' }),
			{ ...message(4), id: 'm2' }
		]) {
			expect(judgeEvent(held, forged), JSON.stringify(forged)).toBe('conflict');
		}
	});

	it('is a conflict when a new id claims a seq already taken', () => {
		expect(judgeEvent(held, { ...message(2), id: 'forged' })).toBe('conflict');
		expect(judgeEvent(held, { ...message(1), id: 'forged' })).toBe('conflict');
	});

	it('is the same message whatever format the same instant is written in', () => {
		const a = message(1, { created_at: '2026-01-01T00:01:00+00:00' });
		expect(sameMessage(a, message(1, { created_at: '2026-01-01T00:01:00.000Z' }))).toBe(true);
	});
});

describe('replacing what is held with the database’s answer', () => {
	it('drops a held message the database does not have in the range it read', () => {
		const forged = { ...message(3), id: 'forged', body: 'I quit' };
		const { messages, dropped } = reconcileMessages(
			[message(1), message(2), forged],
			[message(2), message(3)],
			2,
			'a'
		);
		expect(messages.map((m) => [m.id, m.body])).toEqual([
			['m1', '#1'],
			['m2', '#2'],
			['m3', '#3']
		]);
		expect(dropped.map((m) => m.id)).toEqual(['forged']);
	});

	it('replaces a held copy with the database’s content and receipts', () => {
		const held = [message(1, { body: 'forged text', read_at: '2026-01-01T01:00:00Z' })];
		const { messages } = reconcileMessages(held, [message(1)], 1, 'a');
		expect(messages).toEqual([message(1)]);
	});

	it('keeps my own read receipt on the other party’s message when the read began before it was stored', () => {
		const mineRead = message(1, { sender_id: 'b', read_at: '2026-01-01T01:00:00Z' });
		const { messages } = reconcileMessages([mineRead], [message(1, { sender_id: 'b' })], 1, 'a');
		expect(messages[0].read_at).toBe('2026-01-01T01:00:00Z');
	});

	it('keeps older messages it did not read, and newer ones only if they arrived during the read', () => {
		const held = [message(1), message(2), message(3), message(4), message(5)];
		const { messages, added, dropped } = reconcileMessages(
			held,
			[message(2), message(3)],
			2,
			'a',
			new Set(['m5'])
		);
		expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 5]);
		expect(added).toEqual([]);
		expect(dropped.map((m) => m.id)).toEqual(['m4']);
	});

	it('reports the messages it brings that were not held', () => {
		const { added } = reconcileMessages([message(1)], [message(1), message(2)], 1, 'a');
		expect(added.map((m) => m.id)).toEqual(['m2']);
	});

	it('empties the range when the database holds nothing there', () => {
		expect(reconcileMessages([message(1)], [], 1, 'a').messages).toEqual([]);
	});
});

describe('filling in from the device’s copy', () => {
	it('adds only what is not held, newer than the oldest held, of this conversation', () => {
		const kept = [
			message(1),
			{ ...message(3), body: 'device copy of 3' },
			{ ...message(4), id: 'other-4' },
			message(5),
			{ ...message(6), conversation_id: 'elsewhere' }
		];
		const held = [message(2), message(3), message(4)];
		expect(fillFromDevice(held, kept, 'c').map((m) => [m.id, m.body])).toEqual([
			['m2', '#2'],
			['m3', '#3'],
			['m4', '#4'],
			['m5', '#5']
		]);
	});

	it('is everything of this conversation when nothing is held (opened offline)', () => {
		expect(fillFromDevice([], [message(2), message(1)], 'c').map((m) => m.seq)).toEqual([1, 2]);
	});
});

describe('merging conversations', () => {
	it('orders newest first, ties broken by id descending', () => {
		const rows = mergeConversations([], [conversation('a', 1), conversation('c', 2), conversation('b', 2)]);
		expect(rows.map((c) => c.id)).toEqual(['c', 'b', 'a']);
	});

	it('keeps a newer realtime state over an older database page', () => {
		const live = { ...conversation('a', 5, 10), last_message_preview: 'newest' };
		const rows = mergeConversations([live], [conversation('a', 4, 9)]);
		expect(rows[0].last_message_preview).toBe('newest');
	});
});
