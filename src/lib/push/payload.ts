// The push payload: what the dispatcher encrypts for a device and the service worker shows.
// One schema for both sides, so a change on one side cannot silently break the other.
import { z } from 'zod';

const id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

export const pushPayloadSchema = z.object({
	conversation_id: id,
	message_id: id,
	sender_name: z.string().min(1).max(80),
	preview: z.string().max(200),
	unread_total: z.number().int().nonnegative(),
	/** Same-origin path of the conversation; the click opens it. */
	url: z.string().regex(/^\/messages\/[0-9a-f-]{36}$/i)
});

export type PushPayload = z.infer<typeof pushPayloadSchema>;

export function conversationUrl(conversationId: string): string {
	return `/messages/${conversationId}`;
}

/** One notification per conversation: a newer push replaces the older one instead of stacking. */
export function notificationTag(conversationId: string): string {
	return `conversation:${conversationId}`;
}
