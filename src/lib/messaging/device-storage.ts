// What the device keeps between visits, per user and conversation: unsent drafts (edge case 9)
// and the outbox of messages written but not yet stored by the server.
import { z } from 'zod/mini';

const outboxSchema = z.array(z.object({ id: z.string(), body: z.string(), created_at: z.string() }));
export type OutboxEntry = z.infer<typeof outboxSchema>[number];

function storage(): Storage | null {
	return typeof localStorage === 'undefined' ? null : localStorage;
}

export function draftKey(userId: string, thread: string): string {
	return `spotter:draft:${userId}:${thread}`;
}

export function loadDraft(key: string): string {
	return storage()?.getItem(key) ?? '';
}

export function saveDraft(key: string, text: string): void {
	const store = storage();
	if (!store) return;
	if (text) store.setItem(key, text);
	else store.removeItem(key);
}

export function outboxKey(userId: string, thread: string): string {
	return `spotter:outbox:${userId}:${thread}`;
}

export function loadOutbox(key: string): OutboxEntry[] {
	const raw = storage()?.getItem(key);
	if (!raw) return [];
	const parsed = outboxSchema.safeParse(JSON.parse(raw));
	return parsed.success ? parsed.data : [];
}

export function saveOutbox(key: string, entries: OutboxEntry[]): void {
	const store = storage();
	if (!store) return;
	if (entries.length) store.setItem(key, JSON.stringify(entries));
	else store.removeItem(key);
}
