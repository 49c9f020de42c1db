// The account actions of Settings, on the server: changing the email address or the password, and
// deleting the account (which needs the service role, whose key never leaves the server).
import { env } from '$env/dynamic/private';
import { fail } from '@sveltejs/kit';
import { emailRedirect, emailWaitSeconds } from '$lib/auth/email';
import { checkPassword } from '$lib/auth/password-check';
import { describeAuthError } from '$lib/errors';
import { changePasswordSchema, deleteAccountSchema, emailOnlySchema } from '$lib/schemas/account-forms';
import { serviceRoleKey, supabaseServiceRole } from '$lib/server/service-role';
import { supabaseKey, supabaseUrl } from '$lib/supabase/env';
import type { Actions } from './$types';

const signInAgain = { error: 'Your session has ended. Sign in again.' };

export const actions: Actions = {
	/** Secure email change: Auth mails both addresses; the change applies when both links are opened. */
	email: async ({ request, url, locals: { supabase, user } }) => {
		if (!user) return fail(401, { email: { ...signInAgain, value: '' } });
		const form = Object.fromEntries(await request.formData());
		const value = typeof form.email === 'string' ? form.email : '';
		const input = emailOnlySchema.safeParse(form);
		if (!input.success) return fail(400, { email: { error: input.error.issues[0].message, value } });
		if (input.data.email.toLowerCase() === user.email?.toLowerCase()) {
			return fail(400, { email: { error: 'That is already your email address.', value } });
		}
		const { error } = await supabase.auth.updateUser(
			{ email: input.data.email },
			{ emailRedirectTo: emailRedirect(url.origin, '/settings') }
		);
		if (error) {
			const wait = emailWaitSeconds(error);
			const message =
				wait !== null
					? `For security, another email can be sent in ${wait} seconds. Try again then.`
					: error.code === 'email_exists'
						? 'Another account already uses that address.'
						: describeAuthError(error).message;
			return fail(400, { email: { error: message, value } });
		}
		return { email: { sentTo: [user.email ?? '', input.data.email], value: '' } };
	},

	/** A new password, given the current one (checked even where Auth does not ask for it). */
	password: async ({ request, locals: { supabase, user } }) => {
		if (!user?.email) return fail(401, { password: signInAgain });
		const input = changePasswordSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!input.success) return fail(400, { password: { error: input.error.issues[0].message } });
		const { current, password } = input.data;
		const checked = await checkPassword(supabaseUrl, supabaseKey, user.email, current);
		if (!checked.ok) return fail(400, { password: { error: checked.error.message } });
		const { error } = await supabase.auth.updateUser({ password, current_password: current });
		if (error) {
			const message =
				error.code === 'same_password'
					? 'The new password is your current one. Choose a different one.'
					: describeAuthError(error).message;
			return fail(400, { password: { error: message } });
		}
		return { password: { changed: true } };
	},

	/**
	 * Deletes the account, once the password is given again. Auth deletes the user; the database
	 * takes the profile, devices and codes with it and archives the conversations for the other
	 * side, history kept. The browser forgets the rest (see forgetAccount) when this succeeds.
	 */
	delete: async ({ request, locals: { supabase, user } }) => {
		if (!user?.email) return fail(401, { remove: signInAgain });
		const input = deleteAccountSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!input.success) return fail(400, { remove: { error: input.error.issues[0].message } });
		const checked = await checkPassword(supabaseUrl, supabaseKey, user.email, input.data.password);
		if (!checked.ok) return fail(400, { remove: { error: checked.error.message } });

		const key = serviceRoleKey(supabaseUrl, env);
		if (!key) {
			console.error(
				'[account] cannot delete accounts: set SUPABASE_SECRET_KEY (or SUPABASE_SERVICE_ROLE_KEY)'
			);
			return fail(503, {
				remove: { error: 'Deleting accounts is not available on this server yet. Ask the people who run it.' }
			});
		}
		const { error } = await supabaseServiceRole(supabaseUrl, key).auth.admin.deleteUser(user.id);
		if (error) {
			console.error('[account] deleting user failed:', error);
			return fail(503, { remove: { error: 'Your account could not be deleted. Try again in a moment.' } });
		}
		// The session died with the user; this clears its cookies (Auth's refusal counts as signed out).
		await supabase.auth.signOut({ scope: 'local' });
		return { remove: { deleted: true } };
	}
};
