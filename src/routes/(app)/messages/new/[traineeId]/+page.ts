// The empty composer for a first message. Nothing is sent until the user writes and sends
// (review M8); if the pair already has a conversation, that is where this goes.
import { error, redirect } from '@sveltejs/kit';
import * as api from '$lib/messaging/api';
import { uuidParamSchema } from '$lib/messaging/schema';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent }) => {
	const { supabase, profile } = await parent();
	const otherId = params.traineeId;
	const notYours = 'You can only message your own trainer or trainees.';
	if (!uuidParamSchema.safeParse(otherId).success) error(404, notYours);

	const other = await api.getProfile(supabase, otherId);
	if (!other.ok) error(503, other.error.message);
	const linked =
		other.data !== null &&
		((profile.role === 'trainer' && other.data.trainer_id === profile.id) ||
			(profile.role === 'trainee' && profile.trainer_id === other.data.id));
	if (!other.data || !linked) error(404, notYours);

	const pair =
		profile.role === 'trainer'
			? { trainerId: profile.id, traineeId: other.data.id }
			: { trainerId: other.data.id, traineeId: profile.id };
	const existing = await api.findConversation(supabase, pair);
	if (!existing.ok) error(503, existing.error.message);
	if (existing.data) redirect(307, `/messages/${existing.data.id}`);

	return {
		recipient: { id: other.data.id, name: other.data.display_name, avatarUrl: other.data.avatar_url }
	};
};
