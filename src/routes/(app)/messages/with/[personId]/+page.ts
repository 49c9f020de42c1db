// A conversation with this person, who may not have one with me yet: my trainee (I am their
// trainer) or my trainer (I am their trainee). If we already have a conversation, that is where
// this goes; otherwise an empty composer, and nothing is sent until the user writes and sends.
import { error, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import * as conversations from '$lib/data/conversations';
import * as profiles from '$lib/data/profiles';
import { uuidParamSchema } from '$lib/schemas/input';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent }) => {
	const { supabase, profile } = await parent();
	const notYours = 'You can only message your own trainer or trainees.';
	if (!uuidParamSchema.safeParse(params.personId).success) error(404, notYours);

	const other = await profiles.get(supabase, params.personId);
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
	const existing = await conversations.between(supabase, pair);
	if (!existing.ok) error(503, existing.error.message);
	if (existing.data) {
		redirect(307, resolve('/(app)/messages/[conversationId]', { conversationId: existing.data.id }));
	}

	return {
		recipient: { id: other.data.id, name: other.data.display_name, avatarUrl: other.data.avatar_url }
	};
};
