// What a page that shows a chat loads (a conversation, or a first message to someone). The messages
// layout renders the chat from it, keyed by the other person, so the same chat — its composer, its
// focus, its queue — stays on screen when the first message turns "new" into a conversation.
import type { ArchivedReason, Message } from '$lib/schemas/rows';

export interface Recipient {
	id: string;
	name: string;
	avatarUrl: string | null;
}

export interface ChatPage {
	/** Null when the other person's account was deleted. */
	recipient: Recipient | null;
	/** Null until the first message creates the conversation. */
	conversationId: string | null;
	/** The newest page, oldest first. */
	messages: Message[];
	hasOlder: boolean;
	archivedReason: ArchivedReason | null;
}

/** The chat a page loaded, if it shows one. */
export function chatOf(data: object): ChatPage | undefined {
	return (data as { chat?: ChatPage }).chat;
}

/** Which chat component a page's chat belongs to: the person, or the conversation if they are gone. */
export function chatKey(chat: ChatPage): string {
	return chat.recipient?.id ?? `conversation:${chat.conversationId}`;
}
