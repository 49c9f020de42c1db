// Invitation codes a trainer gives to trainees.
// How they are read: from the invitations table (RLS: a trainer sees their own codes). Created and
// redeemed through the RPCs create_invitation and redeem_invitation, which own the code rules.
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import { invitationSchema, profileSchema, type Invitation, type Profile } from '$lib/schemas/rows';
import { run, type Result } from './result';

export function create(supabase: Supabase): Promise<Result<Invitation>> {
	return run(supabase.rpc('create_invitation'), invitationSchema);
}

/** My codes that can still be redeemed, newest first. */
export function active(supabase: Supabase): Promise<Result<Invitation[]>> {
	return run(
		supabase
			.from('invitations')
			.select('code, created_at, expires_at')
			.is('revoked_at', null)
			.gt('expires_at', new Date().toISOString())
			.order('created_at', { ascending: false })
			.limit(5),
		z.array(invitationSchema)
	);
}

/** Links me, a trainee, to the trainer who made the code; resolves to my updated profile. */
export function redeem(supabase: Supabase, code: string): Promise<Result<Profile>> {
	return run(supabase.rpc('redeem_invitation', { code }), profileSchema);
}
