import { describe, expect, it } from 'vitest';
import { setSoundEnabled, SOUND_KEY, soundEnabled, titleWithUnread } from './attention';

describe('titleWithUnread', () => {
	it('puts the count in front, replacing an earlier one, and drops it at zero', () => {
		expect(titleWithUnread('Settings · Spotter', 3)).toBe('(3) Settings · Spotter');
		expect(titleWithUnread('(3) Settings · Spotter', 12)).toBe('(12) Settings · Spotter');
		expect(titleWithUnread('(12) Settings · Spotter', 0)).toBe('Settings · Spotter');
	});

	it('names the app when the page has no title', () => {
		expect(titleWithUnread('', 2)).toBe('(2) Spotter');
	});
});

describe('sound setting', () => {
	it('is off until chosen, and off again when unchosen', () => {
		const items = new Map<string, string>();
		const storage = {
			getItem: (k: string) => items.get(k) ?? null,
			setItem: (k: string, v: string) => void items.set(k, v),
			removeItem: (k: string) => void items.delete(k)
		};
		expect(soundEnabled(storage)).toBe(false);
		setSoundEnabled(true, storage);
		expect(items.get(SOUND_KEY)).toBe('on');
		expect(soundEnabled(storage)).toBe(true);
		setSoundEnabled(false, storage);
		expect(soundEnabled(storage)).toBe(false);
	});
});
