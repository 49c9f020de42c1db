// The push payload: what the dispatcher encrypts for a device and the service worker shows.
// One schema for both sides, so a change on one side cannot silently break the other.
// Relative imports only: the dispatcher also runs outside Vite (scripts/, under tsx).
import { z } from 'zod/mini';

const id = z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i));

export const pushPayloadSchema = z.object({
	conversation_id: id,
	message_id: id,
	sender_name: z.string().check(z.minLength(1), z.maxLength(80)),
	preview: z.string().check(z.maxLength(200)),
	unread_total: z.int().check(z.nonnegative()),
	/** Same-origin path of the conversation; the click opens it. */
	url: z.string().check(z.regex(/^\/messages\/[0-9a-f-]{36}$/i))
});

export type PushPayload = z.infer<typeof pushPayloadSchema>;

export function conversationUrl(conversationId: string): string {
	return `/messages/${conversationId}`;
}

/** One notification per conversation: a newer push replaces the older one instead of stacking. */
export function notificationTag(conversationId: string): string {
	return `conversation:${conversationId}`;
}
