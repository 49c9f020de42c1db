import { describe, expect, it } from 'vitest';
import { objectKey, posterName, sanitiseFileName, uniqueNames } from './key';

// Storage's key rule: only these characters (plus space and a few we never produce).
const storageSafe = /^[A-Za-z0-9._-]+$/;

describe('file names for object keys', () => {
	it('keeps a plain name as it is', () => {
		expect(sanitiseFileName('squat-form.mp4')).toBe('squat-form.mp4');
	});

	it('turns accents into their letters and spaces into dashes', () => {
		expect(sanitiseFileName('Trainingsplan März.pdf')).toBe('Trainingsplan-Marz.pdf');
		expect(sanitiseFileName('Crème brûlée (1).JPG')).toBe('Creme-brulee-1.JPG');
	});

	it('gives a name of other scripts, emoji or only symbols a readable fallback', () => {
		expect(sanitiseFileName('写真.jpg')).toBe('file.jpg');
		expect(sanitiseFileName('💪💪.png')).toBe('file.png');
		expect(sanitiseFileName('%#[]')).toBe('file');
		expect(sanitiseFileName('')).toBe('file');
	});

	it('never leaves path separators, dot segments or characters Storage refuses', () => {
		for (const name of ['../../etc/passwd', 'a/b\\c.txt', '..', 'x%2F..%2Fy.png', 'a#b?c&d.jpg', '.hidden']) {
			const safe = sanitiseFileName(name);
			expect(safe).toMatch(storageSafe);
			expect(safe).not.toMatch(/^\.|\.\./);
		}
	});

	it('keeps the extension when it shortens a long name', () => {
		const safe = sanitiseFileName(`${'a'.repeat(300)}.jpeg`);
		expect(safe.length).toBe(100);
		expect(safe.endsWith('.jpeg')).toBe(true);
	});

	it('makes a message’s names distinct', () => {
		expect(uniqueNames(['a.jpg', 'A.jpg', 'a.jpg', 'b.jpg'])).toEqual([
			'a.jpg',
			'A-2.jpg',
			'a-3.jpg',
			'b.jpg'
		]);
	});

	it('puts a file in my folder, under the message', () => {
		expect(objectKey('u1', 'm1', 'a.jpg')).toBe('u1/m1/a.jpg');
		expect(posterName('set.mov')).toBe('set.poster.jpg');
	});
});
