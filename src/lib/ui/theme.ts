// The colour theme: the system's (default), or Light or Dark chosen in Settings and kept on this
// device. The inline script in app.html applies the stored choice before the first paint; this
// module is the only other place that reads or writes it.
export type Theme = 'system' | 'light' | 'dark';

export const THEME_KEY = 'spotter:theme';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

function isTheme(value: unknown): value is Theme {
	return THEMES.includes(value as Theme);
}

/** The stored choice ("system" when none, or when storage is blocked). */
export function storedTheme(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Theme {
	try {
		const value = storage?.getItem(THEME_KEY);
		return isTheme(value) ? value : 'system';
	} catch {
		// Storage blocked (private mode, a sandboxed frame): the system setting applies.
		return 'system';
	}
}

/** Stores the choice and applies it to the page at once. */
export function applyTheme(
	theme: Theme,
	root: HTMLElement = document.documentElement,
	storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.localStorage
): void {
	if (theme === 'system') delete root.dataset.theme;
	else root.dataset.theme = theme;
	try {
		if (theme === 'system') storage?.removeItem(THEME_KEY);
		else storage?.setItem(THEME_KEY, theme);
	} catch (error) {
		// Not kept on this device: the page still shows the choice until it is reloaded.
		console.error('The theme could not be stored on this device', error);
	}
}
