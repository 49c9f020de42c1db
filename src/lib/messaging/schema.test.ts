import { describe, expect, it } from 'vitest';
import { characterCount, invitationCodeSchema, messageBodySchema } from './schema';

describe('message body', () => {
	it('accepts 2000 characters and trims the edges as the database does', () => {
		const body = 'a'.repeat(2000);
		expect(messageBodySchema.parse(body)).toBe(body);
		expect(messageBodySchema.parse('  hi\n')).toBe('hi');
	});

	it('refuses 2001 characters', () => {
		const result = messageBodySchema.safeParse('a'.repeat(2001));
		expect(result.success).toBe(false);
		expect(result.error?.issues[0].message).toBe('A message can be at most 2,000 characters.');
	});

	it('refuses whitespace only, including newlines and non-breaking spaces', () => {
		for (const body of ['', '   ', '\n\n\t', '\u00a0 ']) {
			expect(messageBodySchema.safeParse(body).success).toBe(false);
		}
	});

	it('counts characters as Postgres does, an emoji being one', () => {
		expect(characterCount('💧💧')).toBe(2);
		expect(messageBodySchema.safeParse('💧'.repeat(2000)).success).toBe(true);
	});
});

describe('invitation code', () => {
	it('is normalised to upper case without spaces', () => {
		expect(invitationCodeSchema.parse(' casey234 ')).toBe('CASEY234');
	});

	it('refuses codes with look-alike characters or the wrong length', () => {
		expect(invitationCodeSchema.safeParse('CASEY2340').success).toBe(false);
		expect(invitationCodeSchema.safeParse('OOOO1111').success).toBe(false);
	});
});
