import { describe, expect, it } from 'vitest';
import { applyTheme, storedTheme, THEME_KEY } from './theme';

function memoryStorage(initial: Record<string, string> = {}) {
	const items = new Map(Object.entries(initial));
	return {
		items,
		getItem: (key: string) => items.get(key) ?? null,
		setItem: (key: string, value: string) => void items.set(key, value),
		removeItem: (key: string) => void items.delete(key)
	};
}

describe('theme', () => {
	it('follows the system when nothing or something unknown is stored', () => {
		expect(storedTheme(memoryStorage())).toBe('system');
		expect(storedTheme(memoryStorage({ [THEME_KEY]: 'purple' }))).toBe('system');
	});

	it('follows the system when storage is blocked', () => {
		const blocked = {
			getItem: () => {
				throw new Error('SecurityError');
			}
		};
		expect(storedTheme(blocked)).toBe('system');
	});

	it('stores a chosen theme and marks the page with it; choosing the system forgets it', () => {
		const storage = memoryStorage();
		const root = { dataset: {} as Record<string, string> } as unknown as HTMLElement;
		applyTheme('dark', root, storage);
		expect(root.dataset.theme).toBe('dark');
		expect(storedTheme(storage)).toBe('dark');
		applyTheme('system', root, storage);
		expect(root.dataset.theme).toBeUndefined();
		expect(storage.items.has(THEME_KEY)).toBe(false);
	});
});
