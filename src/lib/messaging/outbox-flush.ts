// Sends what the device outbox still holds when the app starts and whenever the connection comes
// back, whichever conversation is on screen (or none). send_message is idempotent on the message
// id, so a message also being sent by an open chat at the same moment is stored once.
import type { Result } from '$lib/data/result';
import type { AttachmentInput } from '$lib/attachments/pending.svelte';
import * as attachments from '$lib/data/attachments';
import * as messages from '$lib/data/messages';
import * as outbox from '$lib/device/outbox';
import type { UserError } from '$lib/errors';
import { whenBack } from '$lib/supabase/realtime';
import type { Supabase } from '$lib/supabase/types';

export interface FlushResult {
	sent: number;
	refused: number;
	/** Set when the network went away or the server said "later" (rate limit); the rest, in order,
	 * waits for the next flush. */
	stopped: boolean;
}

type Send = (message: {
	recipientId: string;
	body: string;
	id: string;
	replyToId?: string | null;
	attachments?: AttachmentInput[];
}) => Promise<Result<unknown>>;

/** Sends each pending message of `userId` in the order written; refusals are kept with their reason. */
export async function flushOutbox(userId: string, send: Send): Promise<FlushResult> {
	const result: FlushResult = { sent: 0, refused: 0, stopped: false };
	for (const record of await outbox.pending(userId)) {
		// Its files are still uploading in an open chat, which sends it: later ones wait behind it.
		if (record.attachments && !record.filesUploaded) {
			result.stopped = true;
			break;
		}
		const outcome = await send({
			recipientId: record.recipientId,
			body: record.body,
			id: record.id,
			replyToId: record.replyToId ?? null,
			attachments: record.attachments
		});
		if (outcome.ok) {
			await outbox.remove([record.id]);
			result.sent++;
		} else if (outcome.error.retryable) {
			// Sending later ones first would reorder the conversation.
			result.stopped = true;
			break;
		} else {
			await outbox.setStatus(record.id, 'failed', outcome.error);
			result.refused++;
		}
	}
	return result;
}

/**
 * Flushes now and whenever the app is back (network or tab, with a fresh session: see `whenBack`);
 * returns the teardown (for an $effect).
 */
export function keepOutboxFlowing(
	supabase: Supabase,
	userId: string,
	onError: (e: UserError) => void
): () => void {
	let running: Promise<void> | undefined;
	const flush = () => {
		if (running || !navigator.onLine) return;
		running = flushOutbox(userId, (m) =>
			m.attachments
				? attachments.send(supabase, { ...m, attachments: m.attachments })
				: messages.send(supabase, m)
		)
			.then((r) => {
				if (r.refused > 0) {
					onError({
						code: 'outbox_refused',
						message: `${r.refused} message${r.refused === 1 ? ' was' : 's were'} not sent; open the conversation to see why.`,
						retryable: false
					});
				}
			})
			.finally(() => {
				running = undefined;
			});
	};
	flush();
	return whenBack(supabase, flush);
}
