// What people type and what addresses name, checked where it arrives (the browser for fast
// feedback, the server's form actions for the record) with the sentence to show when it is wrong.
// The sign-in and sign-up forms, which only the server checks, are in account-forms.ts.
import { z } from 'zod/mini';

/** Route parameters that name rows (any UUID shape, as Postgres accepts). */
export const uuidParamSchema = z.guid();

/** Invitation codes as the database stores them: 8 characters without look-alikes. */
export const invitationCodeSchema = z.pipe(
	z.pipe(
		z.string(),
		z.transform((code) => code.trim().toUpperCase())
	),
	z
		.string()
		.check(z.regex(/^[A-HJ-NP-Z2-9]{8}$/, 'An invitation code has 8 letters and digits, like K7QW2XPM.'))
);

export const displayNameSchema = z
	.string()
	.check(z.trim(), z.minLength(1, 'Enter a name.'), z.maxLength(80, 'A name can be at most 80 characters.'));
