import { describe, expect, it } from 'vitest';
import { linkParts } from './links';

describe('links in message text', () => {
	it('turns web links into links and keeps the rest as text', () => {
		expect(linkParts('Form video: https://youtu.be/abc?t=12 — watch the knees')).toEqual([
			{ text: 'Form video: ' },
			{ text: 'https://youtu.be/abc?t=12', href: 'https://youtu.be/abc?t=12' },
			{ text: ' — watch the knees' }
		]);
	});

	it('opens a bare domain over https', () => {
		expect(linkParts('see example.com/plan')).toEqual([
			{ text: 'see ' },
			{ text: 'example.com/plan', href: 'https://example.com/plan' }
		]);
	});

	it('keeps plain http links as they are', () => {
		expect(linkParts('http://intranet.local/x')[0]).toEqual({
			text: 'http://intranet.local/x',
			href: 'http://intranet.local/x'
		});
	});

	it('never links other schemes or emails', () => {
		for (const text of [
			'javascript:alert(1)',
			'mailto:a@b.com',
			'a@b.com',
			'ftp://files.example.com/x',
			'file:///etc/passwd'
		]) {
			expect(linkParts(text).every((p) => !p.href)).toBe(true);
			expect(
				linkParts(text)
					.map((p) => p.text)
					.join('')
			).toBe(text);
		}
	});

	it('gives the text back unchanged, markup included', () => {
		const text = '<img src=x onerror=alert(1)> https://a.example/<b> and\nnew lines';
		expect(
			linkParts(text)
				.map((p) => p.text)
				.join('')
		).toBe(text);
	});
});
