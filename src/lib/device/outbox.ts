// The outbox on this device: messages written but not yet stored by the server, kept in IndexedDB
// so they survive closing the app. Keyed by message id, so a send is retried with the same id and
// send_message stores it once. A message's files wait beside it (the store `outbox-files`, as
// prepared: re-encoded photo, video poster) until it is stored, even once uploaded: Storage removes
// an upload that no message references after a day, so a message held longer uploads them again
// from here. (A file uploaded before Send is written here only once its message has to wait.)
import type { AttachmentInput } from '$lib/attachments/pending.svelte';
import type { AttachmentKind } from '$lib/attachments/limits';
import type { AttachmentMeta } from '$lib/attachments/prepare';
import type { UserError } from '$lib/errors';
import type { IDBPObjectStore } from 'idb';
import * as database from './database';

export { isQuotaExceeded, newThread } from './basics';
import type { SpotterDb } from './database';

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
	/**
	 * Whether those files are all in Storage (until then the message cannot be sent). The device
	 * keeps its copies until the message is stored even so: Storage removes an upload that no message
	 * references after a day, and a message held longer uploads them again from here.
	 */
	filesUploaded?: boolean;
}

/** One file of an unsent message, as prepared on this device, kept until the message is stored. */
export interface OutboxFile {
	/** The object key in the `attachments` bucket: `<user id>/<message id>/<safe name>`. */
	path: string;
	messageId: string;
	userId: string;
	/** The name as picked (the attachment row keeps it). */
	name: string;
	/** Its place among the message's files. */
	position: number;
	blob: Blob;
	mime: string;
	kind: AttachmentKind;
	meta: AttachmentMeta;
	/** A video's poster frame, uploaded beside it. */
	poster: Blob | null;
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

/**
 * Stores a message to send. With the database open already, the write is asked for before this
 * returns (not a turn later), so the browser stores it while the page draws the message.
 */
export async function put(record: OutboxRecord): Promise<void> {
	if (!database.available()) return;
	const copy = database.plain(record);
	const open = database.openNow();
	await (open ? open.put('outbox', copy) : (await database.open()).put('outbox', copy));
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

/**
 * Keeps a prepared file of a queued message (put first) until the message is stored. The blobs are
 * stored as they are (a JSON copy would lose them); everything else is copied plain, never a
 * `$state` proxy. Throws what IndexedDB throws: a full disk is `isQuotaExceeded`.
 */
export async function putFile(file: OutboxFile): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction(['outbox', 'outbox-files'], 'readwrite');
	const record = await tx.objectStore('outbox').get(file.messageId);
	// Sent or discarded meanwhile: nothing to keep. Uploaded already, it is kept all the same until
	// the message is stored (see OutboxRecord.filesUploaded).
	if (record) {
		await tx.objectStore('outbox-files').put({
			path: file.path,
			messageId: file.messageId,
			userId: file.userId,
			name: file.name,
			position: file.position,
			blob: file.blob,
			mime: file.mime,
			kind: file.kind,
			meta: database.plain(file.meta),
			poster: file.poster
		});
	}
	await tx.done;
}

/** The files the device kept of a queued message, in the message's order. */
export async function filesOf(messageId: string): Promise<OutboxFile[]> {
	if (!database.available()) return [];
	const files = await (await database.open()).getAllFromIndex('outbox-files', 'by-message', messageId);
	return files.sort((a, b) => a.position - b.position);
}

/**
 * The message's files are all uploaded (with what is now known of them): it may be sent. The
 * device's copies stay until it is stored (`remove`): Storage may remove the uploads first.
 */
export async function filesUploaded(id: string, attachments: AttachmentInput[]): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	const record = await tx.store.get(id);
	if (record) await tx.store.put(database.plain({ ...record, attachments, filesUploaded: true }));
	await tx.done;
}

/**
 * The server said a file of the message is missing: Storage removed the upload before the message
 * was stored (an upload no message references goes after a day). It is to be uploaded again from
 * the device's copies; resolves to those copies (none: nothing can bring the file back).
 */
export async function filesRemoved(id: string): Promise<OutboxFile[]> {
	if (!database.available()) return [];
	const files = await filesOf(id);
	if (files.length === 0) return files;
	const tx = (await database.open()).transaction('outbox', 'readwrite');
	const record = await tx.store.get(id);
	if (record) await tx.store.put({ ...record, filesUploaded: false });
	await tx.done;
	return files;
}

type FilesStore = IDBPObjectStore<SpotterDb, ('outbox' | 'outbox-files')[], 'outbox-files', 'readwrite'>;

async function dropFiles(store: FilesStore, messageIds: string[]): Promise<void> {
	const index = store.index('by-message');
	for (const id of messageIds) {
		for (const key of await index.getAllKeys(id)) await store.delete(key);
	}
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

/** Removes messages the server stored, or the user discarded, with any files still beside them. */
export async function remove(ids: Iterable<string>): Promise<void> {
	if (!database.available()) return;
	const list = [...ids];
	const tx = (await database.open()).transaction(['outbox', 'outbox-files'], 'readwrite');
	const outbox = tx.objectStore('outbox');
	await Promise.all([
		...list.map((id) => outbox.delete(id)),
		dropFiles(tx.objectStore('outbox-files'), list),
		tx.done
	]);
}

/** When the account is deleted: its unsent messages can never be sent, so they leave the device. */
export async function forget(userId: string): Promise<void> {
	if (!database.available()) return;
	const tx = (await database.open()).transaction(['outbox', 'outbox-files'], 'readwrite');
	const outbox = tx.objectStore('outbox');
	const files = tx.objectStore('outbox-files');
	const mine = (await outbox.getAll()).filter((r) => r.userId === userId);
	const myFiles = (await files.getAll()).filter((f) => f.userId === userId);
	await Promise.all([
		...mine.map((r) => outbox.delete(r.id)),
		...myFiles.map((f) => files.delete(f.path)),
		tx.done
	]);
}
