// Sends what the device outbox still holds when the app starts and whenever the connection comes
// back, whichever conversation is on screen (or none). send_message is idempotent on the message
// id, so a message also being sent by an open chat at the same moment is stored once. Files kept
// with a message on the device are uploaded first, to their fixed keys (idempotent too), and again
// if Storage removed them before the message was stored.
import type { Result } from '$lib/data/result';
import type { AttachmentInput } from '$lib/attachments/pending.svelte';
import * as attachments from '$lib/data/attachments';
import * as messages from '$lib/data/messages';
import { outbox } from '$lib/device/on-demand';
import type { OutboxRecord } from '$lib/device/outbox';
import { FILE_MISSING, FILE_MISSING_KEPT, type UserError } from '$lib/errors';
import { whenBack } from '$lib/supabase/realtime';
import type { StorageTarget } from '$lib/attachments/upload';
import { storageTarget } from '$lib/supabase/storage';
import type { Supabase } from '$lib/supabase/types';
import { uploadingInChat } from './uploading';

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

/**
 * Sends each pending message of `userId` in the order written; refusals are kept with their reason.
 * A message whose files are not all in Storage has them uploaded first from the device's copies
 * (to `storage`); without it, or while a chat uploads them, it and later ones wait.
 */
export async function flushOutbox(
	userId: string,
	send: Send,
	storage?: () => Promise<StorageTarget>
): Promise<FlushResult> {
	const result: FlushResult = { sent: 0, refused: 0, stopped: false };
	/** Uploads the kept files of a message not yet in Storage, then sends it; `waits`: not now. */
	const attempt = async (record: OutboxRecord): Promise<Result<unknown> | 'waits' | 'refused'> => {
		if (record.attachments && !record.filesUploaded) {
			if (!storage || uploadingInChat.has(record.id)) return 'waits';
			const kept = await outbox.filesOf(record.id);
			const { inputOf, uploadQueued } = await import('$lib/attachments/queued');
			const uploaded = await uploadQueued(await storage(), kept);
			if (!uploaded.ok) {
				if (uploaded.error.retryable) return 'waits';
				await outbox.setStatus(record.id, 'failed', uploaded.error);
				return 'refused';
			}
			// A file the device kept no copy of was in Storage already when the message was written.
			const inputs = record.attachments.map((a) => {
				const file = kept.find((f) => f.path === a.path);
				return file ? inputOf(file) : a;
			});
			await outbox.filesUploaded(record.id, inputs);
			record.attachments = inputs;
			record.filesUploaded = true;
		}
		return send({
			recipientId: record.recipientId,
			body: record.body,
			id: record.id,
			replyToId: record.replyToId ?? null,
			attachments: record.attachments
		});
	};

	for (const record of await outbox.pending(userId)) {
		let outcome = await attempt(record);
		let uploadedAgain = false;
		// Storage removed a file before the message was stored (held on this device for over a day):
		// an open chat uploads it again itself; otherwise once more, from the device's copies.
		if (typeof outcome === 'object' && !outcome.ok && outcome.error.code === FILE_MISSING) {
			if (uploadingInChat.has(record.id)) {
				outcome = 'waits';
			} else if (storage && (await outbox.filesRemoved(record.id)).length > 0) {
				record.filesUploaded = false;
				uploadedAgain = true;
				outcome = await attempt(record);
			}
		}
		if (outcome === 'refused') {
			result.refused++;
		} else if (outcome === 'waits') {
			result.stopped = true;
			break;
		} else if (outcome.ok) {
			await outbox.remove([record.id]);
			result.sent++;
		} else if (outcome.error.retryable) {
			// Sending later ones first would reorder the conversation.
			result.stopped = true;
			break;
		} else {
			// Removed again after it was uploaded again: the device still has the files for a retry.
			const kept = uploadedAgain && outcome.error.code === FILE_MISSING;
			await outbox.setStatus(record.id, 'failed', kept ? FILE_MISSING_KEPT : outcome.error);
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
		running = flushOutbox(
			userId,
			(m) =>
				m.attachments
					? attachments.send(supabase, { ...m, attachments: m.attachments })
					: messages.send(supabase, m),
			async () => storageTarget(supabase)
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
