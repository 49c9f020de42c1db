// An invitation link, /join/<code>: for someone new, the way to sign up with the code; for a
// trainee already signed in, one button that links them to the trainer.
import { fail, redirect } from '@sveltejs/kit';
import * as invitations from '$lib/data/invitations';
import * as profiles from '$lib/data/profiles';
import { invitationCodeSchema } from '$lib/schemas/input';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals: { supabase, user } }) => {
	const code = invitationCodeSchema.safeParse(params.code);
	if (!code.success) return { code: params.code, problem: code.error.issues[0].message, role: null };
	const status = await invitations.check(supabase, code.data);
	const problem = !status.ok
		? status.error.message
		: status.data === 'valid'
			? null
			: invitations.statusError(status.data).message;
	let role: string | null = null;
	if (user) {
		const me = await profiles.get(supabase, user.id);
		role = me.ok ? (me.data?.role ?? null) : null;
	}
	return { code: code.data, problem, role };
};

export const actions: Actions = {
	default: async ({ params, locals: { supabase, user } }) => {
		if (!user) redirect(303, `/sign-in?${new URLSearchParams({ redirectTo: `/join/${params.code}` })}`);
		const code = invitationCodeSchema.safeParse(params.code);
		if (!code.success) return fail(400, { error: code.error.issues[0].message });
		const linked = await invitations.redeem(supabase, code.data);
		if (!linked.ok) return fail(400, { error: linked.error.message });
		redirect(303, '/messages');
	}
};
