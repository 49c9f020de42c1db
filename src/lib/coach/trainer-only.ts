// The coach tools' pages are for trainers; everyone else gets a sentence, not a broken page.
import { error } from '@sveltejs/kit';
import * as profiles from '$lib/data/profiles';
import type { Profile } from '$lib/schemas/rows';
import type { Supabase } from '$lib/supabase/types';

export function requireTrainer(profile: Profile): void {
	if (profile.role !== 'trainer') error(403, 'Only trainers can use this page.');
}

/** All my trainees (every page of them): a broadcast or a scheduled message may go to any. */
export async function allTrainees(supabase: Supabase, trainerId: string): Promise<Profile[]> {
	const all: Profile[] = [];
	for (;;) {
		const last = all.at(-1);
		const page = await profiles.trainees(
			supabase,
			trainerId,
			last ? { displayName: last.display_name, id: last.id } : undefined
		);
		if (!page.ok) error(503, page.error.message);
		all.push(...page.data);
		if (page.data.length < profiles.TRAINEES_PAGE_SIZE) return all;
	}
}
