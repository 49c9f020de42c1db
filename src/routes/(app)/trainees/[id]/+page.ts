import { error } from '@sveltejs/kit';
import * as api from '$lib/messaging/api';
import { uuidParamSchema } from '$lib/messaging/schema';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent }) => {
	const { supabase, profile } = await parent();
	if (!uuidParamSchema.safeParse(params.id).success) error(404, 'Trainee not found.');
	const trainee = await api.getProfile(supabase, params.id);
	if (!trainee.ok) error(503, trainee.error.message);
	if (!trainee.data || trainee.data.trainer_id !== profile.id) error(404, 'Trainee not found.');
	const conversation = await api.findConversation(supabase, { trainerId: profile.id, traineeId: params.id });
	if (!conversation.ok) error(503, conversation.error.message);
	return { trainee: trainee.data, conversation: conversation.data };
};
