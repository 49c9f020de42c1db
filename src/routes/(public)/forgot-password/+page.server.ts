import { fail } from '@sveltejs/kit';
import { emailRedirect, emailWaitSeconds } from '$lib/auth/email';
import { describeAuthError } from '$lib/errors';
import { emailOnlySchema } from '$lib/schemas/account-forms';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, url, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const email = typeof form.email === 'string' ? form.email : '';
		const input = emailOnlySchema.safeParse(form);
		if (!input.success) return fail(400, { email, error: input.error.issues[0].message });
		// Auth answers the same for an unknown address, so nobody learns who has an account.
		const { error } = await supabase.auth.resetPasswordForEmail(input.data.email, {
			redirectTo: emailRedirect(url.origin, '/auth/reset-password')
		});
		if (error) {
			const wait = emailWaitSeconds(error);
			if (wait !== null) return { email: input.data.email, sent: true, wait };
			return fail(400, { email, error: describeAuthError(error).message });
		}
		return { email: input.data.email, sent: true, wait: 0 };
	}
};
