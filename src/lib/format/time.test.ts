import { describe, expect, it } from 'vitest';
import { createTimeFormatter } from './time';

const utc = createTimeFormatter({ locale: 'en-US', timeZone: 'UTC' });
const at = (iso: string) => new Date(iso);

describe('short timestamps', () => {
	it('says "now" for the last minute', () => {
		expect(utc.short(at('2026-03-10T10:00:00Z'), at('2026-03-10T10:00:59Z'))).toBe('now');
	});

	it('counts minutes while under an hour, even across midnight', () => {
		expect(utc.short(at('2026-03-10T09:55:00Z'), at('2026-03-10T10:00:00Z'))).toBe('5 min. ago');
		expect(utc.short(at('2026-03-09T23:50:00Z'), at('2026-03-10T00:10:00Z'))).toBe('20 min. ago');
	});

	it('shows the clock time earlier the same day, with midnight as 12 AM and noon as 12 PM', () => {
		const evening = at('2026-03-10T23:30:00Z');
		expect(utc.short(at('2026-03-10T00:00:00Z'), evening)).toBe('12:00 AM');
		expect(utc.short(at('2026-03-10T00:05:00Z'), evening)).toBe('12:05 AM');
		expect(utc.short(at('2026-03-10T12:00:00Z'), evening)).toBe('12:00 PM');
		expect(utc.short(at('2026-03-10T13:07:00Z'), evening)).toBe('1:07 PM');
	});

	it('uses the 24-hour clock where the locale does', () => {
		const de = createTimeFormatter({ locale: 'de-DE', timeZone: 'UTC' });
		expect(de.short(at('2026-03-10T00:00:00Z'), at('2026-03-10T08:00:00Z'))).toBe('0:00');
		expect(de.short(at('2026-03-10T12:00:00Z'), at('2026-03-10T18:00:00Z'))).toBe('12:00');
	});

	it('says "Yesterday" for the previous calendar day, not for 24 hours ago', () => {
		expect(utc.short(at('2026-03-09T23:00:00Z'), at('2026-03-10T00:30:00Z'))).toBe('Yesterday');
		expect(utc.short(at('2026-03-09T00:30:00Z'), at('2026-03-10T23:30:00Z'))).toBe('Yesterday');
	});

	it('decides the calendar day in the viewer time zone', () => {
		const tokyo = createTimeFormatter({ locale: 'en-US', timeZone: 'Asia/Tokyo' });
		// 16:00 UTC on the 9th is 01:00 on the 10th in Tokyo: the same day as 10:00 Tokyo time.
		expect(tokyo.short(at('2026-03-09T16:00:00Z'), at('2026-03-10T01:00:00Z'))).toBe('1:00 AM');
		expect(utc.short(at('2026-03-09T16:00:00Z'), at('2026-03-10T01:00:00Z'))).toBe('Yesterday');
	});

	it('names the weekday within the last week', () => {
		expect(utc.short(at('2026-03-05T09:00:00Z'), at('2026-03-10T09:00:00Z'))).toBe('Thu');
	});

	it('shows month and day for older dates this year, and the year for earlier years', () => {
		expect(utc.short(at('2026-01-02T09:00:00Z'), at('2026-03-10T09:00:00Z'))).toBe('Jan 2');
		expect(utc.short(at('2025-12-24T09:00:00Z'), at('2026-03-10T09:00:00Z'))).toBe('Dec 24, 2025');
	});
});

describe('last seen', () => {
	const now = at('2026-03-10T18:00:00Z');
	it('reads after "Last seen": just now, minutes ago, a time today, yesterday, a weekday, a date', () => {
		expect(utc.seen(at('2026-03-10T17:59:30Z'), now)).toBe('just now');
		expect(utc.seen(at('2026-03-10T17:55:00Z'), now)).toBe('5 min. ago');
		expect(utc.seen(at('2026-03-10T09:05:00Z'), now)).toBe('at 9:05 AM');
		expect(utc.seen(at('2026-03-09T09:05:00Z'), now)).toBe('yesterday');
		expect(utc.seen(at('2026-03-05T09:00:00Z'), now)).toBe('on Thu');
		expect(utc.seen(at('2026-01-02T09:00:00Z'), now)).toBe('on Jan 2');
		expect(utc.seen(at('2025-12-24T09:00:00Z'), now)).toBe('on Dec 24, 2025');
	});
});

describe('full timestamps', () => {
	it('give the whole date and time', () => {
		expect(utc.full(at('2026-03-10T12:00:00Z'))).toBe('Tuesday, March 10, 2026 at 12:00 PM');
	});
});
