// A message the composer's form posted before the page was interactive, while the network was
// down. The service worker puts it in this device's outbox (outbox.ts) and sends the browser back to
// the conversation; the chat then shows it as waiting and sends it once the network is back, as any
// message written offline. So a message typed then is never lost to the browser's "no connection"
// page. (Online, the form goes to the server: src/routes/(app)/messages/[conversationId]/+page.server.ts.)
import { uuidParamSchema } from '$lib/schemas/input';
import { isBlank, messageBodySchema } from '$lib/schemas/message-body';
import * as outbox from './outbox';

/** A second post of the same text within this time is the same message (a double tap). */
const SAME_POST_MS = 10_000;

/** The posts this worker is keeping, one after another: a double tap's two posts arrive together. */
let keeping: Promise<unknown> = Promise.resolve();

/**
 * Keeps the message posted from `pathname` (a conversation, `/messages/<id>`, or a first message to
 * someone, `/messages/with/<their id>`) in the outbox. False when the form is not one to keep:
 * malformed, or written by someone other than the user the session cookie names (when the browser
 * tells).
 */
export function keepPostedMessage(
	form: FormData,
	pathname: string,
	sessionUser: string | null,
	now = new Date()
): Promise<boolean> {
	const kept = keeping.then(() => keep(form, pathname, sessionUser, now));
	keeping = kept.catch(() => undefined);
	return kept;
}

async function keep(
	form: FormData,
	pathname: string,
	sessionUser: string | null,
	now: Date
): Promise<boolean> {
	const field = (name: string) => {
		const value = form.get(name);
		return typeof value === 'string' ? value : '';
	};
	const from = field('from');
	const to = field('to');
	const [, messages, first, second, ...rest] = pathname.split('/');
	const toSomeone = first === 'with';
	const address = toSomeone ? second : first;
	if (messages !== 'messages' || rest.length > 0 || (toSomeone ? second !== to : second !== undefined)) {
		return false;
	}
	if (![from, to, address].every((id) => uuidParamSchema.safeParse(id).success)) return false;
	if (sessionUser && sessionUser !== from) return false;
	// Before the first message creates the conversation, its messages wait under the person.
	const thread = toSomeone ? outbox.newThread(to) : address;
	const text = field('body');
	// Nothing was written: nothing to keep, and the conversation shows again.
	if (isBlank(text)) return true;

	const body = messageBodySchema.safeParse(text);
	const kept = await outbox.of(from, thread);
	const posted = body.success ? body.data : text;
	if (kept.some((r) => r.body === posted && now.getTime() - Date.parse(r.created_at) < SAME_POST_MS))
		return true;
	// A new id, not the page's: a page the service worker kept can carry an id that an earlier
	// message already has, and the chat would take that message's answer as this one's.
	await outbox.put({
		id: crypto.randomUUID(),
		userId: from,
		thread,
		recipientId: to,
		body: posted,
		created_at: now.toISOString(),
		replyToId: null,
		// Too long: kept with the reason, so the text can still be copied from the chat.
		...(body.success
			? { status: 'pending', error: null }
			: {
					status: 'failed',
					error: { code: 'invalid-body', message: body.error.issues[0].message, retryable: false }
				})
	});
	return true;
}
