import { browser } from '$app/environment';
import { error, redirect } from '@sveltejs/kit';
import * as profiles from '$lib/data/profiles';
import { lastSeen } from '$lib/device/on-demand';
import { profileDependency } from '$lib/messaging/live-views';
import type { Profile } from '$lib/schemas/rows';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent, url, depends }) => {
	const { supabase, user, session, offline } = await parent();
	if (browser && offline) {
		// Offline, the Auth server cannot confirm anyone: open what this device kept for the user it
		// last confirmed (never someone else's session), or ask to sign in once back online.
		const kept = await keptProfile(session?.user.id);
		if (kept) return { profile: kept, trainer: null };
		redirect(303, `/sign-in?${new URLSearchParams({ redirectTo: url.pathname })}`);
	}
	if (!user) redirect(303, `/sign-in?${new URLSearchParams({ redirectTo: url.pathname })}`);
	// My own link or name changed elsewhere (the database says so on my user topic).
	depends(profileDependency(user.id));
	const profile = await profiles.get(supabase, user.id);
	if (!profile.ok) {
		// Offline: the profile this device last saw lets the app open.
		const kept = browser && profile.error.code === 'offline' ? await lastSeen.profile(user.id) : undefined;
		if (kept) return { profile: kept, trainer: null };
		error(503, profile.error.message);
	}
	if (!profile.data) error(403, 'Your account has no Spotter profile. Ask an administrator.');
	if (browser) {
		void lastSeen.saveProfile(profile.data);
		void lastSeen.saveSignedIn({ id: user.id, email: user.email ?? null });
	}
	// A trainee sees who their trainer is (name and avatar) wherever the app says "your trainer".
	const trainer = profile.data.trainer_id ? await profiles.get(supabase, profile.data.trainer_id) : null;
	return { profile: profile.data, trainer: trainer?.ok ? trainer.data : null };
};

/** The profile of the user last confirmed on this device, if the session (when any) is theirs. */
async function keptProfile(sessionUserId: string | undefined): Promise<Profile | undefined> {
	const signedIn = await lastSeen.signedIn();
	if (!signedIn || (sessionUserId && sessionUserId !== signedIn.id)) return undefined;
	return lastSeen.profile(signedIn.id);
}
