import { describe, expect, it } from 'vitest';
import { changePasswordSchema, resetPasswordSchema, signInSchema, signUpSchema } from './account-forms';

describe('the sign-in and sign-up forms', () => {
	it('trim the email and say what is wrong in a sentence', () => {
		expect(signInSchema.parse({ email: ' casey@example.com ', password: 'x' }).email).toBe(
			'casey@example.com'
		);
		expect(signInSchema.safeParse({ email: 'casey', password: 'x' }).error?.issues[0].message).toBe(
			'Enter a valid email address.'
		);
	});

	it('ask a new account to choose trainer or trainee, and accept an empty invitation code', () => {
		const form = { display_name: 'Casey', email: 'c@example.com', password: 'secret1', code: '' };
		expect(signUpSchema.safeParse({ ...form, role: 'admin' }).error?.issues[0].message).toBe(
			'Choose whether you are a trainer or a trainee.'
		);
		expect(signUpSchema.parse({ ...form, role: 'trainee' }).code).toBe('');
	});

	it('state Auth’s limits: a password of 6 characters to 72 bytes, an email of at most 255 characters', () => {
		const form = { display_name: 'Casey', email: 'c@example.com', role: 'trainee', code: '' };
		const problem = (fields: Record<string, string>) =>
			signUpSchema.safeParse({ ...form, ...fields }).error?.issues[0].message;
		expect(problem({ password: 'x'.repeat(72) })).toBeUndefined();
		// 72 characters but 73 bytes: é is two bytes in UTF-8.
		expect(problem({ password: 'é' + 'x'.repeat(71) })).toMatch(/at most 72 bytes/);
		expect(problem({ password: 'short' })).toMatch(/at least 6 characters/);
		expect(problem({ password: 'secret1', email: `${'a'.repeat(250)}@x.com` })).toMatch(
			/at most 255 characters/
		);
		expect(changePasswordSchema.safeParse({ current: 'old', password: '🏋'.repeat(19) }).success).toBe(false);
	});

	it('refuse the NUL character in a name or a password, which the database cannot store', () => {
		const form = { email: 'c@example.com', role: 'trainee', code: '', password: 'secret1' };
		expect(signUpSchema.safeParse({ ...form, display_name: 'Ca\u0000sey' }).error?.issues[0].message).toBe(
			'A name cannot contain the NUL character.'
		);
		expect(signUpSchema.safeParse({ ...form, display_name: 'Casey', password: 'secret\u0000' }).success).toBe(
			false
		);
	});

	it('ask for the same new password twice after a reset', () => {
		expect(
			resetPasswordSchema.safeParse({ password: 'secret1', confirm: 'secret2' }).error?.issues[0]
		).toMatchObject({
			message: 'The two passwords differ. Type the same password twice.',
			path: ['confirm']
		});
		expect(resetPasswordSchema.safeParse({ password: 'secret1', confirm: 'secret1' }).success).toBe(true);
	});
});
