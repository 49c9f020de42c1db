import { browser } from '$app/environment';
import { error } from '@sveltejs/kit';
import * as conversations from '$lib/data/conversations';
import * as profiles from '$lib/data/profiles';
import { lastSeen } from '$lib/device/on-demand';
import { profileDependency } from '$lib/messaging/live-views';
import { uuidParamSchema } from '$lib/schemas/input';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent, depends }) => {
	const { supabase, profile } = await parent();
	if (!uuidParamSchema.safeParse(params.id).success) error(404, 'Trainee not found.');
	depends(profileDependency(params.id));
	const trainee = await profiles.get(supabase, params.id);
	if (browser && !trainee.ok && trainee.error.code === 'offline') {
		// Offline: as the trainee list this device last saw shows them.
		const kept = await lastSeen.trainees(profile.id);
		const seen = kept?.trainees.find((t) => t.id === params.id);
		if (!seen) error(503, 'You are offline, and this trainee has not been opened on this device yet.');
		const conversation = kept?.conversations.find((c) => c.trainee_id === params.id) ?? null;
		return { trainee: seen, conversation, details: null, offline: true };
	}
	if (!trainee.ok) error(503, trainee.error.message);
	if (!trainee.data || trainee.data.trainer_id !== profile.id) error(404, 'Trainee not found.');
	// The pair's conversation, and what only the trainer sees: when they joined and were last active,
	// and the trainer's private note.
	const [conversation, details] = await Promise.all([
		conversations.between(supabase, { trainerId: profile.id, traineeId: params.id }),
		profiles.traineeProfile(supabase, params.id)
	]);
	if (!conversation.ok) error(503, conversation.error.message);
	if (!details.ok) error(503, details.error.message);
	return { trainee: trainee.data, conversation: conversation.data, details: details.data, offline: false };
};
