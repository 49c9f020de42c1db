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
