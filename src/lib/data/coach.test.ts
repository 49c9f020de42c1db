import { describe, expect, it } from 'vitest';
import { fillFirstName } from './coach';

describe('fillFirstName', () => {
	it('fills every {first_name} with the first word of the display name', () => {
		expect(fillFirstName('Hi {first_name}! Bye {first_name}.', '  Alex  Rivera ')).toBe('Hi Alex! Bye Alex.');
	});
	it('leaves an empty name empty', () => {
		expect(fillFirstName('Hi {first_name}', null)).toBe('Hi ');
	});
});
