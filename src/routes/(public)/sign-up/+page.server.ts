import { fail, redirect } from '@sveltejs/kit';
import * as invitations from '$lib/data/invitations';
import { describeAuthError } from '$lib/errors';
import { signUpSchema } from '$lib/schemas/account-forms';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, locals: { supabase } }) => {
		const form = Object.fromEntries(await request.formData());
		const echo = {
			display_name: String(form.display_name ?? ''),
			email: String(form.email ?? ''),
			role: String(form.role ?? 'trainee'),
			code: String(form.code ?? '')
		};
		const input = signUpSchema.safeParse({ ...form, code: echo.code.trim() });
		if (!input.success) return fail(400, { ...echo, error: input.error.issues[0].message });
		const { display_name, email, password, role, code } = input.data;
		if (code && role !== 'trainee') {
			return fail(400, {
				...echo,
				error: 'Invitation codes are for trainees. Leave it empty to sign up as a trainer.'
			});
		}

		const { data, error } = await supabase.auth.signUp({
			email,
			password,
			options: { data: { role, display_name } }
		});
		if (error) return fail(400, { ...echo, error: describeAuthError(error).message });
		if (!data.session) {
			return { ...echo, notice: 'Check your email and follow the link to finish creating your account.' };
		}

		if (code) {
			const redeemed = await invitations.redeem(supabase, code);
			if (!redeemed.ok) {
				// The account exists and is signed in now: Settings explains and lets them try again.
				redirect(303, `/settings?${new URLSearchParams({ invitation_error: redeemed.error.code })}`);
			}
		}
		redirect(303, '/messages');
	}
};
