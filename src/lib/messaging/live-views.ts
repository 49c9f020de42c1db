// Views that follow the database's profile_changed hints (a person linked, unlinked, renamed or
// given a new picture): every load that shows a person depends on that person, and the trainee list
// on any change among a trainer's people. The signed-in layout invalidates them when a hint
// arrives, so each view re-reads the database instead of trusting the event.

/** Trainee list loads depend on this. */
export const TRAINEES_DEPENDENCY = 'spotter:trainees' as const;

/** Loads that show this person (their name, picture or link) depend on this. */
export function profileDependency(profileId: string): `spotter:profile:${string}` {
	return `spotter:profile:${profileId}`;
}
