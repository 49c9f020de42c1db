import { describe, expect, it } from 'vitest';
import { invitationCodeSchema } from './input';

describe('invitation code', () => {
	it('is normalised to upper case without spaces', () => {
		expect(invitationCodeSchema.parse(' casey234 ')).toBe('CASEY234');
	});

	it('refuses codes with look-alike characters or the wrong length', () => {
		expect(invitationCodeSchema.safeParse('CASEY2340').success).toBe(false);
		expect(invitationCodeSchema.safeParse('OOOO1111').success).toBe(false);
	});
});
