// A scheduled time is chosen as a wall-clock time in the trainer's time zone (profiles.time_zone),
// which need not be the device's; @date-fns/tz turns it into an instant and back.
import { TZDate } from '@date-fns/tz';

// Seconds are optional: the picker gives minutes, but a value set with seconds keeps them.
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

/** "2026-12-01T09:30" (an <input type="datetime-local"> value) in `timeZone` → an ISO instant, or null. */
export function instantOf(local: string, timeZone: string): string | null {
	const m = LOCAL.exec(local);
	if (!m) return null;
	const [year, month, day, hour, minute, second] = m.slice(1).map((part) => Number(part ?? 0));
	const date = new TZDate(year, month - 1, day, hour, minute, second, timeZone);
	return Number.isNaN(date.getTime()) ? null : new Date(date.getTime()).toISOString();
}

/** An instant → the datetime-local value it shows as in `timeZone`. */
export function localOf(instant: string | Date, timeZone: string): string {
	const d = new TZDate(new Date(instant).getTime(), timeZone);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The device's time zone, as the browser names it. */
export function deviceTimeZone(): string {
	return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
