import { error } from '@sveltejs/kit';
import { allTrainees, requireTrainer } from '$lib/coach/trainer-only';
import * as coach from '$lib/data/coach';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
	const { supabase, profile } = await parent();
	requireTrainer(profile);
	const [trainees, summaries, timeZone] = await Promise.all([
		allTrainees(supabase, profile.id),
		coach.broadcastSummaries(supabase),
		coach.timeZone(supabase, profile.id)
	]);
	if (!summaries.ok) error(503, summaries.error.message);
	if (!timeZone.ok) error(503, timeZone.error.message);
	return { trainees, summaries: summaries.data, timeZone: timeZone.data };
};
