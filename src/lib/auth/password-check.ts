// Is this the user's password? Asked before changing the password or deleting the account, so that
// a session left open on a shared computer cannot do either. Auth checks it by signing in on a
// client of its own (no cookies, nothing stored); that extra session is ended at once.
import { createClient } from '@supabase/supabase-js';
import { failed, ok, type Result } from '$lib/data/result';
import { describeAuthError } from '$lib/errors';

export async function checkPassword(
	url: string,
	key: string,
	email: string,
	password: string
): Promise<Result<void>> {
	const probe = createClient(url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
	const { error } = await probe.auth.signInWithPassword({ email, password });
	if (error) {
		if (error.code === 'invalid_credentials') {
			return failed({ code: error.code, message: 'That is not your current password.', retryable: false });
		}
		return failed(describeAuthError(error));
	}
	await probe.auth.signOut({ scope: 'local' });
	return ok(undefined);
}
