// Sending before the app's code has loaded: on a phone's cold start the chat is on screen (rendered
// by the server) most of a second before it is interactive, and a message written then is sent by
// the composer's own form, posted here ($lib/server/message-form). Actions only, no load: moving
// between conversations never asks this server.
import { redirect } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import { databaseErrors } from '$lib/errors';
import { uuidParamSchema } from '$lib/schemas/input';
import { isRefused, readMessageForm, refused, sendMessageForm } from '$lib/server/message-form';
import type { Actions } from './$types';

export const actions: Actions = {
	send: async ({ request, params, url, locals: { supabase, user } }) => {
		const posted = await readMessageForm(request, !!user);
		if (isRefused(posted)) return posted;
		const conversation = uuidParamSchema.safeParse(params.conversationId).success
			? await conversations.get(supabase, params.conversationId)
			: null;
		if (conversation && !conversation.ok) return refused(503, posted.text, conversation.error.message);
		// RLS hides conversations I am not part of: they do not exist for me.
		const c = conversation?.data;
		if (!c) return refused(404, posted.text, 'Conversation not found.');
		const recipientId = c.trainer_id === user?.id ? c.trainee_id : c.trainer_id;
		if (!recipientId) return refused(409, posted.text, databaseErrors.SP002.message);
		const sent = await sendMessageForm(supabase, recipientId, posted);
		if (isRefused(sent)) return sent;
		// The conversation as it now is: a reload shows it instead of posting again.
		redirect(303, url.pathname);
	}
};
