// The rows the database returns (tables read under RLS and the RPCs), checked as they arrive:
// a row that does not match is a bug between the app and the schema, so parsing throws.
import { z } from 'zod/mini';

export const id = z.string().check(z.minLength(1));
export const timestamp = z.string().check(z.minLength(1));
/** Counts and sequence numbers (bigint columns may arrive as strings). */
export const count = z.coerce.number();

export const messageRowSchema = z.object({
	id,
	conversation_id: id,
	seq: count,
	sender_id: z.nullable(id),
	body: z.string(),
	created_at: timestamp,
	read_at: z.nullable(timestamp)
});
export type MessageRow = z.infer<typeof messageRowSchema>;

export const archivedReasonSchema = z.enum(['unlinked', 'trainee_deleted', 'trainer_deleted']);
export type ArchivedReason = z.infer<typeof archivedReasonSchema>;

export const roleSchema = z.enum(['trainer', 'trainee', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** A conversation's newest message, as the inbox rows and the inbox events carry it. */
export const lastMessageShape = {
	last_message_at: z.nullable(timestamp),
	last_message_preview: z.nullable(z.string()),
	last_message_sender_id: z.nullable(id),
	last_message_seq: count
};

/** Whether and why a conversation is read-only, wherever a conversation is described. */
export const archiveShape = {
	archived_at: z.nullable(timestamp),
	archived_reason: z.nullable(archivedReasonSchema)
};

/** A row of list_conversations: one conversation as its viewer sees it. */
export const conversationRowSchema = z.object({
	id,
	other_party_id: z.nullable(id),
	other_party_name: z.nullable(z.string()),
	other_party_avatar_url: z.nullable(z.string()),
	other_party_role: z.nullable(roleSchema),
	...lastMessageShape,
	unread_count: count,
	...archiveShape
});
export type ConversationRow = z.infer<typeof conversationRowSchema>;

export const profileSchema = z.object({
	id,
	role: roleSchema,
	display_name: z.string(),
	avatar_url: z.nullable(z.string()),
	trainer_id: z.nullable(id)
});
export type Profile = z.infer<typeof profileSchema>;

/** A row of the conversations table: the pair, whoever looks at it. */
export const conversationSchema = z.object({
	id,
	trainer_id: z.nullable(id),
	trainee_id: z.nullable(id),
	last_message_seq: count,
	trainer_unread_count: count,
	trainee_unread_count: count,
	...archiveShape
});
export type Conversation = z.infer<typeof conversationSchema>;

export const invitationSchema = z.object({
	code: z.string(),
	created_at: timestamp,
	expires_at: timestamp,
	revoked_at: z.nullable(timestamp),
	/** How many trainees may use it; null: no limit. */
	max_uses: z.nullable(count),
	use_count: count
});
export type Invitation = z.infer<typeof invitationSchema>;

/** What message actions add to a message: the original it replies to, when it was edited or deleted. */
export const messageStateShape = {
	reply_to_id: z.nullable(id),
	edited_at: z.nullable(timestamp),
	deleted_at: z.nullable(timestamp),
	/** How many files it was sent with (absent from copies kept before the column existed). */
	attachment_count: z.optional(count)
};

/** A message as the messages table and its RPCs return it (a deleted message has an empty body). */
export const messageSchema = z.extend(messageRowSchema, messageStateShape);
export type Message = z.infer<typeof messageSchema>;

/** The reaction emoji, in the order the app shows them (private.reaction_emoji() in the database). */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏', '💪', '🔥'] as const;

/** A message's reactions (toggle_reaction's answer and the reactions_changed event). */
export const reactionSummarySchema = z.object({
	conversation_id: id,
	message_id: id,
	reactions: z.array(z.object({ emoji: z.string(), count, user_ids: z.array(id) }))
});
export type ReactionSummary = z.infer<typeof reactionSummarySchema>;

/** One user's triage of a conversation: pinned, muted, marked unread (theirs alone). */
export const triageShape = {
	pinned_at: z.nullable(timestamp),
	muted: z.boolean(),
	marked_unread: z.boolean()
};

/** A row of list_conversations with its triage state and the other person's last seen. */
export const inboxRowSchema = z.extend(conversationRowSchema, {
	...triageShape,
	other_party_last_seen_at: z.nullable(timestamp)
});
export type InboxRow = z.infer<typeof inboxRowSchema>;

export const conversationSettingsSchema = z.object({ conversation_id: id, ...triageShape });
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>;

/** A row of search_messages: where the hit is, who sent it, and an excerpt with its matches marked. */
export const searchHitRowSchema = z.object({
	id,
	conversation_id: id,
	seq: count,
	sender_id: z.nullable(id),
	created_at: timestamp,
	headline: z.string(),
	other_party_id: z.nullable(id),
	other_party_name: z.nullable(z.string())
});
export type SearchHitRow = z.infer<typeof searchHitRowSchema>;

/** A row of trainee_profile: a trainee as their trainer sees them. */
export const traineeProfileSchema = z.object({
	id,
	display_name: z.string(),
	avatar_url: z.nullable(z.string()),
	joined_at: timestamp,
	linked: z.boolean(),
	linked_at: z.nullable(timestamp),
	last_seen_at: z.nullable(timestamp),
	conversation_id: z.nullable(id),
	note: z.nullable(z.string()),
	note_updated_at: z.nullable(timestamp)
});
export type TraineeProfile = z.infer<typeof traineeProfileSchema>;

export const traineeNoteSchema = z.object({ trainee_id: id, body: z.string(), updated_at: timestamp });
export type TraineeNote = z.infer<typeof traineeNoteSchema>;

/** My own last-seen record: when I was last active, and whether I hide it. */
export const myLastSeenSchema = z.object({ seen_at: timestamp, hidden: z.boolean() });
export type MyLastSeen = z.infer<typeof myLastSeenSchema>;
