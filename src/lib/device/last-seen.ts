// What this device last saw, kept in IndexedDB so Spotter opens and reads offline: who was signed
// in, their profile, the conversation list and, per conversation, its header and newest messages,
// the people they message, and a trainer's first page of trainees. Keys are
// [user id, kind, conversation or person id, or ''], so one user's data can be forgotten on sign-out.
import type { Conversation, ConversationRow, Invitation, MessageRow, Profile } from '$lib/schemas/rows';
import { KEPT_CONVERSATIONS, KEPT_MESSAGES } from './basics';
import * as database from './database';

export { KEPT_CONVERSATIONS, KEPT_MESSAGES, WRITE_DELAY_MS } from './basics';

export interface ThreadSnapshot {
	conversation: Conversation;
	recipient: { id: string; name: string; avatarUrl: string | null } | null;
	hasOlder: boolean;
}

export interface InboxSnapshot {
	conversations: ConversationRow[];
	unreadTotal: number;
}

export interface TraineesSnapshot {
	trainees: Profile[];
	conversations: Conversation[];
	invitations: Invitation[];
}

/** Who was signed in on this device last (kept under no user's key: it says whose data to open). */
export interface SignedIn {
	id: string;
	email: string | null;
}

interface Kinds {
	profile: Profile;
	inbox: InboxSnapshot;
	thread: ThreadSnapshot;
	messages: MessageRow[];
	person: Profile;
	trainees: TraineesSnapshot;
	'signed-in': SignedIn;
}
type Kind = keyof Kinds;

async function read<K extends Kind>(userId: string, kind: K, id = ''): Promise<Kinds[K] | undefined> {
	if (!database.available()) return undefined;
	return (await (await database.open()).get('last-seen', [userId, kind, id])) as Kinds[K] | undefined;
}

async function write<K extends Kind>(userId: string, kind: K, id: string, value: Kinds[K]): Promise<void> {
	if (!database.available()) return;
	await (await database.open()).put('last-seen', database.plain(value), [userId, kind, id]);
}

export const profile = (userId: string) => read(userId, 'profile');
export const saveProfile = (value: Profile) => write(value.id, 'profile', '', value);

export const inbox = (userId: string) => read(userId, 'inbox');
export const saveInbox = (userId: string, value: InboxSnapshot) =>
	write(userId, 'inbox', '', {
		conversations: value.conversations.slice(0, KEPT_CONVERSATIONS),
		unreadTotal: value.unreadTotal
	});

export const thread = (userId: string, conversationId: string) => read(userId, 'thread', conversationId);
export const saveThread = (userId: string, value: ThreadSnapshot) =>
	write(userId, 'thread', value.conversation.id, value);

export const messages = async (userId: string, conversationId: string) =>
	(await read(userId, 'messages', conversationId)) ?? [];
/** Keeps the newest KEPT_MESSAGES of `rows` (which are in seq order). */
export const saveMessages = (userId: string, conversationId: string, rows: MessageRow[]) =>
	write(userId, 'messages', conversationId, rows.slice(-KEPT_MESSAGES));

/** Someone I message (my trainer, a trainee), for opening a first message to them offline. */
export const person = (userId: string, personId: string) => read(userId, 'person', personId);
export const savePerson = (userId: string, value: Profile) => write(userId, 'person', value.id, value);

/** A trainer's first page of trainees, with their conversations and open invitations. */
export const trainees = (userId: string) => read(userId, 'trainees');
export const saveTrainees = (userId: string, value: TraineesSnapshot) => write(userId, 'trainees', '', value);

/**
 * Who was signed in here last, confirmed by the Auth server. Offline, a session whose access token
 * has expired cannot be refreshed, so this is how the app knows whose copy to open (reading only
 * what this device already holds; every request to the server still needs a valid session).
 */
export const signedIn = () => read('', 'signed-in');
export const saveSignedIn = (value: SignedIn) => write('', 'signed-in', '', value);

/** On sign-out: the last-seen data of this user leaves the device (their outbox stays). */
export async function forget(userId: string): Promise<void> {
	if (!database.available()) return;
	const db = await database.open();
	// Keys of one user lie between [userId] and [userId, []] (arrays sort after strings).
	await db.delete('last-seen', IDBKeyRange.bound([userId], [userId, []]));
	if ((await signedIn())?.id === userId) await db.delete('last-seen', ['', 'signed-in', '']);
}
