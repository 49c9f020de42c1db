// Getting attention for a message that arrives while Spotter is in a background tab: the unread
// count in the tab title ("(3) Spotter"), and an optional short chime (chime.ts). The chime is off
// unless chosen in Settings; the choice stays on the device.

export const SOUND_KEY = 'spotter:sound';

/** The page's own title with the unread count in front, or without it at zero. */
export function titleWithUnread(title: string, unread: number): string {
	const base = title.replace(/^\(\d+\) /, '') || 'Spotter';
	return unread > 0 ? `(${unread}) ${base}` : base;
}

/**
 * Keeps the unread count in front of whatever title the current page sets (pages set their own
 * with <svelte:head>). Returns the teardown.
 */
export function keepUnreadInTitle(document: Document, unread: number): () => void {
	const apply = () => {
		const next = titleWithUnread(document.title, unread);
		if (next !== document.title) document.title = next;
	};
	apply();
	const observer = new MutationObserver(apply);
	observer.observe(document.head, { subtree: true, childList: true, characterData: true });
	return () => observer.disconnect();
}

export function soundEnabled(
	storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage
): boolean {
	try {
		return storage?.getItem(SOUND_KEY) === 'on';
	} catch {
		// Storage blocked: no sound, the default.
		return false;
	}
}

export function setSoundEnabled(
	on: boolean,
	storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.localStorage
): void {
	try {
		if (on) storage?.setItem(SOUND_KEY, 'on');
		else storage?.removeItem(SOUND_KEY);
	} catch (error) {
		console.error('The sound setting could not be stored on this device', error);
	}
}
