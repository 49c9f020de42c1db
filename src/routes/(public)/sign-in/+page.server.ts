import { fail, redirect } from '@sveltejs/kit';
import { describeAuthError } from '$lib/errors';
import { signInSchema } from '$lib/schemas/account-forms';
import { safeRedirect } from '../safe-redirect';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, url, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const email = typeof form.email === 'string' ? form.email : '';
		const input = signInSchema.safeParse(form);
		if (!input.success) return fail(400, { email, error: input.error.issues[0].message });

		const { error } = await supabase.auth.signInWithPassword(input.data);
		if (error) return fail(400, { email, error: describeAuthError(error).message });
		redirect(303, safeRedirect(url.searchParams.get('redirectTo')));
	}
};
