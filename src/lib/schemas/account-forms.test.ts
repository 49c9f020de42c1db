import { describe, expect, it } from 'vitest';
import { signInSchema, signUpSchema } from './account-forms';

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
});
