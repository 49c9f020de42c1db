import { fail } from '@sveltejs/kit';
import { resendConfirmation } from '$lib/auth/email';
import { emailOnlySchema } from '$lib/schemas/account-forms';
import type { Actions } from './$types';

export const actions: Actions = {
	/** A new confirmation link, in place of one that expired or was used. */
	resend: async ({ request, url, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const email = typeof form.email === 'string' ? form.email : '';
		const input = emailOnlySchema.safeParse(form);
		if (!input.success) return fail(400, { email, error: input.error.issues[0].message });
		const sent = await resendConfirmation(supabase, url.origin, input.data.email);
		if (!sent.ok) return fail(400, { email, error: sent.message });
		if (sent.wait) return { email, sent: true, wait: sent.wait };
		// Auth answers the same whether or not the address has an account waiting for confirmation.
		return { email, sent: true, wait: 0 };
	}
};
