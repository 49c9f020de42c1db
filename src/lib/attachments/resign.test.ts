import { describe, expect, it } from 'vitest';
import { urlRefresher } from './resign';

function setup(answers: (string | null)[]) {
	const kept = new Map<string, string>();
	const asked: string[][] = [];
	const refresh = urlRefresher(
		async (paths) => {
			asked.push(paths);
			const url = answers.shift() ?? null;
			return url === null ? null : new Map(paths.map((p) => [p, url]));
		},
		(path, url) => kept.set(path, url)
	);
	return { refresh, kept, asked };
}

describe('re-signing a media URL that failed to load', () => {
	it('asks for a fresh URL of that path and keeps it where the chat reads URLs', async () => {
		const { refresh, kept, asked } = setup(['https://s/fresh']);
		expect(await refresh('u/m/a.jpg', 'https://s/expired')).toBe(true);
		expect(asked).toEqual([['u/m/a.jpg']]);
		expect(kept.get('u/m/a.jpg')).toBe('https://s/fresh');
	});

	it('asks once per failed URL, so a fresh URL that fails as well does not loop', async () => {
		const { refresh, asked } = setup(['https://s/fresh', 'https://s/fresher']);
		expect(await refresh('u/m/a.jpg', 'https://s/expired')).toBe(true);
		expect(await refresh('u/m/a.jpg', 'https://s/expired')).toBe(false);
		expect(asked).toHaveLength(1);
		// An hour later the fresh one expires in turn: that is a new failure, asked once more.
		expect(await refresh('u/m/a.jpg', 'https://s/fresh')).toBe(true);
		expect(asked).toHaveLength(2);
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
