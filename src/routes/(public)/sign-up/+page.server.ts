import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as api from '$lib/messaging/api';
import { describeAuthError } from '$lib/messaging/errors';
import { displayNameSchema, invitationCodeSchema } from '$lib/messaging/schema';
import type { Actions } from './$types';

const signUpSchema = z.object({
	display_name: displayNameSchema,
	email: z.string().trim().email('Enter a valid email address.'),
	password: z.string().min(6, 'Choose a password of at least 6 characters.'),
	role: z.enum(['trainer', 'trainee'], { message: 'Choose whether you are a trainer or a trainee.' }),
	code: z.union([z.literal(''), invitationCodeSchema])
});

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
			const redeemed = await api.redeemInvitation(supabase, code);
			if (!redeemed.ok) {
				// The account exists and is signed in now: Settings explains and lets them try again.
				redirect(303, `/settings?${new URLSearchParams({ invitation_error: redeemed.error.code })}`);
			}
		}
		redirect(303, '/messages');
	}
};
