import { describe, expect, it } from 'vitest';
import { mergeConversations, mergeMessages } from './merge';
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
