// Why a scheduled message or broadcast was not sent, for the trainer: the database stores its
// error text with the SQLSTATE in parentheses ("… (SP001)"); a code the app knows reads as the
// app's sentence for it, anything else as stored (still better than hiding it).
import { databaseErrors } from '$lib/errors';

const TRAILING_CODE = /\((SP\d{3})\)\s*$/;

export function failureSentence(failure: string): string {
	const code = TRAILING_CODE.exec(failure)?.[1];
	return (code && databaseErrors[code]?.message) || failure;
}
