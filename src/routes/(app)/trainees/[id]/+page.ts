import { error } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import * as profiles from '$lib/data/profiles';
import { uuidParamSchema } from '$lib/schemas/input';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent }) => {
	const { supabase, profile } = await parent();
	if (!uuidParamSchema.safeParse(params.id).success) error(404, 'Trainee not found.');
	const trainee = await profiles.get(supabase, params.id);
	if (!trainee.ok) error(503, trainee.error.message);
	if (!trainee.data || trainee.data.trainer_id !== profile.id) error(404, 'Trainee not found.');
	const conversation = await conversations.between(supabase, { trainerId: profile.id, traineeId: params.id });
	if (!conversation.ok) error(503, conversation.error.message);
	return { trainee: trainee.data, conversation: conversation.data };
};
