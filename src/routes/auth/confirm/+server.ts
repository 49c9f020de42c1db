// Where every emailed link lands: sign-up confirmation, password recovery, email change. It
// verifies the link's token with Auth (verifyOtp with token_hash and type, as Supabase's SvelteKit
// guide does), which signs the browser in through the session cookies, then goes on to `next`.
//
// Why verifyOtp with the token hash rather than the PKCE code exchange: the exchange needs the
// code verifier that signUp() left in the cookies of the browser that signed up, so a link opened
// in another browser or on the phone's mail app fails. The token hash is the whole proof, wherever
// the link is opened; it works once, until it expires, as the code would.
import type { EmailOtpType } from '@supabase/supabase-js';
import { redirect } from '@sveltejs/kit';
import * as account from '$lib/data/account';
import { rejectedByAuth } from '$lib/supabase/session-check';
import { safeRedirect } from '../../(public)/safe-redirect';
import type { RequestHandler } from './$types';

const emailTypes = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'] as const;
const isEmailType = (type: string | null): type is EmailOtpType =>
	(emailTypes as readonly (string | null)[]).includes(type);

export const GET: RequestHandler = async ({ url, locals: { supabase } }) => {
	const tokenHash = url.searchParams.get('token_hash');
	const type = url.searchParams.get('type');
	const failure = (reason: string): never => {
		const query = new URLSearchParams({ reason, ...(isEmailType(type) ? { type } : {}) });
		// An outage is worth trying again with the same link: it was not used.
		if (reason === 'unavailable') query.set('retry', url.searchParams.toString());
		redirect(303, `/auth/error?${query}`);
	};
	if (!tokenHash || !isEmailType(type)) failure('incomplete');
	const verifiedType = type as EmailOtpType;

	const { data, error } = await supabase.auth.verifyOtp({ type: verifiedType, token_hash: tokenHash! });
	if (error) {
		// otp_expired: invalid, expired or already used — Auth does not say which.
		failure(rejectedByAuth(error) ? 'expired' : 'unavailable');
	}
	if (!data.session || !data.user) {
		// A change of email confirmed on one address only; the other address has its own link.
		if (verifiedType === 'email_change') redirect(303, '/auth/email-change');
		failure('expired');
	}

	if (verifiedType === 'recovery') redirect(303, '/auth/reset-password');
	if (verifiedType === 'email_change') redirect(303, '/settings?email_changed=1');
	if (verifiedType === 'signup' || verifiedType === 'email' || verifiedType === 'invite') {
		const problem = await account.signUpInvitationProblem(supabase, data.user!);
		if (problem) redirect(303, `/settings?${new URLSearchParams({ invitation_error: problem.code })}`);
	}
	redirect(303, safeRedirect(url.searchParams.get('next'), '/messages', url.origin));
};
