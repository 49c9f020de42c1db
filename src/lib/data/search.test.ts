import { describe, expect, it } from 'vitest';
import { segments } from './search';

describe('search excerpts', () => {
	it('split into the matched words and the text around them, in order', () => {
		expect(segments('Great \uE000squat\uE001 numbers \uE000this\uE001 week')).toEqual([
			{ text: 'Great ', match: false },
			{ text: 'squat', match: true },
			{ text: ' numbers ', match: false },
			{ text: 'this', match: true },
			{ text: ' week', match: false }
		]);
	});

	it('keep text that only looks like markup as text', () => {
		expect(segments('<b>\uE000bold\uE001</b>')).toEqual([
			{ text: '<b>', match: false },
			{ text: 'bold', match: true },
			{ text: '</b>', match: false }
		]);
	});

	it('run an unclosed match to the end and keep astral characters whole', () => {
		expect(segments('💪 \uE000💪strong')).toEqual([
			{ text: '💪 ', match: false },
			{ text: '💪strong', match: true }
		]);
		expect(segments('')).toEqual([]);
	});
});
