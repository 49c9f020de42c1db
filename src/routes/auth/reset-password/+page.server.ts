import { fail, redirect } from '@sveltejs/kit';
import { describeAuthError } from '$lib/errors';
import { resetPasswordSchema } from '$lib/schemas/account-forms';
import type { Actions, PageServerLoad } from './$types';

// The recovery link signed this browser in (/auth/confirm): that session may set a new password
// without the old one, which is the point of forgetting it.
export const load: PageServerLoad = async ({ locals: { user } }) => {
	return { email: user?.email ?? null };
};

export const actions: Actions = {
	default: async ({ request, locals: { supabase, user } }) => {
		if (!user) return fail(401, { error: 'This page needs the link from your email. Ask for a new one.' });
		const input = resetPasswordSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!input.success) return fail(400, { error: input.error.issues[0].message });
		const { error } = await supabase.auth.updateUser({ password: input.data.password });
		if (error) {
			const message =
				error.code === 'same_password'
					? 'That is your current password. Choose a different one.'
					: describeAuthError(error).message;
			return fail(400, { error: message });
		}
		redirect(303, '/messages');
	}
};
