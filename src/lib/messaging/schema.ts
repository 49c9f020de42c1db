// Zod schemas at the messaging boundaries: the composer's input (shared with the database's
// rules), the rows the RPCs return, and the realtime payloads the database broadcasts.
// zod/mini: the same schemas at a fraction of the bundle (this ships on every page).
import { z } from 'zod/mini';

export const MAX_MESSAGE_LENGTH = 2000;
/** The character counter appears from 90 % of the limit. */
export const COUNTER_FROM = 1800;

/** The characters the database trims from a message (btrim(body, E' \t\r\n\f\v\u00a0')). */
const EDGE_WHITESPACE = /^[ \t\r\n\f\v\u00a0]+|[ \t\r\n\f\v\u00a0]+$/g;

/** Characters as Postgres char_length counts them (code points, not UTF-16 units). */
export function characterCount(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}

export function trimMessage(text: string): string {
	return text.replace(EDGE_WHITESPACE, '');
}

/** What the composer may send: some visible text, at most 2000 characters as typed. */
export const messageBodySchema = z.pipe(
	z.string().check(
		z.refine((text) => /\S/u.test(text), 'Write something before sending.'),
		z.refine(
			(text) => characterCount(text) <= MAX_MESSAGE_LENGTH,
			`A message can be at most ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} characters.`
		)
	),
	z.transform(trimMessage)
);

const id = z.string().check(z.minLength(1));
const timestamp = z.string().check(z.minLength(1));
const count = z.coerce.number();

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

export const conversationRowSchema = z.object({
	id,
	other_party_id: z.nullable(id),
	other_party_name: z.nullable(z.string()),
	other_party_avatar_url: z.nullable(z.string()),
	other_party_role: z.nullable(roleSchema),
	last_message_at: z.nullable(timestamp),
	last_message_preview: z.nullable(z.string()),
	last_message_sender_id: z.nullable(id),
	last_message_seq: count,
	unread_count: count,
	archived_at: z.nullable(timestamp),
	archived_reason: z.nullable(archivedReasonSchema)
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

export const conversationSchema = z.object({
	id,
	trainer_id: z.nullable(id),
	trainee_id: z.nullable(id),
	last_message_seq: count,
	trainer_unread_count: count,
	trainee_unread_count: count,
	archived_at: z.nullable(timestamp),
	archived_reason: z.nullable(archivedReasonSchema)
});
export type Conversation = z.infer<typeof conversationSchema>;

export const invitationSchema = z.object({
	code: z.string(),
	created_at: timestamp,
	expires_at: timestamp
});
export type Invitation = z.infer<typeof invitationSchema>;

// Realtime payloads. Database broadcasts carry an extra `id`, so objects are not strict.
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
	last_message_at: z.nullable(timestamp),
	last_message_preview: z.nullable(z.string()),
	last_message_sender_id: z.nullable(id),
	last_message_seq: count,
	unread_count: count,
	unread_total: count,
	archived_at: z.nullable(timestamp),
	archived_reason: z.nullable(archivedReasonSchema)
});
export type ConversationChanged = z.infer<typeof conversationChangedSchema>;

/** Presence metadata each participant tracks on a conversation channel. */
export const typingPresenceSchema = z.object({ typing: z.boolean() });

/** Route parameters that name rows (any UUID shape, as Postgres accepts). */
export const uuidParamSchema = z.guid();

/** Invitation codes as the database stores them: 8 characters without look-alikes. */
export const invitationCodeSchema = z.pipe(
	z.pipe(
		z.string(),
		z.transform((code) => code.trim().toUpperCase())
	),
	z
		.string()
		.check(z.regex(/^[A-HJ-NP-Z2-9]{8}$/, 'An invitation code has 8 letters and digits, like K7QW2XPM.'))
);

export const displayNameSchema = z
	.string()
	.check(z.trim(), z.minLength(1, 'Enter a name.'), z.maxLength(80, 'A name can be at most 80 characters.'));
