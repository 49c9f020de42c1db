// The one timestamp formatter of the app, for the list and the chat alike: relative when recent,
// absolute when older, calendar days counted in the viewer's time zone (right around midnight),
// hours from Intl (never hour % 12, which shows noon as 0).

export interface TimeFormatOptions {
	/** BCP 47 locale; the browser's when omitted. */
	locale?: string;
	/** IANA time zone; the browser's when omitted. */
	timeZone?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface TimeFormatter {
	/** Short label for lists and bubbles: "now", "5 min. ago", "14:05", "Yesterday", "Mon", "Mar 4", "Mar 4, 2025". */
	short(at: Date, now?: Date): string;
	/**
	 * When someone was last seen, to follow "Last seen": "just now", "5 min. ago", "at 14:05",
	 * "yesterday", "on Mon", "on Mar 4", "on Mar 4, 2025".
	 */
	seen(at: Date, now?: Date): string;
	/** Full date and time, for tooltips and screen readers. */
	full(at: Date): string;
}

export function createTimeFormatter(options: TimeFormatOptions = {}): TimeFormatter {
	const { locale, timeZone } = options;
	const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
	const clock = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone });
	const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone });
	const monthDay = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone });
	const monthDayYear = new Intl.DateTimeFormat(locale, {
		year: 'numeric',
		month: 'short',
		day: 'numeric',
		timeZone
	});
	const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone });
	const dayParts = new Intl.DateTimeFormat('en-US', {
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		timeZone
	});

	/** Days since an arbitrary epoch for the calendar day `at` falls on in the time zone. */
	function dayNumber(at: Date): number {
		const parts = dayParts.formatToParts(at);
		const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
		return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / (24 * HOUR));
	}

	function yearOf(at: Date): number {
		return Number(dayParts.formatToParts(at).find((p) => p.type === 'year')?.value);
	}

	return {
		short(at, now = new Date()) {
			const ago = now.getTime() - at.getTime();
			if (ago < MINUTE) return relative.format(0, 'second');
			if (ago < HOUR) return relative.format(-Math.floor(ago / MINUTE), 'minute');
			const days = dayNumber(now) - dayNumber(at);
			if (days <= 0) return clock.format(at);
			if (days === 1) return capitalize(relative.format(-1, 'day'));
			if (days < 7) return weekday.format(at);
			if (yearOf(at) === yearOf(now)) return monthDay.format(at);
			return monthDayYear.format(at);
		},
		seen(at, now = new Date()) {
			const ago = now.getTime() - at.getTime();
			if (ago < MINUTE) return 'just now';
			if (ago < HOUR) return relative.format(-Math.floor(ago / MINUTE), 'minute');
			const days = dayNumber(now) - dayNumber(at);
			if (days <= 0) return `at ${clock.format(at)}`;
			if (days === 1) return relative.format(-1, 'day');
			if (days < 7) return `on ${weekday.format(at)}`;
			return `on ${(yearOf(at) === yearOf(now) ? monthDay : monthDayYear).format(at)}`;
		},
		full(at) {
			return full.format(at);
		}
	};
}

function capitalize(text: string): string {
	return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** The app-wide formatter in the viewer's locale and time zone. */
export const timeFormat = createTimeFormatter();
