// What the account pages share about the emails Supabase Auth sends: where their links lead, and
// how long to wait before asking for another one.
import { describeAuthError } from '$lib/errors';
import type { Supabase } from '$lib/supabase/types';

/** Seconds to wait when Auth gives no number (its default interval between two emails). */
const DEFAULT_WAIT_SECONDS = 60;

/**
 * How long to wait before another email can be sent, when Auth refused one as too soon (429
 * over_email_send_rate_limit): "For security purposes, you can only request this after N seconds."
 * Auth sends the number only in that sentence; the hourly limit ("email rate limit exceeded") has
 * none, and gets the default. Null for any other error.
 */
export function emailWaitSeconds(error: { code?: string | null; message?: string | null; status?: number }) {
	if (error.code !== 'over_email_send_rate_limit' && error.status !== 429) return null;
	const seconds = /after (\d+) seconds?/.exec(error.message ?? '')?.[1];
	return seconds ? Number(seconds) : DEFAULT_WAIT_SECONDS;
}

/** The page an emailed link finishes on, on this site (Auth puts it in the link as `next`). */
export function emailRedirect(origin: string, next: string): string {
	return new URL(next, origin).toString();
}

export type Resent = { ok: true; wait: number } | { ok: false; message: string };

/**
 * Asks Auth to send the sign-up confirmation link again. Too soon is not a failure: the answer
 * says how many seconds to wait (`wait`), and the page shows it.
 */
export async function resendConfirmation(supabase: Supabase, origin: string, email: string): Promise<Resent> {
	const { error } = await supabase.auth.resend({
		type: 'signup',
		email,
		options: { emailRedirectTo: emailRedirect(origin, '/messages') }
	});
	if (!error) return { ok: true, wait: 0 };
	const wait = emailWaitSeconds(error);
	if (wait !== null) return { ok: true, wait };
	return { ok: false, message: describeAuthError(error).message };
}
