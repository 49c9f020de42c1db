import { describe, expect, it } from 'vitest';
import type { Supabase } from '$lib/supabase/types';
import * as messages from './messages';

const conversation = '20000000-0000-4000-8000-000000000001';

/** A client whose list_messages answers as the database does, over `count` stored messages. */
function storing(count: number) {
	const calls: { before_seq?: number; page_size: number }[] = [];
	const rows = Array.from({ length: count }, (_, i) => ({
		id: `40000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
		conversation_id: conversation,
		seq: i + 1,
		sender_id: null,
		body: `#${i + 1}`,
		created_at: '2026-01-01T10:00:00.000Z',
		read_at: null,
		reply_to_id: null,
		edited_at: null,
		deleted_at: null
	}));
	const client = {
		rpc: async (name: string, args: { before_seq?: number; page_size: number }) => {
			expect(name).toBe('list_messages');
			calls.push(args);
			const page = rows
				.filter((m) => m.seq < (args.before_seq ?? Infinity))
				.toReversed()
				.slice(0, Math.min(args.page_size, 100));
			return { data: page, error: null, status: 200 };
		}
	};
	return { supabase: client as unknown as Supabase, calls };
}

describe('catching up on a conversation', () => {
	it('pages back through list_messages until it meets the newest message held, and returns them oldest first', async () => {
		const { supabase, calls } = storing(250);
		const result = await messages.after(supabase, conversation, 20);
		expect(result.ok && result.data.map((m) => m.seq)).toEqual(Array.from({ length: 230 }, (_, i) => 21 + i));
		expect(calls.map((c) => c.before_seq)).toEqual([undefined, 151, 51]);
	});

	it('asks once when nothing or a little is new', async () => {
		const { supabase, calls } = storing(80);
		expect(await messages.after(supabase, conversation, 80)).toEqual({ ok: true, data: [] });
		const few = await messages.after(supabase, conversation, 77);
		expect(few.ok && few.data.map((m) => m.seq)).toEqual([78, 79, 80]);
		expect(calls).toHaveLength(2);
	});

	it('stops at the page that reaches the message after the newest held (seq has no gaps)', async () => {
		const { supabase, calls } = storing(200);
		const result = await messages.after(supabase, conversation, 100);
		expect(result.ok && result.data.map((m) => m.seq)).toEqual(
			Array.from({ length: 100 }, (_, i) => 101 + i)
		);
		expect(calls).toHaveLength(1);
	});
});

describe('reading everything from a seq on, to replace what is held', () => {
	it('returns the whole newest page when only new messages were asked for, complete from its oldest', async () => {
		const { supabase, calls } = storing(250);
		const result = await messages.since(supabase, conversation, 240);
		expect(result.ok && result.data.from).toBe(151);
		expect(result.ok && result.data.rows.map((m) => m.seq)).toEqual(
			Array.from({ length: 100 }, (_, i) => 151 + i)
		);
		expect(calls).toHaveLength(1);
	});

	it('pages back until it covers the seq asked for', async () => {
		const { supabase, calls } = storing(250);
		const result = await messages.since(supabase, conversation, 60);
		expect(result.ok && result.data.from).toBe(51);
		expect(result.ok && result.data.rows[0].seq).toBe(51);
		expect(calls.map((c) => c.before_seq)).toEqual([undefined, 151]);
	});

	it('is complete from the first message when a page comes back short, or nothing is stored', async () => {
		const few = await messages.since(storing(30).supabase, conversation, 25);
		expect(few.ok && few.data).toMatchObject({ from: 1 });
		expect(few.ok && few.data.rows).toHaveLength(30);
		expect(await messages.since(storing(0).supabase, conversation, 1)).toEqual({
			ok: true,
			data: { rows: [], from: 1 }
		});
	});
});

describe('hasOlder', () => {
	it('says no for a full page that starts at the first message (seq 1), yes when it starts later', () => {
		const page = (from: number, length: number) => Array.from({ length }, (_, i) => ({ seq: from + i }));
		expect(messages.hasOlder(page(1, 20))).toBe(false);
		expect(messages.hasOlder(page(2, 20))).toBe(true);
		expect(messages.hasOlder(page(61, 20))).toBe(true);
		expect(messages.hasOlder(page(1, 3))).toBe(false);
		expect(messages.hasOlder([])).toBe(false);
	});
});
