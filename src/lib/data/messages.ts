// Messages of a conversation, ordered by seq (dense per conversation: 1, 2, 3…).
// How they are read: only through the RPC list_messages, one capped page before a seq cursor. The
// catch-up after a reconnect pages back through it from the newest message until it meets what is
// held (and what must be checked again), so history and catch-up share one query and one page
// limit; one message (a reply's original) from the messages table under RLS. Written through
// send_message, edit_message and delete_message. Rows carry reply_to_id, edited_at and deleted_at
// (a deleted message has an empty body).
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import { messageSchema, type Message } from '$lib/schemas/rows';
import { first, ok, run, type Result } from './result';

/** Messages per page of history. */
export const PAGE_SIZE = 20;
/** The largest page list_messages returns: what the catch-up asks for each time. */
const CATCH_UP_PAGE_SIZE = 100;

function newestFirst(
	supabase: Supabase,
	conversationId: string,
	beforeSeq: number | undefined,
	pageSize: number
) {
	return run(
		supabase.rpc('list_messages', {
			conversation_id: conversationId,
			before_seq: beforeSeq,
			page_size: pageSize
		}),
		z.array(messageSchema)
	);
}

/**
 * Whether older messages exist before this page (oldest first). seq starts at 1 and has no gaps, so
 * the page's oldest seq says it exactly — a full page does not mean there is more.
 */
export function hasOlder(page: readonly { seq: number }[]): boolean {
	return (page[0]?.seq ?? 1) > 1;
}

/** One page of history before `beforeSeq` (the newest page without it), oldest first. */
export async function list(
	supabase: Supabase,
	conversationId: string,
	beforeSeq?: number
): Promise<Result<Message[]>> {
	const page = await newestFirst(supabase, conversationId, beforeSeq, PAGE_SIZE);
	return page.ok ? ok(page.data.toReversed()) : page;
}

/**
 * Every stored message from seq `fromSeq` on, oldest first, and the seq `from` (≤ fromSeq) the
 * answer is complete from: the catch-up after (re)subscribing, which replaces what is held in
 * that range with the database's rows. It pages back from the newest message; pages are whole, so
 * the newest page is checked in full even when only one new message was wanted.
 */
export async function since(
	supabase: Supabase,
	conversationId: string,
	fromSeq: number
): Promise<Result<{ rows: Message[]; from: number }>> {
	const newestFirstRows: Message[] = [];
	let beforeSeq: number | undefined;
	for (;;) {
		const page = await newestFirst(supabase, conversationId, beforeSeq, CATCH_UP_PAGE_SIZE);
		if (!page.ok) return page;
		newestFirstRows.push(...page.data);
		const oldest = page.data.at(-1);
		// A short page reached the first message: the answer is complete from the start.
		if (!oldest || page.data.length < CATCH_UP_PAGE_SIZE) {
			return ok({ rows: newestFirstRows.toReversed(), from: 1 });
		}
		// seq is dense: once a page reaches fromSeq, nothing in the range is missing.
		if (oldest.seq <= fromSeq) return ok({ rows: newestFirstRows.toReversed(), from: oldest.seq });
		beforeSeq = oldest.seq;
	}
}

/** Every message after `afterSeq`, oldest first (the part of `since` newer than what is held). */
export async function after(
	supabase: Supabase,
	conversationId: string,
	afterSeq: number
): Promise<Result<Message[]>> {
	const read = await since(supabase, conversationId, afterSeq + 1);
	return read.ok ? ok(read.data.rows.filter((m) => m.seq > afterSeq)) : read;
}

/**
 * How many seconds until I may send again under the rate limit (0: now). The database's own clock
 * and window decide, so the app's countdown matches the next refusal or acceptance.
 */
export function secondsUntilSending(supabase: Supabase): Promise<Result<number>> {
	return run(supabase.rpc('seconds_until_sending'), z.coerce.number());
}

/**
 * Sends (or re-sends: idempotent on `id`) a message; the first one creates the conversation.
 * `replyToId` quotes a message of the same conversation.
 */
export function send(
	supabase: Supabase,
	message: { recipientId: string; body: string; id: string; replyToId?: string | null }
): Promise<Result<Message>> {
	return run(
		supabase.rpc('send_message', {
			recipient_id: message.recipientId,
			body: message.body,
			message_id: message.id,
			reply_to_id: message.replyToId ?? undefined
		}),
		messageSchema
	);
}

/** How long after sending the sender may edit (private.message_edit_window() in the database). */
export const EDIT_WINDOW_MS = 15 * 60_000;

/** Changes the text of my message (within the edit window); resolves to the edited message. */
export function edit(supabase: Supabase, id: string, body: string): Promise<Result<Message>> {
	return run(supabase.rpc('edit_message', { message_id: id, body }), messageSchema);
}

/** Deletes my message for everyone; resolves to it as everyone now sees it (empty, deleted_at set). */
export function remove(supabase: Supabase, id: string): Promise<Result<Message>> {
	return run(supabase.rpc('delete_message', { message_id: id }), messageSchema);
}

const columns =
	'id, conversation_id, seq, sender_id, body, created_at, read_at, reply_to_id, edited_at, deleted_at';

/** One message I may read (a reply's original), or null (it does not exist, or RLS hides it). */
export function get(supabase: Supabase, id: string): Promise<Result<Message | null>> {
	return first(supabase.from('messages').select(columns).eq('id', id).limit(1), messageSchema);
}
