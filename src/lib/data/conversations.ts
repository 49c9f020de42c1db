// Conversations, one per trainer–trainee pair.
// How they are read: the inbox (my conversations, newest first) through the RPC list_conversations,
// which pages with the keyset cursor and joins the other party and my unread count in one query;
// one known conversation (by id, by pair, for a page of trainees) from the conversations table
// under RLS, because the RPC selects only pages of the inbox. Written only by the database
// (send_message creates one; mark_conversation_read and the triggers update it).
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import {
	conversationRowSchema,
	conversationSchema,
	type Conversation,
	type ConversationRow
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
