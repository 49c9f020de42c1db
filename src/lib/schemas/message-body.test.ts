import { describe, expect, it } from 'vitest';
import {
	BLANK_CHARACTER,
	characterCount,
	hasMultiCodePointCharacters,
	isBlank,
	messageBodySchema,
	trimBlank
} from './message-body';

/** Code points from single values and inclusive [first, last] ranges. */
function codePoints(...parts: (number | [number, number])[]): number[] {
	return parts.flatMap((part) => {
		if (typeof part === 'number') return [part];
		const [first, last] = part;
		return Array.from({ length: last - first + 1 }, (_, i) => first + i);
	});
}

const blankClasses = {
	'Unicode White_Space': codePoints(
		[0x09, 0x0d],
		0x20,
		0x85,
		0xa0,
		0x1680,
		[0x2000, 0x200a],
		0x2028,
		0x2029,
		0x202f,
		0x205f,
		0x3000
	),
	'format characters (Cf)': codePoints(
		0xad,
		[0x0600, 0x0605],
		0x061c,
		0x06dd,
		0x070f,
		[0x0890, 0x0891],
		0x08e2,
		0x180e,
		[0x200b, 0x200f],
		[0x202a, 0x202e],
		[0x2060, 0x2064],
		[0x2066, 0x206f],
		0xfeff,
		[0xfff9, 0xfffb],
		0x110bd,
		0x110cd,
		[0x13430, 0x1343f],
		[0x1bca0, 0x1bca3],
		[0x1d173, 0x1d17a],
		0xe0001,
		[0xe0020, 0xe007f]
	),
	'invisible fillers': codePoints(0x115f, 0x1160, 0x3164, 0xffa0, 0x2800)
};

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

describe('a blank message', () => {
	for (const [name, points] of Object.entries(blankClasses)) {
		it(`is made of ${name} only, each of which is trimmed from both ends`, () => {
			for (const cp of points) {
				const ch = String.fromCodePoint(cp);
				expect(BLANK_CHARACTER.test(ch), hex(cp)).toBe(true);
				expect(isBlank(ch + ch), hex(cp)).toBe(true);
				expect(messageBodySchema.safeParse(`${ch} ${ch}`).success, hex(cp)).toBe(false);
				expect(trimBlank(`${ch}a${ch}b${ch}`), hex(cp)).toBe(`a${ch}b`);
			}
		});
	}

	it('is nothing else: letters, emoji, combining marks and the neighbours of the set are text', () => {
		const text = [
			'a',
			'💧',
			'\u0301', // combining acute accent
			'\u034f', // combining grapheme joiner (a mark, not a format character)
			'\u0008',
			'\u000e',
			'\u001f',
			'\u0084',
			'\u0086',
			'\u2010',
			'\u2065', // unassigned, between two runs of the set
			'\ufffc',
			'\u{e0000}',
			'\u{e0080}'
		];
		for (const ch of text) {
			expect(isBlank(ch), hex(ch.codePointAt(0)!)).toBe(false);
			expect(messageBodySchema.safeParse(ch).success, hex(ch.codePointAt(0)!)).toBe(true);
		}
	});

	it('is refused with a sentence, including newlines, non-breaking and zero-width spaces', () => {
		for (const body of ['', '   ', '\n\n\t', '\u00a0 ', '\u200b\u200b', '\u3164', '\ufeff \u2800']) {
			const result = messageBodySchema.safeParse(body);
			expect(result.success).toBe(false);
			expect(result.error?.issues[0].message).toBe('Write something before sending.');
		}
	});

	it('keeps blank characters between words', () => {
		expect(messageBodySchema.parse('\u200b a \u200b\n\n b \u3000')).toBe('a \u200b\n\n b');
	});
});

describe('message body', () => {
	it('accepts 2000 characters and trims the edges as the database does', () => {
		const body = 'a'.repeat(2000);
		expect(messageBodySchema.parse(body)).toBe(body);
		expect(messageBodySchema.parse('  hi\n')).toBe('hi');
	});

	it('refuses 2001 characters', () => {
		const result = messageBodySchema.safeParse('a'.repeat(2001));
		expect(result.success).toBe(false);
		expect(result.error?.issues[0].message).toBe(
			'A message can be at most 2,000 characters; some emoji count as several.'
		);
	});

	it('refuses whitespace only, including newlines and non-breaking spaces', () => {
		for (const body of ['', '   ', '\n\n\t', '\u00a0 ']) {
			expect(messageBodySchema.safeParse(body).success).toBe(false);
		}
	});

	it('counts characters as Postgres does, an emoji being one', () => {
		expect(characterCount('💧💧')).toBe(2);
		expect(messageBodySchema.safeParse('💧'.repeat(2000)).success).toBe(true);
		expect(messageBodySchema.safeParse('💧'.repeat(2001)).success).toBe(false);
	});

	it('counts code points as Postgres does: 401 family emoji are 2,005 characters, and the composer says why', () => {
		const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}';
		expect(characterCount(family)).toBe(5);
		expect(characterCount(family.repeat(401))).toBe(2005);
		expect(messageBodySchema.safeParse(family.repeat(400)).success).toBe(true);
		const refused = messageBodySchema.safeParse(family.repeat(401));
		expect(refused.error?.issues[0].message).toMatch(/some emoji count as several/);
		expect(hasMultiCodePointCharacters(family)).toBe(true);
		expect(hasMultiCodePointCharacters('💧 plain text é')).toBe(false);
		expect(hasMultiCodePointCharacters('e\u0301')).toBe(true);
	});

	it('drops NUL characters, which the database cannot store and nobody can see, instead of refusing', () => {
		expect(messageBodySchema.parse('a\0b\0')).toBe('ab');
		expect(messageBodySchema.parse(' \0hi\0 ')).toBe('hi');
		const onlyNul = messageBodySchema.safeParse('\0\0');
		expect(onlyNul.error?.issues[0].message).toBe('Write something before sending.');
	});

	it('counts the 2000 after trimming, as the database stores the body', () => {
		expect(messageBodySchema.parse(`\n${'a'.repeat(2000)}\u200b `)).toBe('a'.repeat(2000));
	});
});
