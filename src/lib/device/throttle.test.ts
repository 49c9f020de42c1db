import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './throttle';

afterEach(() => {
	vi.useRealTimers();
});

describe('throttle', () => {
	it('writes the first change at once, a burst after it once at the end, and nothing when idle', () => {
		vi.useFakeTimers();
		let value = 0;
		const written: number[] = [];
		const copy = throttle(() => written.push(value), 200);
		value = 1;
		copy.request();
		expect(written).toEqual([1]);
		value = 2;
		copy.request();
		value = 3;
		copy.request();
		expect(written).toEqual([1]);
		vi.advanceTimersByTime(200);
		// The burst, once, with what is current when the interval ends.
		expect(written).toEqual([1, 3]);
		vi.advanceTimersByTime(1000);
		expect(written).toEqual([1, 3]);
		// Idle long enough: the next change is written at once again.
		value = 4;
		copy.request();
		expect(written).toEqual([1, 3, 4]);
	});

	it('flush writes what waits at once, and only that', () => {
		vi.useFakeTimers();
		let value = 0;
		const written: number[] = [];
		const copy = throttle(() => written.push(value), 200);
		copy.request();
		copy.flush();
		// Nothing waited: the first change was written already.
		expect(written).toEqual([0]);
		value = 5;
		copy.request();
		value = 6;
		copy.request();
		copy.flush();
		expect(written).toEqual([0, 5, 6]);
		vi.advanceTimersByTime(1000);
		expect(written).toEqual([0, 5, 6]);
	});
});
