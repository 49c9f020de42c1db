import { fail } from '@sveltejs/kit';
import { emailRedirect, emailWaitSeconds } from '$lib/auth/email';
import { describeAuthError } from '$lib/errors';
import { emailOnlySchema } from '$lib/schemas/account-forms';
import type { Actions } from './$types';

export const actions: Actions = {
	/** A new confirmation link, in place of one that expired or was used. */
	resend: async ({ request, url, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const email = typeof form.email === 'string' ? form.email : '';
		const input = emailOnlySchema.safeParse(form);
		if (!input.success) return fail(400, { email, error: input.error.issues[0].message });
		const { error } = await supabase.auth.resend({
			type: 'signup',
			email: input.data.email,
			options: { emailRedirectTo: emailRedirect(url.origin, '/messages') }
		});
		if (error) {
			const wait = emailWaitSeconds(error);
			if (wait !== null) return { email, sent: true, wait };
			return fail(400, { email, error: describeAuthError(error).message });
		}
		// Auth answers the same whether or not the address has an account waiting for confirmation.
		return { email, sent: true, wait: 0 };
	}
};
