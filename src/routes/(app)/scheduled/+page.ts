import { error } from '@sveltejs/kit';
import { allTrainees, requireTrainer } from '$lib/coach/trainer-only';
import * as coach from '$lib/data/coach';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
	const { supabase, profile } = await parent();
	requireTrainer(profile);
	const [trainees, scheduled, broadcasts, timeZone] = await Promise.all([
		allTrainees(supabase, profile.id),
		coach.scheduledMessages(supabase),
		coach.scheduledBroadcasts(supabase),
		coach.timeZone(supabase, profile.id)
	]);
	if (!scheduled.ok) error(503, scheduled.error.message);
	if (!broadcasts.ok) error(503, broadcasts.error.message);
	if (!timeZone.ok) error(503, timeZone.error.message);
	return { trainees, scheduled: scheduled.data, broadcasts: broadcasts.data, timeZone: timeZone.data };
};
