// The outbox on this device: messages written but not yet stored by the server, kept in IndexedDB
// so they survive closing the app. Keyed by message id, so a send is retried with the same id and
// send_message stores it once.
import type { AttachmentInput } from '$lib/attachments/pending.svelte';
import type { UserError } from '$lib/errors';
import * as database from './database';

export interface OutboxRecord {
	id: string;
	userId: string;
	/** The conversation id, or `new:<recipient id>` before the first message creates it. */
	thread: string;
	recipientId: string;
	body: string;
	created_at: string;
	/** pending: to be sent when possible; failed: the server refused it (error says why). */
	status: 'pending' | 'failed';
	error: UserError | null;
	/** The message this one replies to (absent in records written before replies existed). */
	replyToId?: string | null;
	/** The files sent with it (send_message's `attachments`), uploaded under its id; absent: none. */
	attachments?: AttachmentInput[];
	/** Whether those files are all in Storage (until then the message cannot be sent). */
	filesUploaded?: boolean;
}

/** The unsent messages of one thread, oldest first (the order they were written). */
export async function of(userId: string, thread: string): Promise<OutboxRecord[]> {
	if (!database.available()) return [];
	const rows = await (await database.open()).getAllFromIndex('outbox', 'by-thread', [userId, thread]);
	return rows.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Every message of this user still waiting to be sent, in any thread, oldest first. */
export async function pending(userId: string): Promise<OutboxRecord[]> {
	if (!database.available()) return [];
	const rows = await (await database.open()).getAll('outbox');
	return rows
		.filter((r) => r.userId === userId && r.status === 'pending')
		.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function put(record: OutboxRecord): Promise<void> {
	if (!database.available()) return;
	await (await database.open()).put('outbox', database.plain(record));
}

/** Marks a message refused by the server (or back to pending for a retry), if still queued. */
export async function setStatus(
	id: string,
	status: OutboxRecord['status'],
	error: UserError | null
): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	const record = await tx.store.get(id);
	// Already stored by the server (and removed): nothing to mark.
	if (record) await tx.store.put(database.plain({ ...record, status, error }));
	await tx.done;
}

/** The message's files are all uploaded (with what is now known of them): it may be sent. */
export async function filesUploaded(id: string, attachments: AttachmentInput[]): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	const record = await tx.store.get(id);
	if (record) await tx.store.put(database.plain({ ...record, attachments, filesUploaded: true }));
	await tx.done;
}

/**
 * Moves a thread's unsent messages to another thread: the first message created the conversation,
 * so what was written to `new:<recipient id>` now belongs to the conversation's id.
 */
export async function rethread(userId: string, from: string, to: string): Promise<void> {
	if (!database.available() || from === to) return;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	const records = await tx.store.index('by-thread').getAll([userId, from]);
	await Promise.all([...records.map((r) => tx.store.put({ ...r, thread: to })), tx.done]);
}

/** Removes messages the server stored, or the user discarded. */
export async function remove(ids: Iterable<string>): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	await Promise.all([...[...ids].map((id) => tx.store.delete(id)), tx.done]);
}

/** When the account is deleted: its unsent messages can never be sent, so they leave the device. */
export async function forget(userId: string): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	const mine = (await tx.store.getAll()).filter((r) => r.userId === userId);
	await Promise.all([...mine.map((r) => tx.store.delete(r.id)), tx.done]);
}
