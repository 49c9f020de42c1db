// What this device keeps in IndexedDB so Spotter works offline: the outbox of messages written
// but not yet stored by the server (keyed by message id, so a send is retried with the same id
// and send_message stores it once), and the last-seen profile, conversation list and recent
// messages of each conversation, shown when the network is gone. Drafts stay in localStorage.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { UserError } from './errors';
import type { Conversation, ConversationRow, MessageRow, Profile } from './schema';

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
}

export interface ThreadSnapshot {
	conversation: Conversation;
	recipient: { id: string; name: string; avatarUrl: string | null } | null;
	hasOlder: boolean;
}

export interface InboxSnapshot {
	conversations: ConversationRow[];
	unreadTotal: number;
}

/** Last-seen values, one kind per key: [user id, kind, conversation id or ''] (kinds below). */
interface LastSeen {
	profile: Profile;
	inbox: InboxSnapshot;
	thread: ThreadSnapshot;
	messages: MessageRow[];
}
type Kind = keyof LastSeen;
type LastSeenKey = [userId: string, kind: Kind, id: string];

interface SpotterDb extends DBSchema {
	outbox: { key: string; value: OutboxRecord; indexes: { 'by-thread': [string, string] } };
	'last-seen': { key: LastSeenKey; value: unknown };
}

/** How many of a conversation's newest messages are kept for offline reading. */
export const KEPT_MESSAGES = 50;
/** How many conversations of the list are kept for offline reading. */
export const KEPT_CONVERSATIONS = 30;

const DB_NAME = 'spotter';
let opening: Promise<IDBPDatabase<SpotterDb>> | undefined;

function db(): Promise<IDBPDatabase<SpotterDb>> {
	opening ??= openDB<SpotterDb>(DB_NAME, 1, {
		upgrade(database) {
			const outbox = database.createObjectStore('outbox', { keyPath: 'id' });
			outbox.createIndex('by-thread', ['userId', 'thread']);
			database.createObjectStore('last-seen');
		},
		blocking() {
			// A newer version of the app wants to upgrade the database: let it.
			void opening?.then((d) => d.close());
			opening = undefined;
		}
	});
	return opening;
}

/** Whether this browser has IndexedDB at all (not during server rendering, not in some webviews). */
export function deviceStorageAvailable(): boolean {
	return typeof indexedDB !== 'undefined';
}

// ---- outbox -----------------------------------------------------------------------------

/** The unsent messages of one thread, oldest first (the order they were written). */
export async function outboxOf(userId: string, thread: string): Promise<OutboxRecord[]> {
	if (!deviceStorageAvailable()) return [];
	const rows = await (await db()).getAllFromIndex('outbox', 'by-thread', [userId, thread]);
	return rows.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Every message of this user still waiting to be sent, in any thread, oldest first. */
export async function pendingOf(userId: string): Promise<OutboxRecord[]> {
	if (!deviceStorageAvailable()) return [];
	const rows = await (await db()).getAll('outbox');
	return rows
		.filter((r) => r.userId === userId && r.status === 'pending')
		.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function putOutgoing(record: OutboxRecord): Promise<void> {
	if (!deviceStorageAvailable()) return;
	await (await db()).put('outbox', record);
}

/** Marks a message refused by the server (or back to pending for a retry), if still queued. */
export async function setOutgoingStatus(
	id: string,
	status: OutboxRecord['status'],
	error: UserError | null
): Promise<void> {
	if (!deviceStorageAvailable()) return;
	const tx = (await db()).transaction('outbox', 'readwrite');
	const record = await tx.store.get(id);
	// Already stored by the server (and removed): nothing to mark.
	if (record) await tx.store.put({ ...record, status, error });
	await tx.done;
}

/** Removes messages the server stored, or the user discarded. */
export async function removeOutgoing(ids: Iterable<string>): Promise<void> {
	if (!deviceStorageAvailable()) return;
	const tx = (await db()).transaction('outbox', 'readwrite');
	await Promise.all([...[...ids].map((id) => tx.store.delete(id)), tx.done]);
}

// ---- last seen --------------------------------------------------------------------------

async function readLastSeen<K extends Kind>(
	userId: string,
	kind: K,
	id = ''
): Promise<LastSeen[K] | undefined> {
	if (!deviceStorageAvailable()) return undefined;
	return (await (await db()).get('last-seen', [userId, kind, id])) as LastSeen[K] | undefined;
}

async function writeLastSeen<K extends Kind>(
	userId: string,
	kind: K,
	id: string,
	value: LastSeen[K]
): Promise<void> {
	if (!deviceStorageAvailable()) return;
	// $state proxies cannot be cloned into IndexedDB: store plain copies.
	await (await db()).put('last-seen', plainCopy(value), [userId, kind, id]);
}

/** A deep plain copy (rows are JSON: strings, numbers, null). */
function plainCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export const lastSeen = {
	profile: (userId: string) => readLastSeen(userId, 'profile'),
	saveProfile: (profile: Profile) => writeLastSeen(profile.id, 'profile', '', profile),
	inbox: (userId: string) => readLastSeen(userId, 'inbox'),
	saveInbox: (userId: string, inbox: InboxSnapshot) =>
		writeLastSeen(userId, 'inbox', '', {
			conversations: inbox.conversations.slice(0, KEPT_CONVERSATIONS),
			unreadTotal: inbox.unreadTotal
		}),
	thread: (userId: string, conversationId: string) => readLastSeen(userId, 'thread', conversationId),
	saveThread: (userId: string, thread: ThreadSnapshot) =>
		writeLastSeen(userId, 'thread', thread.conversation.id, thread),
	messages: async (userId: string, conversationId: string) =>
		(await readLastSeen(userId, 'messages', conversationId)) ?? [],
	/** Keeps the newest KEPT_MESSAGES of `messages` (which are in seq order). */
	saveMessages: (userId: string, conversationId: string, messages: MessageRow[]) =>
		writeLastSeen(userId, 'messages', conversationId, messages.slice(-KEPT_MESSAGES))
};

/** On sign-out: the last-seen data of this user leaves the device (their outbox stays). */
export async function forgetLastSeen(userId: string): Promise<void> {
	if (!deviceStorageAvailable()) return;
	// Keys of one user lie between [userId] and [userId, []] (arrays sort after strings).
	await (await db()).delete('last-seen', IDBKeyRange.bound([userId], [userId, []]));
}

/** For tests: closes the connection so the database can be deleted. */
export async function closeOfflineStore(): Promise<void> {
	const open = opening;
	opening = undefined;
	if (open) (await open).close();
}
