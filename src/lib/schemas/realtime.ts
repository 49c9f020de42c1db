// What arrives on the realtime channels: broadcasts the database sends (hints, never trusted over
// a database read) and the presence the other participant tracks (it could send anything).
// Database broadcasts carry an extra `id`, so objects are not strict. A payload that parses is
// still checked against the conversation it arrived on (src/lib/messaging/chat.svelte.ts).
import { z } from 'zod/mini';
import { archiveShape, count, id, lastMessageShape, messageRowSchema, timestamp } from './rows';

export const messageCreatedSchema = z.object({ message: messageRowSchema });

export const messagesReadSchema = z.object({
	conversation_id: id,
	reader_id: z.nullable(id),
	up_to_seq: count,
	read_at: z.nullable(timestamp),
	count
});
export type MessagesRead = z.infer<typeof messagesReadSchema>;

export const conversationChangedSchema = z.object({
	conversation_id: id,
	other_party_id: z.nullable(id),
	...lastMessageShape,
	unread_count: count,
	unread_total: count,
	...archiveShape,
	// My own triage of it (absent from events of servers older than the triage migration).
	pinned_at: z.optional(z.nullable(timestamp)),
	muted: z.optional(z.boolean()),
	marked_unread: z.optional(z.boolean())
});
export type ConversationChanged = z.infer<typeof conversationChangedSchema>;

/** Who may use a conversation's topic changed (archived, restored): the app reads the conversation again. */
export const accessChangedSchema = z.object({ conversation_id: id, ...archiveShape });
export type AccessChanged = z.infer<typeof accessChangedSchema>;

/** Presence metadata each participant tracks on a conversation channel: only "typing" is read. */
export const typingPresenceSchema = z.object({ typing: z.boolean() });

/** A person I show was linked, unlinked, renamed or deleted: re-read what shows them. */
export const profileChangedSchema = z.object({ profile_id: id });
