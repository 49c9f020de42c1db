import { describe, expect, it } from 'vitest';
import { createDayFormatter, createTimeline, timeline, type TimelineMessage } from './timeline';

const days = createDayFormatter({ locale: 'en-GB', timeZone: 'Europe/Berlin' });
const now = new Date('2026-11-29T15:00:00Z');

let n = 0;
function msg(sender: string, created_at: string): TimelineMessage {
	n += 1;
	return { id: `m${n}`, sender_id: sender, created_at };
}

function shape(items: ReturnType<typeof timeline>) {
	return items.map((i) =>
		i.kind === 'message'
			? `${i.message.sender_id}${i.first ? '[' : ''}${i.last ? ']' : ''}`
			: i.kind === 'day'
				? `— ${i.label}`
				: '— new'
	);
}

describe('timeline', () => {
	it('groups consecutive messages of one sender and shows the time once, on the last of the group', () => {
		const items = timeline(
			[
				msg('a', '2026-11-29T10:00:00Z'),
				msg('a', '2026-11-29T10:01:00Z'),
				msg('a', '2026-11-29T10:04:59Z'),
				msg('b', '2026-11-29T10:05:00Z'),
				msg('a', '2026-11-29T10:06:00Z')
			],
			days,
			{ now }
		);
		expect(shape(items)).toEqual(['— Today', 'a[', 'a', 'a]', 'b[]', 'a[]']);
	});

	it('starts a new group after a pause of more than five minutes', () => {
		const items = timeline([msg('a', '2026-11-29T10:00:00Z'), msg('a', '2026-11-29T10:05:01Z')], days, {
			now
		});
		expect(shape(items)).toEqual(['— Today', 'a[]', 'a[]']);
	});

	it('puts a separator at each calendar day of the viewer’s time zone, never inside a group', () => {
		// 22:59 and 23:01 UTC are 23:59 on the 27th and 00:01 on the 28th in Berlin.
		const items = timeline(
			[
				msg('a', '2026-11-27T22:59:00Z'),
				msg('a', '2026-11-27T23:01:00Z'),
				msg('b', '2026-11-20T09:00:00Z'),
				msg('b', '2025-12-31T09:00:00Z')
			].sort((p, q) => p.created_at.localeCompare(q.created_at)),
			days,
			{ now }
		);
		expect(shape(items)).toEqual([
			'— 31 December 2025',
			'b[]',
			'— Friday 20 November',
			'b[]',
			'— Friday',
			'a[]',
			'— Yesterday',
			'a[]'
		]);
	});

	it('draws the "New messages" line above the first unread message and splits the group there', () => {
		const list = [
			msg('a', '2026-11-29T10:00:00Z'),
			msg('a', '2026-11-29T10:01:00Z'),
			msg('a', '2026-11-29T10:02:00Z')
		];
		const items = timeline(list, days, { now, firstUnreadId: list[1].id });
		expect(shape(items)).toEqual(['— Today', 'a[]', '— new', 'a[', 'a]']);
	});

	it('has no "New messages" line when the first unread message is not held', () => {
		const items = timeline([msg('a', '2026-11-29T10:00:00Z')], days, { now, firstUnreadId: 'elsewhere' });
		expect(items.some((i) => i.kind === 'unread')).toBe(false);
	});

	it('shows a clock time for any age, so a message older than a week still has its time', () => {
		expect(days.clock(new Date('2025-01-02T08:05:00Z'))).toBe('9:05');
	});
});

describe('createTimeline', () => {
	it('gives back the same item for what did not change, so only changed rows are drawn again', () => {
		const draw = createTimeline<TimelineMessage>();
		const held = [msg('a', '2026-11-29T09:00:00Z'), msg('b', '2026-11-29T09:01:00Z')];
		const before = draw(held, days, { now });
		const arrived = msg('b', '2026-11-29T09:02:00Z');
		const after = draw([...held, arrived], days, { now });
		expect(shape(after)).toEqual(['— Today', 'a[]', 'b[', 'b]']);
		// The day and the first message are the very same objects; the one before the new message
		// is a new one (it is no longer the last of its group); the new message is new.
		expect(after[0]).toBe(before[0]);
		expect(after[1]).toBe(before[1]);
		expect(after[2]).not.toBe(before[2]);
		expect(after[2]).toEqual({ ...before[2], last: false });
		// A message replaced by another object (an edit read from the database) is drawn again.
		const edited = { ...held[0] };
		const again = draw([edited, held[1], arrived], days, { now });
		expect(again[1]).not.toBe(after[1]);
		expect(again[2]).toBe(after[2]);
	});

	it('answers a day formatter’s repeated questions from what it has worked out, the same as before', () => {
		const fresh = createDayFormatter({ locale: 'en-GB', timeZone: 'Pacific/Kiritimati' });
		const at = new Date('2026-11-29T10:30:00Z');
		expect(fresh.key(at)).toBe('2026-11-30');
		expect(fresh.key(new Date(at.getTime()))).toBe('2026-11-30');
		expect(fresh.key(new Date('2026-11-29T09:59:00Z'))).toBe('2026-11-29');
	});
});
