import { describe, expect, it } from 'vitest';
import { failureSentence } from './failure';

describe('failureSentence', () => {
	it('reads a known SQLSTATE as the app’s sentence for it', () => {
		expect(failureSentence('this conversation is archived (SP002)')).toBe(
			'This conversation is archived and read-only.'
		);
	});
	it('keeps the stored text when the code is unknown or missing', () => {
		expect(failureSentence('disk full (53100)')).toBe('disk full (53100)');
		expect(failureSentence('something (SP999)')).toBe('something (SP999)');
	});
});
