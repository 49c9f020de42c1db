// The composer's form, posted before the page was interactive (the send actions of a conversation's
// page and of a first message's page). Once the page is interactive the chat sends instead, and
// these are never asked.
import { fail, isActionFailure, type ActionFailure } from '@sveltejs/kit';
import * as messages from '$lib/data/messages';
import { uuidParamSchema } from '$lib/schemas/input';
import { messageBodySchema } from '$lib/schemas/message-body';
import type { Message } from '$lib/schemas/rows';
import type { Supabase } from '$lib/supabase/types';

/** What the page shows again when a post is refused: the text as written, and why. */
export interface Refusal {
	body: string;
	problem: string;
}

export interface PostedMessage {
	/** As written (what a refusal gives back). */
	text: string;
	/** As sent: checked and trimmed, as the chat sends it. */
	body: string;
	/** The id the page carried, or a new one. */
	id: string;
}

export function refused(status: number, text: string, problem: string): ActionFailure<Refusal> {
	return fail(status, { body: text, problem });
}

/** Whether the form was refused (the answer to return as it is). */
export function isRefused<T>(value: T | ActionFailure<Refusal>): value is ActionFailure<Refusal> {
	return isActionFailure(value);
}

/** The posted message, checked as the composer checks it, or the refusal to answer with. */
export async function readMessageForm(
	request: Request,
	signedIn: boolean
): Promise<PostedMessage | ActionFailure<Refusal>> {
	const form = await request.formData();
	const field = form.get('body');
	const text = typeof field === 'string' ? field : '';
	if (!signedIn) return refused(401, text, 'Your session has ended. Sign in again.');
	const checked = messageBodySchema.safeParse(text);
	if (!checked.success) return refused(400, text, checked.error.issues[0].message);
	const given = uuidParamSchema.safeParse(form.get('message_id'));
	return { text, body: checked.data, id: given.success ? given.data : crypto.randomUUID() };
}

/**
 * Sends it. The page carried the message's id, so a form posted twice (a double tap, a reload that
 * posts again) stores one message. A page the service worker kept can carry an id an earlier message
 * of mine already has: the database answers with that message, and this one gets an id of its own.
 */
export async function sendMessageForm(
	supabase: Supabase,
	recipientId: string,
	posted: PostedMessage
): Promise<Message | ActionFailure<Refusal>> {
	const content = { recipientId, body: posted.body };
	let sent = await messages.send(supabase, { ...content, id: posted.id });
	if (sent.ok && sent.data.body !== posted.body) {
		sent = await messages.send(supabase, { ...content, id: crypto.randomUUID() });
	}
	if (!sent.ok) return refused(sent.error.retryable ? 503 : 400, posted.text, sent.error.message);
	return sent.data;
}
