import { fail, redirect } from '@sveltejs/kit';
import { emailRedirect, emailWaitSeconds, resendConfirmation } from '$lib/auth/email';
import * as account from '$lib/data/account';
import * as invitations from '$lib/data/invitations';
import { describeAuthError } from '$lib/errors';
import { emailOnlySchema, signUpSchema } from '$lib/schemas/account-forms';
import { invitationCodeSchema } from '$lib/schemas/input';
import type { Actions, PageServerLoad } from './$types';

/** A /join/<code> link (or a typed ?code=) fills the code in; an unusable one is said at once. */
export const load: PageServerLoad = async ({ url, locals: { supabase } }) => {
	const given = invitationCodeSchema.safeParse(url.searchParams.get('code') ?? '');
	if (!given.success) return { code: '', codeError: null };
	const status = await invitations.check(supabase, given.data);
	const codeError = !status.ok
		? null
		: status.data === 'valid'
			? null
			: invitations.statusError(status.data).message;
	return { code: given.data, codeError };
};

export const actions: Actions = {
	create: async ({ request, url, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const echo = {
			display_name: String(form.display_name ?? ''),
			email: String(form.email ?? ''),
			role: String(form.role ?? 'trainee'),
			code: String(form.code ?? '')
		};
		const input = signUpSchema.safeParse({ ...form, code: echo.code.trim() });
		if (!input.success) {
			const issue = input.error.issues[0];
			return fail(400, { ...echo, error: issue.message, field: String(issue.path[0] ?? '') });
		}
		const { display_name, email, password, role, code } = input.data;
		if (code && role !== 'trainee') {
			return fail(400, {
				...echo,
				error: 'Invitation codes are for trainees. Leave it empty to sign up as a trainer.',
				field: 'code'
			});
		}
		// The code is checked before the account exists: a code that cannot be used keeps the person
		// on this form, with the reason, instead of creating an account without a trainer.
		if (code) {
			const status = await invitations.check(supabase, code);
			if (!status.ok) return fail(503, { ...echo, error: status.error.message, field: '' });
			if (status.data !== 'valid') {
				return fail(400, { ...echo, error: invitations.statusError(status.data).message, field: 'code' });
			}
		}

		const { data, error } = await supabase.auth.signUp({
			email,
			password,
			options: {
				// The code travels with the account and is redeemed by the database at confirmation.
				data: { role, display_name, ...(code ? { invitation_code: code } : {}) },
				emailRedirectTo: emailRedirect(url.origin, '/messages')
			}
		});
		if (error) {
			const wait = emailWaitSeconds(error);
			if (wait !== null) return { ...echo, sent: true as const, email, wait };
			const field =
				error.code === 'weak_password' ? 'password' : error.code === 'validation_failed' ? '' : 'email';
			const message =
				error.code === 'validation_failed' && error.message
					? `Check what you entered: ${error.message}`
					: describeAuthError(error).message;
			return fail(error.status && error.status < 500 ? 400 : 503, { ...echo, error: message, field });
		}
		// Confirmations on (as on every new hosted project): no session until the emailed link is opened.
		if (!data.session || !data.user) return { ...echo, sent: true as const, email, wait: 0 };

		// Confirmations off: the database redeemed the code as the account was created.
		const problem = await account.signUpInvitationProblem(supabase, data.user);
		if (problem) redirect(303, `/settings?${new URLSearchParams({ invitation_error: problem.code })}`);
		redirect(303, '/messages');
	},

	/** Another confirmation email, for the address this form was sent with. */
	resend: async ({ request, url, locals: { supabase } }) => {
		const input = emailOnlySchema.safeParse(Object.fromEntries(await request.formData()));
		if (!input.success)
			return fail(400, { sent: true as const, email: '', error: input.error.issues[0].message });
		const { email } = input.data;
		const sent = await resendConfirmation(supabase, url.origin, email);
		if (!sent.ok) return fail(400, { sent: true as const, email, error: sent.message });
		if (sent.wait) return { sent: true as const, email, wait: sent.wait };
		return { sent: true as const, email, resent: true, wait: 0 };
	}
};
