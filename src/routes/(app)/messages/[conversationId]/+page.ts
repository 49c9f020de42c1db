import { browser } from '$app/environment';
import { error } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import * as messages from '$lib/data/messages';
import * as profiles from '$lib/data/profiles';
import type { ThreadSnapshot } from '$lib/device/last-seen';
import { lastSeen } from '$lib/device/on-demand';
import { withState } from '$lib/messaging/chat.svelte';
import { profileDependency } from '$lib/messaging/live-views';
import { uuidParamSchema } from '$lib/schemas/input';
import type { ChatPage } from '../chat-page';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent, depends }) => {
	const { supabase, profile } = await parent();
	if (!uuidParamSchema.safeParse(params.conversationId).success) error(404, 'Conversation not found.');

	const [conversation, history] = await Promise.all([
		conversations.get(supabase, params.conversationId),
		messages.list(supabase, params.conversationId)
	]);
	const failure = !conversation.ok ? conversation.error : !history.ok ? history.error : null;
	if (failure?.code === 'offline' && browser) {
		// Offline: what this device last saw of the conversation, if it was opened here before.
		const kept = await lastSeen.thread(profile.id, params.conversationId);
		if (!kept) error(503, 'You are offline, and this conversation has not been opened on this device yet.');
		const keptMessages = (await lastSeen.messages(profile.id, params.conversationId)).map(withState);
		if (kept.recipient) depends(profileDependency(kept.recipient.id));
		return { chat: chatPage(kept, keptMessages, (keptMessages[0]?.seq ?? 1) > 1) };
	}
	if (!conversation.ok) error(503, conversation.error.message);
	// RLS hides conversations I am not part of: they do not exist for me.
	if (!conversation.data) error(404, 'Conversation not found.');
	if (!history.ok) error(503, history.error.message);

	const c = conversation.data;
	const otherId = c.trainer_id === profile.id ? c.trainee_id : c.trainer_id;
	// Re-read when the other person is renamed (the database says so on my user topic).
	if (otherId) depends(profileDependency(otherId));
	const other = otherId ? await profiles.get(supabase, otherId) : null;
	if (other && !other.ok) error(503, other.error.message);

	const thread: ThreadSnapshot = {
		conversation: c,
		recipient: other?.data
			? { id: other.data.id, name: other.data.display_name, avatarUrl: other.data.avatar_url }
			: null,
		hasOlder: messages.hasOlder(history.data)
	};
	if (browser) void lastSeen.saveThread(profile.id, thread);
	return { chat: chatPage(thread, history.data, thread.hasOlder) };
};

function chatPage(thread: ThreadSnapshot, rows: ChatPage['messages'], hasOlder: boolean): ChatPage {
	return {
		recipient: thread.recipient,
		conversationId: thread.conversation.id,
		messages: rows,
		hasOlder,
		archivedReason: thread.conversation.archived_reason
	};
}
