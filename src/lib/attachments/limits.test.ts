import { describe, expect, it } from 'vitest';
import { formatBytes, isAllowedType, kindOf, LIMITS, sizeProblem } from './limits';

describe('attachment limits', () => {
	it('accepts a photo of exactly 20 MB and refuses one byte more, naming the limit', () => {
		expect(sizeProblem('image', LIMITS.imageBytes, 'a.jpg')).toBeNull();
		expect(sizeProblem('image', LIMITS.imageBytes + 1, 'a.jpg')).toBe(
			'“a.jpg” is 20 MB. Photos can be at most 20 MB.'
		);
	});

	it('gives videos and files 50 MB', () => {
		expect(sizeProblem('video', 50 * 1024 * 1024, 'v.mp4')).toBeNull();
		expect(sizeProblem('video', 60 * 1024 * 1024, 'v.mp4')).toBe(
			'“v.mp4” is 60 MB. Videos can be at most 50 MB.'
		);
		expect(sizeProblem('file', 51 * 1024 * 1024, 'plan.pdf')).toMatch(/Files can be at most 50 MB/);
	});

	it('refuses an empty file', () => {
		expect(sizeProblem('file', 0, 'empty.txt')).toBe('“empty.txt” is empty.');
	});

	it('allows what the attachments bucket allows, and not SVG', () => {
		expect(isAllowedType('image/jpeg')).toBe(true);
		expect(isAllowedType('video/quicktime')).toBe(true);
		expect(isAllowedType('audio/webm')).toBe(true);
		expect(isAllowedType('application/pdf')).toBe(true);
		expect(isAllowedType('text/plain')).toBe(true);
		expect(isAllowedType('image/svg+xml')).toBe(false);
		expect(isAllowedType('application/zip')).toBe(false);
		expect(isAllowedType('application/x-msdownload')).toBe(false);
	});

	it('sorts types into kinds', () => {
		expect(kindOf('image/png')).toBe('image');
		expect(kindOf('video/mp4')).toBe('video');
		expect(kindOf('audio/ogg')).toBe('audio');
		expect(kindOf('application/pdf')).toBe('file');
	});

	it('writes sizes as people read them', () => {
		expect(formatBytes(1)).toBe('1 byte');
		expect(formatBytes(512)).toBe('512 bytes');
		expect(formatBytes(1536)).toBe('1.5 KB');
		expect(formatBytes(3.25 * 1024 * 1024)).toBe('3.3 MB');
		expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
	});
});
