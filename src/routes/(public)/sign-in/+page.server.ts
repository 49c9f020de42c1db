import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { describeAuthError } from '$lib/messaging/errors';
import { safeRedirect } from '../safe-redirect';
import type { Actions } from './$types';

const signInSchema = z.object({
	email: z.string().trim().email('Enter a valid email address.'),
	password: z.string().min(1, 'Enter your password.')
});

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
