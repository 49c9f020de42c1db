// How a chat's history reads: a separator for each calendar day, a "New messages" line where what
// I had not read starts, and consecutive messages of one sender grouped so that the time is shown
// once per group. Pure, so the rules are tested without a browser; days are counted in the
// viewer's time zone (a message at 00:10 belongs to that day, not the one before).

export interface TimelineMessage {
	id: string;
	sender_id: string | null;
	created_at: string;
}

export type TimelineItem<M extends TimelineMessage> =
	| { kind: 'day'; key: string; label: string }
	| { kind: 'unread'; key: string }
	| {
			kind: 'message';
			key: string;
			message: M;
			/** First of its group: the bubble starts a new block (space above, the sender's name if needed). */
			first: boolean;
			/** Last of its group: the time is shown under it. */
			last: boolean;
	  };

/** Messages of one sender further apart than this start a new group. */
export const GROUP_GAP_MS = 5 * 60_000;

export interface TimelineOptions {
	/** The first message the viewer had not read when the chat opened; the "New messages" line goes above it. */
	firstUnreadId?: string | null;
	now?: Date;
	/** BCP 47 locale; the browser's when omitted. */
	locale?: string;
	/** IANA time zone; the browser's when omitted. */
	timeZone?: string;
}

export interface DayFormatter {
	/** "Today", "Yesterday", a weekday within the last week, else the date (with the year when not this one). */
	label(at: Date, now: Date): string;
	/** A stable key for the calendar day `at` falls on. */
	key(at: Date): string;
	/** The clock time shown under a group, whatever its age: "14:05". */
	clock(at: Date): string;
}

/** How many instants a day formatter remembers the day of (more than a chat holds). */
const KNOWN_DAYS = 5000;

export function createDayFormatter(options: { locale?: string; timeZone?: string } = {}): DayFormatter {
	const { locale, timeZone } = options;
	const parts = new Intl.DateTimeFormat('en-US', {
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		timeZone
	});
	const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
	const weekday = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone });
	const date = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric', timeZone });
	const dateYear = new Intl.DateTimeFormat(locale, {
		year: 'numeric',
		month: 'long',
		day: 'numeric',
		timeZone
	});
	const clock = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone });

	// The calendar day of each instant asked about, kept: a chat asks again for every message it
	// holds each time one arrives, and formatToParts is the costly part of drawing the history.
	const known = new Map<number, [number, number, number]>();
	function ymd(at: Date): [number, number, number] {
		const ms = at.getTime();
		const hit = known.get(ms);
		if (hit) return hit;
		const p = parts.formatToParts(at);
		const get = (type: Intl.DateTimeFormatPartTypes) => Number(p.find((x) => x.type === type)?.value);
		const day: [number, number, number] = [get('year'), get('month'), get('day')];
		if (known.size >= KNOWN_DAYS) known.clear();
		known.set(ms, day);
		return day;
	}
	function dayNumber(at: Date): number {
		const [y, m, d] = ymd(at);
		return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
	}
	const capitalize = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

	return {
		label(at, now) {
			const days = dayNumber(now) - dayNumber(at);
			if (days === 0 || days === 1) return capitalize(relative.format(-days, 'day'));
			if (days > 1 && days < 7) return weekday.format(at);
			return ymd(at)[0] === ymd(now)[0] ? date.format(at) : dateYear.format(at);
		},
		key(at) {
			return ymd(at).join('-');
		},
		clock(at) {
			return clock.format(at);
		}
	};
}

/**
 * The history as it is drawn, oldest first. A group is messages of one sender on one day, each
 * within GROUP_GAP_MS of the one before, not split by the "New messages" line.
 */
export function timeline<M extends TimelineMessage>(
	messages: readonly M[],
	days: DayFormatter,
	options: TimelineOptions = {}
): TimelineItem<M>[] {
	const now = options.now ?? new Date();
	const items: TimelineItem<M>[] = [];
	let previous: { message: M; day: string; item: TimelineItem<M> & { kind: 'message' } } | undefined;
	for (const message of messages) {
		const at = new Date(message.created_at);
		const day = days.key(at);
		const newDay = previous?.day !== day;
		if (newDay) items.push({ kind: 'day', key: `day:${day}`, label: days.label(at, now) });
		const unreadStarts = message.id === options.firstUnreadId;
		if (unreadStarts) items.push({ kind: 'unread', key: 'unread' });
		const continues =
			previous !== undefined &&
			!newDay &&
			!unreadStarts &&
			previous.message.sender_id === message.sender_id &&
			at.getTime() - Date.parse(previous.message.created_at) <= GROUP_GAP_MS;
		if (previous && !continues) previous.item.last = true;
		if (previous && continues) previous.item.last = false;
		const item = { kind: 'message' as const, key: message.id, message, first: !continues, last: true };
		items.push(item);
		previous = { message, day, item };
	}
	return items;
}

/**
 * `timeline`, for a view drawn again and again from a changing list: an item equal to the one the
 * last call made for its key is that same object, so a keyed list redraws only the rows that
 * changed (a new message changes at most the one before it: its `last`).
 */
export function createTimeline<M extends TimelineMessage>(): typeof timeline<M> {
	let previous = new Map<string, TimelineItem<M>>();
	return (messages, days, options) => {
		const made = timeline(messages, days, options);
		const kept = new Map<string, TimelineItem<M>>();
		const items = made.map((item) => {
			const before = previous.get(item.key);
			const same = before !== undefined && sameItem(before, item) ? before : item;
			kept.set(item.key, same);
			return same;
		});
		previous = kept;
		return items;
	};
}

function sameItem<M extends TimelineMessage>(a: TimelineItem<M>, b: TimelineItem<M>): boolean {
	if (a.kind === 'message' && b.kind === 'message') {
		return a.message === b.message && a.first === b.first && a.last === b.last;
	}
	if (a.kind === 'day' && b.kind === 'day') return a.label === b.label;
	return a.kind === b.kind;
}
