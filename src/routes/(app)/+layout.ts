import { error, redirect } from '@sveltejs/kit';
import * as api from '$lib/messaging/api';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent, url }) => {
	const { supabase, user } = await parent();
	if (!user) redirect(303, `/sign-in?${new URLSearchParams({ redirectTo: url.pathname })}`);
	const profile = await api.getProfile(supabase, user.id);
	if (!profile.ok) error(503, profile.error.message);
	if (!profile.data) error(403, 'Your account has no Spotter profile. Ask an administrator.');
	return { profile: profile.data };
};
