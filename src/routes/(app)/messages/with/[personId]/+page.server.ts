// A first message to someone, sent before the app's code has loaded ($lib/server/message-form; see
// [conversationId]/+page.server.ts). send_message checks that they are my trainer or trainee, and
// creates our conversation; the browser then goes to it. Actions only, no load.
import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { uuidParamSchema } from '$lib/schemas/input';
import { isRefused, readMessageForm, refused, sendMessageForm } from '$lib/server/message-form';
import type { Actions } from './$types';

export const actions: Actions = {
	send: async ({ request, params, locals: { supabase, user } }) => {
		const posted = await readMessageForm(request, !!user);
		if (isRefused(posted)) return posted;
		if (!uuidParamSchema.safeParse(params.personId).success) {
			return refused(404, posted.text, 'You can only message your own trainer or trainees.');
		}
		const sent = await sendMessageForm(supabase, params.personId, posted);
		if (isRefused(sent)) return sent;
		redirect(303, resolve('/(app)/messages/[conversationId]', { conversationId: sent.conversation_id }));
	}
};
