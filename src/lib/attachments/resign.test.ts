import { describe, expect, it } from 'vitest';
import { urlRefresher } from './resign';

const HOUR = 60 * 60 * 1000;

function setup(answers: (string | null)[]) {
	const clock = { now: 0 };
	const kept = new Map<string, string>();
	const asked: string[][] = [];
	const refresh = urlRefresher(
		async (paths) => {
			asked.push(paths);
			const url = answers.shift() ?? null;
			return url === null ? null : new Map(paths.map((p) => [p, url]));
		},
		(path, url) => kept.set(path, url),
		HOUR,
		() => clock.now
	);
	return { refresh, kept, asked, clock };
}

describe('re-signing a media URL that failed to load', () => {
	it('asks for a fresh URL of that path and keeps it where the chat reads URLs', async () => {
		const { refresh, kept, asked } = setup(['https://s/fresh']);
		expect(await refresh('u/m/a.jpg', 'https://s/expired')).toBe(true);
		expect(asked).toEqual([['u/m/a.jpg']]);
		expect(kept.get('u/m/a.jpg')).toBe('https://s/fresh');
	});

	it('asks once: a fresh URL that fails while still valid did not expire, so nothing loops', async () => {
		const { refresh, asked, clock } = setup(['https://s/fresh', 'https://s/fresher']);
		expect(await refresh('u/m/a.webm', 'https://s/expired')).toBe(true);
		expect(await refresh('u/m/a.webm', 'https://s/expired')).toBe(false);
		clock.now += 5_000;
		// A video this browser cannot play fails with every URL: still one signing.
		expect(await refresh('u/m/a.webm', 'https://s/fresh')).toBe(false);
		expect(asked).toHaveLength(1);
	});

	it('asks again when the URL it signed has expired in turn (the chat stayed open another hour)', async () => {
		const { refresh, asked, kept, clock } = setup(['https://s/fresh', 'https://s/fresher']);
		expect(await refresh('u/m/a.jpg', 'https://s/expired')).toBe(true);
		clock.now += HOUR + 1;
		expect(await refresh('u/m/a.jpg', 'https://s/fresh')).toBe(true);
		expect(asked).toHaveLength(2);
		expect(kept.get('u/m/a.jpg')).toBe('https://s/fresher');
	});

	it('treats each path on its own', async () => {
		const { refresh, asked } = setup(['https://s/a2', 'https://s/b2']);
		expect(await refresh('u/m/a.jpg', 'https://s/a1')).toBe(true);
		expect(await refresh('u/m/b.jpg', 'https://s/b1')).toBe(true);
		expect(asked).toEqual([['u/m/a.jpg'], ['u/m/b.jpg']]);
	});

	it('answers no when no URL could be signed (offline, no longer visible) and keeps nothing', async () => {
		const { refresh, kept } = setup([null]);
		expect(await refresh('u/m/a.jpg', 'https://s/expired')).toBe(false);
		expect(kept.size).toBe(0);
	});

	it('answers no when the signer hands back the very URL that failed', async () => {
		const { refresh, kept } = setup(['https://s/same']);
		expect(await refresh('u/m/a.jpg', 'https://s/same')).toBe(false);
		expect(kept.size).toBe(0);
	});
});
