// The account forms (sign-in, sign-up, password reset, email and password change, deleting the
// account), checked by their server actions (apart from input.ts, so that the pages' JavaScript
// does not carry them). The limits are Supabase Auth's: an email of at most 255 characters, a
// password of 6 characters to 72 bytes (bcrypt reads no further; Auth refuses longer ones).
import { z } from 'zod/mini';
import { displayNameSchema, invitationCodeSchema } from './input';

export const PASSWORD_MIN_CHARACTERS = 6;
export const PASSWORD_MAX_BYTES = 72;
export const EMAIL_MAX_CHARACTERS = 255;

/** What the forms say about passwords, next to the field. */
export const passwordHint = `${PASSWORD_MIN_CHARACTERS} to ${PASSWORD_MAX_BYTES} characters (accented letters and emoji count as 2–4).`;

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;
const hasNul = (text: string) => text.includes('\u0000');

export const emailSchema = z.pipe(
	z.string().check(z.trim()),
	z
		.string()
		.check(
			z.maxLength(
				EMAIL_MAX_CHARACTERS,
				`An email address can be at most ${EMAIL_MAX_CHARACTERS} characters.`
			),
			z.email('Enter a valid email address.')
		)
);

export const newPasswordSchema = z.string().check(
	z.minLength(
		PASSWORD_MIN_CHARACTERS,
		`Choose a password of at least ${PASSWORD_MIN_CHARACTERS} characters.`
	),
	z.refine(
		(password) => utf8Bytes(password) <= PASSWORD_MAX_BYTES,
		`Choose a shorter password: at most ${PASSWORD_MAX_BYTES} bytes (accented letters and emoji count as 2–4).`
	),
	z.refine((password) => !hasNul(password), 'A password cannot contain the NUL character.')
);

const currentPasswordSchema = z.string().check(z.minLength(1, 'Enter your password.'));

/** A name as the database takes it, and without the NUL character Postgres cannot store. */
const signUpNameSchema = displayNameSchema.check(
	z.refine((name) => !hasNul(name), 'A name cannot contain the NUL character.')
);

export const signInSchema = z.object({
	email: emailSchema,
	password: currentPasswordSchema
});

export const signUpSchema = z.object({
	display_name: signUpNameSchema,
	email: emailSchema,
	password: newPasswordSchema,
	role: z.enum(['trainer', 'trainee'], { error: 'Choose whether you are a trainer or a trainee.' }),
	code: z.union([z.literal(''), invitationCodeSchema])
});

export const emailOnlySchema = z.object({ email: emailSchema });

export const resetPasswordSchema = z.object({ password: newPasswordSchema, confirm: z.string() }).check(
	z.refine((form) => form.password === form.confirm, {
		message: 'The two passwords differ. Type the same password twice.',
		path: ['confirm']
	})
);

export const changePasswordSchema = z.object({
	current: currentPasswordSchema,
	password: newPasswordSchema
});

export const deleteAccountSchema = z.object({ password: currentPasswordSchema });
