import { error } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import * as invitations from '$lib/data/invitations';
import * as profiles from '$lib/data/profiles';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
	const { supabase, profile } = await parent();
	const [trainees, active] = await Promise.all([
		profiles.trainees(supabase, profile.id),
		invitations.active(supabase)
	]);
	if (!trainees.ok) error(503, trainees.error.message);
	if (!active.ok) error(503, active.error.message);
	const theirConversations = await conversations.withTrainees(
		supabase,
		profile.id,
		trainees.data.map((t) => t.id)
	);
	if (!theirConversations.ok) error(503, theirConversations.error.message);
	return { trainees: trainees.data, conversations: theirConversations.data, invitations: active.data };
};
