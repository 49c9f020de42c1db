import { describe, expect, it } from 'vitest';
import { instantOf, localOf } from './zoned-time';

describe('zoned time', () => {
	it('reads a wall-clock time in the given zone, not the device’s', () => {
		expect(instantOf('2026-12-01T09:30', 'Europe/Berlin')).toBe('2026-12-01T08:30:00.000Z');
		expect(instantOf('2026-07-01T09:30', 'America/New_York')).toBe('2026-07-01T13:30:00.000Z');
	});
	it('keeps seconds when the value has them', () => {
		expect(instantOf('2026-12-01T09:30:45', 'Europe/Berlin')).toBe('2026-12-01T08:30:45.000Z');
	});
	it('refuses what is not a datetime-local value', () => {
		expect(instantOf('tomorrow', 'UTC')).toBeNull();
	});
	it('shows an instant as the wall-clock time in the zone', () => {
		expect(localOf('2026-12-01T08:30:00Z', 'Europe/Berlin')).toBe('2026-12-01T09:30');
		expect(localOf('2026-12-01T08:30:00Z', 'Asia/Tokyo')).toBe('2026-12-01T17:30');
	});
});
