// Drafts kept on this device per user and conversation, so text survives navigating away
// mid-typing. In localStorage: small, synchronous, and read while the composer renders.

function storage(): Storage | null {
	return typeof localStorage === 'undefined' ? null : localStorage;
}

export function key(userId: string, thread: string): string {
	return `spotter:draft:${userId}:${thread}`;
}

export function load(key: string): string {
	return storage()?.getItem(key) ?? '';
}

export function save(key: string, text: string): void {
	const store = storage();
	if (!store) return;
	if (text) store.setItem(key, text);
	else store.removeItem(key);
}

/** When the account is deleted: every draft of this user leaves the device. */
export function forget(userId: string): void {
	const store = storage();
	if (!store) return;
	const prefix = key(userId, '');
	const keys = Array.from({ length: store.length }, (_, i) => store.key(i)).filter(
		(k): k is string => k?.startsWith(prefix) ?? false
	);
	for (const k of keys) store.removeItem(k);
}
