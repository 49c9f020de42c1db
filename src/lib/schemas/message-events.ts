// The realtime events of message actions and triage, as the database broadcasts them (hints: the
// app reads the database again, never trusts a payload over it). Database broadcasts carry an extra
// `id`, so objects are not strict.
import { z } from 'zod/mini';
import { conversationChangedSchema } from './realtime';
import {
	count,
	id,
	messageRowSchema,
	messageSchema,
	reactionSummarySchema,
	timestamp,
	triageShape
} from './rows';

/** message_updated on conversation:<id>: an edited or deleted message, as the API returns it. */
export const messageUpdatedSchema = z.object({ message: messageSchema });
export type MessageUpdated = z.infer<typeof messageUpdatedSchema>;

/** reactions_changed on conversation:<id>: the message's reactions after a change. */
export const reactionsChangedSchema = reactionSummarySchema;
export type ReactionsChanged = z.infer<typeof reactionsChangedSchema>;

/** conversation_changed on user:<id>, with the receiving user's own pin, mute and marked-unread state. */
export const conversationChangedWithTriageSchema = z.extend(conversationChangedSchema, triageShape);
export type ConversationChangedWithTriage = z.infer<typeof conversationChangedWithTriageSchema>;

/**
 * message_created on conversation:<id>, read with the message-action columns (the database sends the
 * whole row): a reply's original is shown at once, and checked like the rest at the next catch-up.
 * Absent columns read as "none" (null), as from a sender older than message actions.
 */
export const messageCreatedWithStateSchema = z.object({
	message: z.extend(messageRowSchema, {
		reply_to_id: z.optional(z.nullable(id)),
		edited_at: z.optional(z.nullable(timestamp)),
		deleted_at: z.optional(z.nullable(timestamp)),
		attachment_count: z.optional(count)
	})
});
