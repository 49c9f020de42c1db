// Conversations, one per trainer–trainee pair.
// How they are read: the inbox (my conversations, newest first; pinned first with `inbox`, which also
// filters and carries my triage) through the RPC list_conversations, which pages with the keyset
// cursor and joins the other party and my unread count in one query;
// one known conversation (by id, by pair, for a page of trainees) from the conversations table
// under RLS, because the RPC selects only pages of the inbox. Written only by the database
// (send_message creates one; mark_conversation_read and the triggers update it). My own triage
// (pin, mute, marked unread) is written through set_conversation_pinned, set_conversation_muted and
// mark_conversation_unread.
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import {
	conversationRowSchema,
	conversationSchema,
	conversationSettingsSchema,
	inboxRowSchema,
	type Conversation,
	type ConversationRow,
	type ConversationSettings,
	type InboxRow
} from '$lib/schemas/rows';
import { first, ok, run, type Result } from './result';

export const PAGE_SIZE = 30;

/** Where the next inbox page starts: after this conversation. */
export interface Cursor {
	lastMessageAt: string;
	id: string;
}

/** My conversations, newest first, after the keyset cursor. */
export function list(
	supabase: Supabase,
	after?: Cursor,
	pageSize = PAGE_SIZE
): Promise<Result<ConversationRow[]>> {
	return run(
		supabase.rpc('list_conversations', {
			page_size: pageSize,
			before_last_message_at: after?.lastMessageAt,
			before_id: after?.id
		}),
		z.array(conversationRowSchema)
	);
}

/** How many messages I have not read, over all my conversations (the Messages badge). */
export function unreadTotal(supabase: Supabase): Promise<Result<number>> {
	return run(supabase.rpc('unread_total'), z.coerce.number());
}

/** Marks what I received in the conversation as read; resolves to how many messages were marked. */
export function markRead(supabase: Supabase, conversationId: string): Promise<Result<number>> {
	return run(supabase.rpc('mark_conversation_read', { conversation_id: conversationId }), z.coerce.number());
}

const columns =
	'id, trainer_id, trainee_id, last_message_seq, trainer_unread_count, trainee_unread_count, archived_at, archived_reason';

/** A conversation I take part in, or null (it does not exist or RLS hides it). */
export function get(supabase: Supabase, id: string): Promise<Result<Conversation | null>> {
	return first(supabase.from('conversations').select(columns).eq('id', id).limit(1), conversationSchema);
}

/** The conversation between a trainer and a trainee, if they have one. */
export function between(
	supabase: Supabase,
	pair: { trainerId: string; traineeId: string }
): Promise<Result<Conversation | null>> {
	return first(
		supabase
			.from('conversations')
			.select(columns)
			.eq('trainer_id', pair.trainerId)
			.eq('trainee_id', pair.traineeId)
			.limit(1),
		conversationSchema
	);
}

/** The conversations of a page of trainees (one query for the whole page). */
export function withTrainees(
	supabase: Supabase,
	trainerId: string,
	traineeIds: string[]
): Promise<Result<Conversation[]>> {
	if (traineeIds.length === 0) return Promise.resolve(ok([]));
	return run(
		supabase.from('conversations').select(columns).eq('trainer_id', trainerId).in('trainee_id', traineeIds),
		z.array(conversationSchema)
	);
}

/** Where the next page of the triaged inbox starts: after this conversation (pinned ones come first). */
export interface InboxCursor extends Cursor {
	pinned: boolean;
}

/** Which conversations the inbox shows. */
export interface InboxFilter {
	/** Only conversations with unread messages or marked unread. */
	unreadOnly?: boolean;
	/** true: only archived ones; false: only active ones; undefined: both. */
	archived?: boolean;
	/** The other person's name, as typed (accents and case ignored). */
	name?: string;
}

/**
 * My conversations, pinned first, then newest first, after the keyset cursor; with my own triage
 * state and the other person's last seen. One query (list_conversations) whatever the filter.
 */
export function inbox(
	supabase: Supabase,
	options: { after?: InboxCursor; pageSize?: number } & InboxFilter = {}
): Promise<Result<InboxRow[]>> {
	return run(
		supabase.rpc('list_conversations', {
			page_size: options.pageSize ?? PAGE_SIZE,
			before_last_message_at: options.after?.lastMessageAt,
			before_id: options.after?.id,
			before_pinned: options.after?.pinned,
			unread_only: options.unreadOnly,
			archived: options.archived,
			name_query: options.name
		}),
		z.array(inboxRowSchema)
	);
}

/** The cursor that continues the inbox after `row`. */
export function cursorAfter(row: InboxRow): InboxCursor | undefined {
	return row.last_message_at
		? { lastMessageAt: row.last_message_at, id: row.id, pinned: row.pinned_at !== null }
		: undefined;
}

/** Pins a conversation to the top of my list, or unpins it (for me only). */
export function setPinned(
	supabase: Supabase,
	conversationId: string,
	pinned: boolean
): Promise<Result<ConversationSettings>> {
	return run(
		supabase.rpc('set_conversation_pinned', { conversation_id: conversationId, pinned }),
		conversationSettingsSchema
	);
}

/** Mutes a conversation for me: no push, and it adds nothing to my unread total (badge). */
export function setMuted(
	supabase: Supabase,
	conversationId: string,
	muted: boolean
): Promise<Result<ConversationSettings>> {
	return run(
		supabase.rpc('set_conversation_muted', { conversation_id: conversationId, muted }),
		conversationSettingsSchema
	);
}

/** Marks a conversation unread for me (at least 1 in its row and my total) until I read it. */
export function markUnread(
	supabase: Supabase,
	conversationId: string
): Promise<Result<ConversationSettings>> {
	return run(
		supabase.rpc('mark_conversation_unread', { conversation_id: conversationId }),
		conversationSettingsSchema
	);
}
