// Profiles: who a user is (role, name, avatar) and, for a trainee, their trainer.
// How they are read: from the profiles table, whose RLS shows me myself, my trainer, my trainees
// and past conversation partners. Written by the table (my own name) and the RPC remove_trainee.
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import { profileSchema, type Profile } from '$lib/schemas/rows';
import { first, run, type Result } from './result';

const columns = 'id, role, display_name, avatar_url, trainer_id';

/** A profile I may see, or null. */
export function get(supabase: Supabase, id: string): Promise<Result<Profile | null>> {
	return first(supabase.from('profiles').select(columns).eq('id', id).limit(1), profileSchema);
}

export const TRAINEES_PAGE_SIZE = 50;

/** Where the next page of trainees starts: after this one. */
export interface TraineeCursor {
	displayName: string;
	id: string;
}

/** A trainer's trainees by name, keyset-paginated on (display_name, id). */
export function trainees(
	supabase: Supabase,
	trainerId: string,
	after?: TraineeCursor
): Promise<Result<Profile[]>> {
	let query = supabase.from('profiles').select(columns).eq('trainer_id', trainerId);
	if (after) {
		const name = JSON.stringify(after.displayName);
		query = query.or(`display_name.gt.${name},and(display_name.eq.${name},id.gt.${after.id})`);
	}
	return run(query.order('display_name').order('id').limit(TRAINEES_PAGE_SIZE), z.array(profileSchema));
}

export function rename(supabase: Supabase, userId: string, displayName: string): Promise<Result<null>> {
	return run(supabase.from('profiles').update({ display_name: displayName }).eq('id', userId), z.null());
}

/** Unlinks one of my trainees (the database archives our conversation in the same transaction). */
export function removeTrainee(supabase: Supabase, traineeId: string): Promise<Result<unknown>> {
	return run(supabase.rpc('remove_trainee', { trainee_id: traineeId }), z.unknown());
}
