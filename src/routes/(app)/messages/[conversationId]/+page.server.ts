// Sending before the app's code has loaded: on a phone's cold start the chat is on screen (rendered
// by the server) a second or more before it is interactive, and a message written then is sent by
// the composer's own form, posted here. Once the page is interactive the chat sends it itself (and
// this is never asked). Actions only, no load: moving between conversations never asks this server.
import { fail, redirect } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import * as messages from '$lib/data/messages';
import { databaseErrors } from '$lib/errors';
import { uuidParamSchema } from '$lib/schemas/input';
import { messageBodySchema } from '$lib/schemas/message-body';
import type { Actions } from './$types';

export const actions: Actions = {
	send: async ({ request, params, url, locals: { supabase, user } }) => {
		const form = await request.formData();
		const text = typeof form.get('body') === 'string' ? (form.get('body') as string) : '';
		if (!user) return fail(401, { body: text, problem: 'Your session has ended. Sign in again.' });
		const checked = messageBodySchema.safeParse(text);
		if (!checked.success) return fail(400, { body: text, problem: checked.error.issues[0].message });
		const conversation = uuidParamSchema.safeParse(params.conversationId).success
			? await conversations.get(supabase, params.conversationId)
			: null;
		if (conversation && !conversation.ok) {
			return fail(503, { body: text, problem: conversation.error.message });
		}
		// RLS hides conversations I am not part of: they do not exist for me.
		const c = conversation?.data;
		if (!c) return fail(404, { body: text, problem: 'Conversation not found.' });
		const recipientId = c.trainer_id === user.id ? c.trainee_id : c.trainer_id;
		if (!recipientId) return fail(409, { body: text, problem: databaseErrors.SP002.message });

		// The page carried the message's id, so a form posted twice (a double tap, a reload that posts
		// again) stores one message. A page kept by the service worker can carry an id already used by
		// an earlier message of mine: the database answers with that message, and this one gets its own.
		const given = uuidParamSchema.safeParse(form.get('message_id'));
		let sent = await messages.send(supabase, {
			recipientId,
			body: checked.data,
			id: given.success ? given.data : crypto.randomUUID()
		});
		if (sent.ok && sent.data.body !== checked.data) {
			sent = await messages.send(supabase, { recipientId, body: checked.data, id: crypto.randomUUID() });
		}
		if (!sent.ok) return fail(sent.error.retryable ? 503 : 400, { body: text, problem: sent.error.message });
		// The conversation as it now is: a reload shows it instead of posting again.
		redirect(303, url.pathname);
	}
};
