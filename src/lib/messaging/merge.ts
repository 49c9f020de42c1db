// Pure list operations for the live views: merge rows from the database and from realtime
// events without duplicates, in the order the database defines.
import type { ConversationRow, MessageRow } from '$lib/schemas/rows';

/** Conversations newest first, ties by id descending (the list_conversations keyset order). */
export function newestFirst(a: ConversationRow, b: ConversationRow): number {
	const diff = Date.parse(b.last_message_at ?? '') - Date.parse(a.last_message_at ?? '');
	return diff || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
}

/** Held conversations updated with `rows`; a held row with a newer last message wins. */
export function mergeConversations(held: ConversationRow[], rows: ConversationRow[]): ConversationRow[] {
	const byId = new Map(held.map((c) => [c.id, c]));
	for (const row of rows) {
		const current = byId.get(row.id);
		// A realtime event may already have brought a newer state than this response.
		if (current && current.last_message_seq > row.last_message_seq) continue;
		byId.set(row.id, row);
	}
	return [...byId.values()].sort(newestFirst);
}

/**
 * Held messages plus `rows`, each id once, in seq order. A read receipt already held survives
 * a copy of the row fetched before it was read.
 */
export function mergeMessages(
	held: MessageRow[],
	rows: MessageRow[]
): { messages: MessageRow[]; added: MessageRow[] } {
	const byId = new Map(held.map((m) => [m.id, m]));
	const added: MessageRow[] = [];
	for (const row of rows) {
		const current = byId.get(row.id);
		if (!current) added.push(row);
		byId.set(row.id, current?.read_at && !row.read_at ? { ...row, read_at: current.read_at } : row);
	}
	return { messages: [...byId.values()].sort((a, b) => a.seq - b.seq), added };
}

/** Ids of `rows`, for dropping the outgoing copies of messages the server has stored. */
export function idsOf(rows: { id: string }[]): Set<string> {
	return new Set(rows.map((r) => r.id));
}

export function isoNow(): string {
	return new Date().toISOString();
}
