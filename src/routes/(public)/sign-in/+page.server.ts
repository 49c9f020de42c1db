import { fail, redirect } from '@sveltejs/kit';
import { resendConfirmation } from '$lib/auth/email';
import { describeAuthError } from '$lib/errors';
import { emailOnlySchema, signInSchema } from '$lib/schemas/account-forms';
import { safeRedirect } from '../safe-redirect';
import type { Actions } from './$types';

export const actions: Actions = {
	signIn: async ({ request, url, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const email = typeof form.email === 'string' ? form.email : '';
		const input = signInSchema.safeParse(form);
		if (!input.success) return fail(400, { email, error: input.error.issues[0].message });

		const { error } = await supabase.auth.signInWithPassword(input.data);
		if (error) {
			// An address not confirmed yet gets the way to a new link, on this page.
			const unconfirmed = error.code === 'email_not_confirmed';
			return fail(400, { email, error: describeAuthError(error).message, unconfirmed });
		}
		// Where the person was going, kept by the form (its action replaces the page's query).
		const target = typeof form.redirectTo === 'string' ? form.redirectTo : url.searchParams.get('redirectTo');
		redirect(303, safeRedirect(target));
	},

	/** Another confirmation email, for an account whose address is not confirmed yet. */
	resend: async ({ request, url, locals: { supabase } }) => {
		const input = emailOnlySchema.safeParse(Object.fromEntries(await request.formData()));
		if (!input.success)
			return fail(400, { email: '', error: input.error.issues[0].message, unconfirmed: true });
		const { email } = input.data;
		const sent = await resendConfirmation(supabase, url.origin, email);
		if (!sent.ok) return fail(400, { email, error: sent.message, unconfirmed: true });
		if (sent.wait) return { email, unconfirmed: true, wait: sent.wait };
		return { email, unconfirmed: true, resent: true, wait: 0 };
	}
};
