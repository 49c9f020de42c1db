// Every failure a user can meet, in words they understand: the one sentence for each SQLSTATE the
// database raises (SP001… in supabase/migrations; errors.test.ts checks that each code raised there
// has one here, and that nothing here is stale), and for each Supabase Auth error code.
import { TOO_LONG_MESSAGE } from './schemas/message-body';

export interface UserError {
	/** The SQLSTATE, the Auth error code, or the app's own (offline, unknown, a push problem…). */
	code: string;
	/** A sentence for the user. */
	message: string;
	/** Whether trying again later can succeed. */
	retryable: boolean;
}

interface ApiErrorLike {
	code?: string | null;
	message?: string | null;
	status?: number;
}

/** Database errors by SQLSTATE (PostgREST passes the code raised in supabase/migrations). */
export const databaseErrors: Readonly<Record<string, { message: string; retryable: boolean }>> = {
	SP001: { message: 'You can only message your own trainer or trainees.', retryable: false },
	SP002: { message: 'This conversation is archived and read-only.', retryable: false },
	SP003: { message: 'A message cannot be empty.', retryable: false },
	SP004: { message: TOO_LONG_MESSAGE, retryable: false },
	SP005: {
		message: 'You are sending too fast (at most 30 messages a minute). Wait a moment, then retry.',
		retryable: true
	},
	SP006: {
		message:
			'This session is read-only (an admin viewing as this user): it cannot send or mark messages read.',
		retryable: false
	},
	SP007: {
		message: 'This message clashed with another one. Copy the text and send it again.',
		retryable: false
	},
	SP008: { message: 'This conversation does not exist or you cannot see it.', retryable: false },
	SP009: {
		message: 'Something was missing from the request. Reload the page and try again.',
		retryable: false
	},
	SP010: {
		message: 'That invitation code does not exist. Check it with your trainer.',
		retryable: false
	},
	SP011: { message: 'That invitation code has expired. Ask your trainer for a new one.', retryable: false },
	SP012: { message: 'Only trainees can use an invitation code.', retryable: false },
	SP013: {
		message: 'Your trainer withdrew that invitation code. Ask them for a new one.',
		retryable: false
	},
	SP014: {
		message:
			'That invitation code has been used as many times as your trainer allowed. Ask them for a new one.',
		retryable: false
	},
	SP101: { message: 'This message no longer exists or is not in your conversations.', retryable: false },
	SP102: { message: 'You can only edit or delete your own messages.', retryable: false },
	SP103: { message: 'Messages can only be edited within 15 minutes of sending.', retryable: false },
	SP104: { message: 'This message was deleted.', retryable: false },
	SP105: {
		message: 'This conversation is archived: its messages can no longer be changed or reacted to.',
		retryable: false
	},
	SP106: { message: 'That reaction is not available. Choose one from the list.', retryable: false },
	SP107: {
		message: 'The message you are replying to is not in this conversation. Send it without the quote.',
		retryable: false
	},
	SP108: { message: 'A note can be at most 5,000 characters.', retryable: false },
	SP201: {
		message: 'A file of this message is missing (it may not have finished uploading). Attach it again.',
		retryable: false
	},
	SP202: {
		message: 'A message can carry at most 10 files. Send the rest in another message.',
		retryable: false
	},
	SP203: {
		message: 'A file of this message could not be attached. Remove it, attach it again and send.',
		retryable: false
	},
	SP204: { message: 'That profile photo could not be saved. Choose the photo again.', retryable: false },
	SP301: { message: 'Only trainers can do this.', retryable: false },
	SP302: {
		message: 'This broadcast clashed with another one. Write it again and send.',
		retryable: false
	},
	SP303: { message: 'Pick between 1 and 5,000 trainees for a broadcast.', retryable: false },
	SP304: { message: 'That time has already passed. Pick a time in the future.', retryable: false },
	SP305: {
		message: 'This message was already sent, failed or was cancelled, so it can no longer be changed.',
		retryable: false
	},
	SP306: { message: 'That is not a time zone we know. Pick one from the list.', retryable: false },
	SP307: { message: 'Give the saved reply a name of 1 to 40 characters.', retryable: false },
	SP308: { message: 'You already have a saved reply with that name. Choose another name.', retryable: false },
	'42501': { message: 'You are not allowed to do that. Try signing in again.', retryable: false },
	// Postgres text cannot hold U+0000. The composer removes it before sending; another client
	// that sends one is told it can never be stored as it is.
	'22P05': {
		message:
			'This message contains a character that cannot be stored (a NUL character). Remove it and send again.',
		retryable: false
	},
	PGRST301: { message: 'Your session has expired. Sign in again.', retryable: false },
	PGRST303: { message: 'Your session has expired. Sign in again.', retryable: false }
};

