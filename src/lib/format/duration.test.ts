import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration';

describe('media durations', () => {
	it('reads as players show them', () => {
		expect(formatDuration(0)).toBe('0:00');
		expect(formatDuration(7_400)).toBe('0:07');
		expect(formatDuration(65_000)).toBe('1:05');
		expect(formatDuration(3_723_000)).toBe('1:02:03');
		expect(formatDuration(-5)).toBe('0:00');
	});
});
