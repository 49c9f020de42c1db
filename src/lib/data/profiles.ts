// Profiles: who a user is (role, name, avatar) and, for a trainee, their trainer.
// How they are read: from the profiles table, whose RLS shows me myself, my trainer, my trainees
// and past conversation partners. Written by the table (my own name) and the RPC remove_trainee.
// Last seen: the last_seen table (RLS hides it when either side hides theirs), written by the RPCs
// touch_last_seen and set_last_seen_hidden. A trainer's view of a trainee, with their private note:
// the RPC trainee_profile; the note is saved through save_trainee_note.
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import {
	myLastSeenSchema,
	profileSchema,
	timestamp,
	traineeNoteSchema,
	traineeProfileSchema,
	type MyLastSeen,
	type Profile,
	type TraineeNote,
	type TraineeProfile
} from '$lib/schemas/rows';
import { first, ok, run, type Result } from './result';

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

/** Records that I am active now (the database stores it at most once a minute); resolves to my last seen. */
export function touchLastSeen(supabase: Supabase): Promise<Result<string>> {
	return run(supabase.rpc('touch_last_seen'), timestamp);
}

/** When this person was last active, or null: never recorded, or hidden (by them, or because I hide mine). */
export async function lastSeen(supabase: Supabase, userId: string): Promise<Result<string | null>> {
	const row = await first(
		supabase.from('last_seen').select('seen_at').eq('user_id', userId).limit(1),
		z.object({ seen_at: timestamp })
	);
	return row.ok ? ok(row.data?.seen_at ?? null) : row;
}

/** My own last seen and whether I hide it (null before the app first recorded me). */
export function myLastSeen(supabase: Supabase, myId: string): Promise<Result<MyLastSeen | null>> {
	return first(
		supabase.from('last_seen').select('seen_at, hidden').eq('user_id', myId).limit(1),
		myLastSeenSchema
	);
}

/** My privacy setting: hidden, nobody sees my last seen and I see nobody's. */
export function setLastSeenHidden(supabase: Supabase, hidden: boolean): Promise<Result<null>> {
	return run(supabase.rpc('set_last_seen_hidden', { hidden }), z.null());
}

/** A trainee as I, their (current or past) trainer, see them; null when I cannot see them. */
export function traineeProfile(
	supabase: Supabase,
	traineeId: string
): Promise<Result<TraineeProfile | null>> {
	return first(supabase.rpc('trainee_profile', { trainee_id: traineeId }), traineeProfileSchema);
}

/** Saves my private note about a trainee; a blank note deletes it (resolves to null). */
export function saveNote(
	supabase: Supabase,
	traineeId: string,
	body: string
): Promise<Result<TraineeNote | null>> {
	return first(supabase.rpc('save_trainee_note', { trainee_id: traineeId, body }), traineeNoteSchema);
}