/**
 * send_message's refusal when a file it is told about is not in Storage: never uploaded, or removed
 * (an upload that no message references goes after a day). A device that kept the file uploads it
 * again and sends once more.
 */
export const FILE_MISSING = 'SP201';

/**
 * FILE_MISSING once more after the files were uploaded again (Storage removed one again meanwhile):
 * this device still holds them, so trying again uploads them once more.
 */
export const FILE_MISSING_KEPT: UserError = {
	code: FILE_MISSING,
	message:
		'A file of this message was removed from the server before it was sent. This device still has it: retry to upload it again.',
	retryable: true
};

export const OFFLINE: UserError = {
	code: 'offline',
	message: 'You are offline. It will be sent when you are back online.',
	retryable: true
};

/**
 * A message action (reply aside: a reply is a send) tried offline: only sends wait for the network,
 * so the user learns at once rather than after a timeout.
 */
export const NEEDS_CONNECTION: UserError = {
	code: 'offline',
	message:
		'You are offline. Reactions, edits and deletions need a connection; only new messages wait to be sent.',
	retryable: true
};

/** The server refused the request body as too large (413): sending it again cannot work. */
export const TOO_LARGE: UserError = {
	code: 'too-large',
	message: 'This is too large to send. Make it shorter and try again.',
	retryable: false
};

/** The server answered but could not reach its database (503): a moment later it may. */
export const UNAVAILABLE: UserError = {
	code: 'unavailable',
	message: 'The server could not reach its database just now. Try again in a moment.',
	retryable: true
};

/** A fetch that never reached the server (offline, DNS, connection refused). */
export function isNetworkFailure(error: ApiErrorLike): boolean {
	return error.status === 0 || /fetch|network/i.test(error.message ?? '');
}

/** The user-facing form of a PostgREST (database) error. */
export function describeApiError(error: ApiErrorLike): UserError {
	const code = error.code ?? '';
	const known = databaseErrors[code];
	if (known) return { code, ...known };
	// By status before the network check: a 413 is an answer, not a connection that failed.
	if (error.status === 413) return TOO_LARGE;
	if (error.status === 503) return UNAVAILABLE;
	if (isNetworkFailure(error)) return OFFLINE;
	return {
		code: code || 'unknown',
		message: `Something went wrong${code ? ` (${code})` : ''}. Try again in a moment.`,
		retryable: true
	};
}

const authErrors: Record<string, string> = {
	invalid_credentials: 'That email and password do not match. Check them and try again.',
	email_not_confirmed: 'Confirm your email address first, using the link we sent you.',
	user_already_exists: 'An account with this email already exists. Sign in instead.',
	email_exists: 'An account with this email already exists. Sign in instead.',
	weak_password: 'Choose a longer password: at least 6 characters.',
	email_address_invalid: 'Enter a valid email address.',
	validation_failed: 'Check the email address and password.',
	over_request_rate_limit: 'Too many attempts. Wait a minute and try again.',
	over_email_send_rate_limit: 'Too many attempts. Wait a minute and try again.',
	signup_disabled: 'New accounts cannot be created right now.',
	session_not_found: 'Your session has ended. Sign in again.',
	refresh_token_not_found: 'Your session has ended. Sign in again.'
};

/** The user-facing form of a Supabase Auth error. */
export function describeAuthError(error: ApiErrorLike): UserError {
	const code = error.code ?? '';
	const known = authErrors[code];
	if (known) return { code, message: known, retryable: false };
	if (isNetworkFailure(error) || error.status === 0) {
		return { code: 'offline', message: 'Cannot reach the server. Check your connection.', retryable: true };
	}
	return {
		code: code || 'unknown',
		message: 'Signing in did not work. Try again in a moment.',
		retryable: true
	};
}
