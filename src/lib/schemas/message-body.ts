// What a message body may be, as the composer checks it before sending: not blank, at most 2,000
// characters. The database enforces the same two rules on every insert (supabase/migrations,
// messaging); this copy only gives fast feedback, so it must not drift from that definition.
// "Characters" are code points, as Postgres counts them (it has no grapheme count): an emoji
// drawn as one picture can be several (👨‍👩‍👧 is five), and the composer says so.
import { z } from 'zod/mini';

export const MAX_MESSAGE_LENGTH = 2000;
/** The character counter appears from 90 % of the limit. */
export const COUNTER_FROM = 1800;

/**
 * One character that shows nothing on its own: Unicode White_Space, the format characters
 * (general category Cf: soft hyphen, zero-width and bidirectional marks, tags…) and the fillers
 * that render as blank (Hangul fillers, the blank Braille pattern). A body made only of these is
 * blank, and they are trimmed from both ends — the database uses exactly this set.
 */
export const BLANK_CHARACTER =
	/[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}\u115f\u1160\u3164\uffa0\u2800]/u;

const ONLY_BLANK = new RegExp(`^${BLANK_CHARACTER.source}*$`, 'u');

/** Characters as Postgres char_length counts them (code points, not UTF-16 units). */
export function characterCount(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}

export function isBlank(text: string): boolean {
	return ONLY_BLANK.test(text);
}

/** The body without blank characters at either end, as the database stores it. */
export function trimBlank(text: string): string {
	// By code point, in one pass from each end: a regex for the trailing run would retry at every
	// position of a long blank stretch inside the text.
	const characters = [...text];
	let start = 0;
	let end = characters.length;
	while (start < end && BLANK_CHARACTER.test(characters[start])) start++;
	while (end > start && BLANK_CHARACTER.test(characters[end - 1])) end--;
	return start === 0 && end === characters.length ? text : characters.slice(start, end).join('');
}

/**
 * Without U+0000. Postgres text cannot hold it (the API answers 22P05), and it shows nothing, so
 * the user could never find it to remove it: the composer drops it instead of refusing the message.
 */
export function withoutNul(text: string): string {
	return text.includes('\0') ? text.replaceAll('\0', '') : text;
}

/** What would be sent for what is typed: no NUL, no blank edges. */
export function bodyOf(text: string): string {
	return trimBlank(withoutNul(text));
}

export const TOO_LONG_MESSAGE = `A message can be at most ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} characters; some emoji count as several.`;

/** Whether `text` shows fewer characters than it counts: some visible character is several code points. */
export function hasMultiCodePointCharacters(text: string): boolean {
	for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) {
		if (segment.length > 1 && characterCount(segment) > 1) return true;
	}
	return false;
}

/** What the composer may send: without NUL, trimmed, not blank, at most 2,000 characters. */
export const messageBodySchema = z.pipe(
	z.pipe(z.string(), z.transform(bodyOf)),
	z.string().check(
		z.refine((body) => body !== '', 'Write something before sending.'),
		z.refine((body) => characterCount(body) <= MAX_MESSAGE_LENGTH, TOO_LONG_MESSAGE)
	)
);
