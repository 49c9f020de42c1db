// The sign-in and sign-up forms, checked by their server actions (apart from input.ts, so that the
// pages' JavaScript does not carry them).
import { z } from 'zod/mini';
import { displayNameSchema, invitationCodeSchema } from './input';

const emailSchema = z.pipe(z.string().check(z.trim()), z.email('Enter a valid email address.'));

export const signInSchema = z.object({
	email: emailSchema,
	password: z.string().check(z.minLength(1, 'Enter your password.'))
});

export const signUpSchema = z.object({
	display_name: displayNameSchema,
	email: emailSchema,
	password: z.string().check(z.minLength(6, 'Choose a password of at least 6 characters.')),
	role: z.enum(['trainer', 'trainee'], { error: 'Choose whether you are a trainer or a trainee.' }),
	code: z.union([z.literal(''), invitationCodeSchema])
});
