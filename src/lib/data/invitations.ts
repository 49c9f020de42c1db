// Invitation codes a trainer shares with trainees: as a code, a /join/<code> link or its QR code.
// How they are read: from the invitations table (RLS: a trainer sees their own codes). Created,
// withdrawn, checked and redeemed through the RPCs create_invitation, revoke_invitation,
// check_invitation and redeem_invitation, which own the code rules (private.invitation_lookup).
import { z } from 'zod/mini';
import { databaseErrors, type UserError } from '$lib/errors';
import type { Supabase } from '$lib/supabase/types';
import { invitationSchema, profileSchema, type Invitation, type Profile } from '$lib/schemas/rows';
import { failed, ok, run, type Result } from './result';

const columns = 'code, created_at, expires_at, revoked_at, max_uses, use_count';

export interface NewInvitation {
	/** How many trainees may use it; null for no limit. */
	maxUses: number | null;
	/** How many days it can be used (1–90). */
	validDays: number;
}

export function create(
	supabase: Supabase,
	{ maxUses, validDays }: NewInvitation = { maxUses: null, validDays: 14 }
): Promise<Result<Invitation>> {
	return run(
		supabase.rpc('create_invitation', { max_uses: maxUses ?? undefined, valid_days: validDays }),
		invitationSchema
	);
}

export const PAGE_SIZE = 10;

/** Where the next page of codes starts: after this one (newest first). */
export interface InvitationCursor {
	createdAt: string;
	code: string;
}

/** My codes that have not expired or been withdrawn (used-up ones too), newest first, a page at a time. */
export function active(supabase: Supabase, after?: InvitationCursor): Promise<Result<Invitation[]>> {
	let query = supabase
		.from('invitations')
		.select(columns)
		.is('revoked_at', null)
		.gt('expires_at', new Date().toISOString());
	if (after) {
		const at = JSON.stringify(after.createdAt);
		query = query.or(`created_at.lt.${at},and(created_at.eq.${at},code.lt.${after.code})`);
	}
	return run(
		query.order('created_at', { ascending: false }).order('code', { ascending: false }).limit(PAGE_SIZE),
		z.array(invitationSchema)
	);
}

/** Withdraws one of my codes: nobody can use it any more. */
export async function revoke(supabase: Supabase, code: string): Promise<Result<Invitation>> {
	const result = await run(supabase.rpc('revoke_invitation', { code }), z.array(invitationSchema));
	if (!result.ok) return result;
	// No row: not one of my codes (any more).
	const [row] = result.data;
	return row ? ok(row) : failed({ code: 'SP010', ...databaseErrors.SP010 });
}

/** Links me, a trainee, to the trainer who made the code; resolves to my updated profile. */
export function redeem(supabase: Supabase, code: string): Promise<Result<Profile>> {
	return run(supabase.rpc('redeem_invitation', { code }), profileSchema);
}

export const statusSchema = z.enum(['valid', 'expired', 'revoked', 'used_up', 'not_found']);
export type InvitationStatus = z.infer<typeof statusSchema>;

/** Whether a code works, asked before signing in or up (check_invitation answers only that). */
export function check(supabase: Supabase, code: string): Promise<Result<InvitationStatus>> {
	return run(supabase.rpc('check_invitation', { code }), statusSchema);
}

/** The refusal redeeming would meet, for a status other than valid: the same sentence either way. */
const refusals: Record<Exclude<InvitationStatus, 'valid'>, string> = {
	not_found: 'SP010',
	expired: 'SP011',
	revoked: 'SP013',
	used_up: 'SP014'
};

export function statusError(status: Exclude<InvitationStatus, 'valid'>): UserError {
	const code = refusals[status];
	return { code, ...databaseErrors[code] };
}

/** The link a trainer shares: opens sign-up (or sign-in) with the code. */
export function joinUrl(origin: string, code: string): string {
	return new URL(`/join/${encodeURIComponent(code)}`, origin).toString();
}
