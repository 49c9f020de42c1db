// Drafts kept on the device per user and conversation (edge case 9), in localStorage: small,
// synchronous, and read while the composer renders. The outbox lives in IndexedDB (offline-store).

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
