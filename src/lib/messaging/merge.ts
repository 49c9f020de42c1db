// Pure list operations for the live views: merge rows from the database and from realtime
// events without duplicates, in the order the database defines.
import type { ConversationRow, MessageRow } from '$lib/schemas/rows';

/** Conversations newest first, ties by id descending (the list_conversations keyset order). */
export function newestFirst(a: ConversationRow, b: ConversationRow): number {
	const diff = Date.parse(b.last_message_at ?? '') - Date.parse(a.last_message_at ?? '');
	return diff || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
}

/** The inbox order (list_conversations' keyset order): pinned ones first, each part newest first. */
export function pinnedFirst(
	a: ConversationRow & { pinned_at?: string | null },
	b: ConversationRow & { pinned_at?: string | null }
): number {
	const pinned = Number(Boolean(b.pinned_at)) - Number(Boolean(a.pinned_at));
	return pinned || newestFirst(a, b);
}

/** Held conversations updated with `rows`; a held row with a newer last message wins. */
export function mergeConversations<Row extends ConversationRow>(
	held: Row[],
	rows: Row[],
	order: (a: Row, b: Row) => number = newestFirst
): Row[] {
	const byId = new Map(held.map((c) => [c.id, c]));
	for (const row of rows) {
		const current = byId.get(row.id);
		// A realtime event may already have brought a newer state than this response.
		if (current && current.last_message_seq > row.last_message_seq) continue;
		byId.set(row.id, row);
	}
	return [...byId.values()].sort(order);
}

/**
 * Held messages plus `rows`, each id once, in seq order. A read receipt already held survives
 * a copy of the row fetched before it was read.
 */
export function mergeMessages<T extends MessageRow>(held: T[], rows: T[]): { messages: T[]; added: T[] } {
	const byId = new Map(held.map((m) => [m.id, m]));
	const added: T[] = [];
	for (const row of rows) {
		const current = byId.get(row.id);
		if (!current) added.push(row);
		byId.set(row.id, current?.read_at && !row.read_at ? { ...row, read_at: current.read_at } : row);
	}
	return { messages: [...byId.values()].sort((a, b) => a.seq - b.seq), added };
}

/** Whether two copies of a message say the same thing (a read receipt may differ: it changes). */
export function sameMessage(a: MessageRow, b: MessageRow): boolean {
	return (
		a.id === b.id &&
		a.conversation_id === b.conversation_id &&
		a.seq === b.seq &&
		a.sender_id === b.sender_id &&
		a.body === b.body &&
		Date.parse(a.created_at) === Date.parse(b.created_at)
	);
}

/**
 * What a message that arrived as a realtime event is, next to the messages held (in seq order):
 * - `new`: the next message (seq one past the newest held), shown as it is;
 * - `held`: a copy of a message held, saying the same thing: nothing to do;
 * - `gap`: further ahead than the next one: events were missed, read the database;
 * - `conflict`: it contradicts what is held (a held id with other content, a new id at a seq
 *   already taken): never shown; the database is read instead.
 */
export function judgeEvent(held: MessageRow[], event: MessageRow): 'new' | 'held' | 'gap' | 'conflict' {
	const same = held.find((m) => m.id === event.id);
	if (same) return sameMessage(same, event) ? 'held' : 'conflict';
	const lastSeq = held.at(-1)?.seq ?? 0;
	if (event.seq === lastSeq + 1) return 'new';
	return event.seq > lastSeq + 1 ? 'gap' : 'conflict';
}

/**
 * The messages held after the database answered with every message from seq `from` on (`rows`,
 * oldest first, as of that read). In that range the database's rows replace what is held, and a
 * held message it did not return is dropped — unless it is newer than the read and arrived while
 * it ran (`arrivedDuringRead`). Older held messages stay. The other party's message I marked read
 * keeps its receipt if the read began before the receipt was committed; receipts on my own
 * messages are the database's alone.
 */
export function reconcileMessages<T extends MessageRow>(
	held: T[],
	rows: T[],
	from: number,
	me: string,
	arrivedDuringRead: ReadonlySet<string> = new Set()
): { messages: T[]; added: T[]; dropped: T[] } {
	const newestRead = rows.at(-1)?.seq ?? from - 1;
	const heldById = new Map(held.map((m) => [m.id, m]));
	const readIds = idsOf(rows);
	const kept = held.filter((m) => m.seq < from || (m.seq > newestRead && arrivedDuringRead.has(m.id)));
	const keptIds = idsOf(kept);
	const dropped = held.filter((m) => !keptIds.has(m.id) && !readIds.has(m.id));
	const fresh = rows
		.filter((row) => !keptIds.has(row.id))
		.map((row) => {
			const mine = heldById.get(row.id);
			return mine?.read_at && !row.read_at && row.sender_id !== me ? { ...row, read_at: mine.read_at } : row;
		});
	return {
		messages: [...kept, ...fresh].sort((a, b) => a.seq - b.seq),
		added: fresh.filter((row) => !heldById.has(row.id)),
		dropped
	};
}

/**
 * The held messages with what the device kept filled in: only messages of this conversation that
 * are not held (by id or by seq) and newer than the oldest held, so a device copy never replaces
 * what the database returned nor opens a hole in the history. A catch-up checks them.
 */
export function fillFromDevice<T extends MessageRow>(held: T[], kept: T[], conversationId: string): T[] {
	const oldestHeld = held[0]?.seq;
	const heldIds = idsOf(held);
	const heldSeqs = new Set(held.map((m) => m.seq));
	const fill = kept.filter(
		(m) =>
			!heldIds.has(m.id) &&
			!heldSeqs.has(m.seq) &&
			m.conversation_id === conversationId &&
			(oldestHeld === undefined || m.seq > oldestHeld)
	);
	return fill.length === 0 ? held : [...held, ...fill].sort((a, b) => a.seq - b.seq);
}

/** Ids of `rows`, for dropping the outgoing copies of messages the server has stored. */
export function idsOf(rows: { id: string }[]): Set<string> {
	return new Set(rows.map((r) => r.id));
}

export function isoNow(): string {
	return new Date().toISOString();
}
