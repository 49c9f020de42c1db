import { browser } from '$app/environment';
import { error } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import * as invitations from '$lib/data/invitations';
import * as profiles from '$lib/data/profiles';
import { lastSeen } from '$lib/device/on-demand';
import { TRAINEES_DEPENDENCY } from '$lib/messaging/live-views';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, depends }) => {
	const { supabase, profile } = await parent();
	// A trainee joining, leaving or being renamed: the database says so on my user topic.
	depends(TRAINEES_DEPENDENCY);
	const [trainees, active] = await Promise.all([
		profiles.trainees(supabase, profile.id),
		invitations.active(supabase)
	]);
	if (browser && !trainees.ok && trainees.error.code === 'offline') {
		// Offline: the first page this device last saw.
		const kept = await lastSeen.trainees(profile.id);
		if (!kept) error(503, 'You are offline, and your trainees have not been opened on this device yet.');
		return { ...kept, offline: true };
	}
	if (!trainees.ok) error(503, trainees.error.message);
	if (!active.ok) error(503, active.error.message);
	const theirConversations = await conversations.withTrainees(
		supabase,
		profile.id,
		trainees.data.map((t) => t.id)
	);
	if (!theirConversations.ok) error(503, theirConversations.error.message);
	const page = { trainees: trainees.data, conversations: theirConversations.data, invitations: active.data };
	if (browser) void lastSeen.saveTrainees(profile.id, page);
	return { ...page, offline: false };
};
