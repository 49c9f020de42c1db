import { browser } from '$app/environment';
import { error, redirect } from '@sveltejs/kit';
import * as profiles from '$lib/data/profiles';
import * as lastSeen from '$lib/device/last-seen';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent, url }) => {
	const { supabase, user } = await parent();
	if (!user) redirect(303, `/sign-in?${new URLSearchParams({ redirectTo: url.pathname })}`);
	const profile = await profiles.get(supabase, user.id);
	if (!profile.ok) {
		// Offline: the profile this device last saw lets the app open.
		const kept = browser && profile.error.code === 'offline' ? await lastSeen.profile(user.id) : undefined;
		if (kept) return { profile: kept, trainer: null };
		error(503, profile.error.message);
	}
	if (!profile.data) error(403, 'Your account has no Spotter profile. Ask an administrator.');
	if (browser) void lastSeen.saveProfile(profile.data);
	// A trainee sees who their trainer is (name and avatar) wherever the app says "your trainer".
	const trainer = profile.data.trainer_id ? await profiles.get(supabase, profile.data.trainer_id) : null;
	return { profile: profile.data, trainer: trainer?.ok ? trainer.data : null };
};
