// The emailed flows of Supabase Auth: sending confirmation, recovery and email-change messages
// (one-time tokens, `max_frequency`, PKCE flow states), and redeeming them — POST /verify (by
// token hash, or by email and code), GET /verify (the link in the mail: a 303 to the redirect with
// a session or a PKCE code, or the error), POST /recover, POST /resend, and the PKCE code exchange.
import { createHash, randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.ts';
import type { EmailKind } from '../config.ts';
import { header } from '../http.ts';
import { chooseRedirect } from './redirects.ts';
import { newEmailToken, renderAuthMail, tokenHash, type EmailToken } from './mailer.ts';
import { jsonBody, markSignedIn, sessionBody, stringField, type AuthRequest, type Reply } from './request.ts';
import { createSession, findUser, userColumns, type IssuedSession, type UserRow } from './tokens.ts';
import { AuthError, findUserByEmail, normalizeEmail, userJson } from './users.ts';

type TokenType =
	'confirmation_token' | 'recovery_token' | 'email_change_token_new' | 'email_change_token_current';

const linkExpired = () => new AuthError(403, 'otp_expired', 'Email link is invalid or has expired');
const codeExpired = () => new AuthError(403, 'otp_expired', 'Token has expired or is invalid');
const phoneDisabled = () => new AuthError(400, 'phone_provider_disabled', 'Phone logins are disabled');

/** How long a PKCE flow state (and so its code) lives: Supabase Auth's fixed 300 seconds. */
const flowStateSeconds = 300;

// ----------------------------------------------------------------------------------------------
// Sending
// ----------------------------------------------------------------------------------------------

/** The redirect a mail links to: `redirect_to` (query or header) or the Referer when allowed, else site_url. */
export function mailRedirect(r: AuthRequest): string {
	const requested = header(r.req, 'redirect_to') || r.url.searchParams.get('redirect_to');
	return chooseRedirect(r.ctx.config.auth, requested, header(r.req, 'referer'));
}

const toDate = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v));

/** `max_frequency`: one mail of a kind per user per interval, with the wait in the message. */
function checkFrequency(r: AuthRequest, sentAt: Date | string | null): void {
	const sent = toDate(sentAt);
	const frequencyMs = r.ctx.config.auth.email.maxFrequency * 1000;
	if (sent && sent.getTime() + frequencyMs > Date.now()) {
		const left = Math.trunc((sent.getTime() + frequencyMs - Date.now()) / 1000);
		throw new AuthError(
			429,
			'over_email_send_rate_limit',
			`For security purposes, you can only request this after ${left} seconds.`
		);
	}
}

async function saveToken(tx: Queryable, userId: string, relatesTo: string, hash: string, type: TokenType) {
	await tx.query(`delete from auth.one_time_tokens where user_id = $1 and token_type = $2`, [userId, type]);
	await tx.query(
		`insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to) values ($1, $2, $3, $4, lower($5))`,
		[randomUUID(), userId, type, hash, relatesTo]
	);
}

function queueMail(
	r: AuthRequest,
	user: UserRow,
	kind: EmailKind,
	to: string,
	token: EmailToken,
	extra: { newEmail?: string } = {}
): void {
	r.outbox.push(
		renderAuthMail(r.ctx.config, {
			kind,
			to,
			token,
			redirectTo: mailRedirect(r),
			externalUrl: r.issuer,
			email: user.email ?? '',
			newEmail: extra.newEmail,
			data: user.raw_user_meta_data
		})
	);
}

export interface CodeChallenge {
	challenge: string;
	method: string;
}

/** Supabase Auth's PKCE parameters: both or neither, a challenge of 43–128 URL-safe characters. */
export function codeChallengeOf(body: Record<string, unknown>): CodeChallenge | undefined {
	const challenge = stringField(body, 'code_challenge');
	const method = stringField(body, 'code_challenge_method');
	if ((challenge === '') !== (method === '')) {
		throw new AuthError(
			400,
			'validation_failed',
			'PKCE flow requires code_challenge_method and code_challenge'
		);
	}
	if (challenge === '') return undefined;
	if (challenge.length < 43 || challenge.length > 128) {
		throw new AuthError(400, 'validation_failed', 'code challenge has to be between 43 and 128 characters');
	}
	if (!/^[a-zA-Z._~0-9-]+$/.test(challenge)) {
		throw new AuthError(
			400,
			'validation_failed',
			'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes'
		);
	}
	if (!['s256', 'plain'].includes(method.toLowerCase())) {
		throw new AuthError(400, 'validation_failed', `unsupported code_challenge method "${method}"`);
	}
	return { challenge, method: method.toLowerCase() };
}

/** Stores the flow state a later GET /verify issues a code for (`authentication_method` as GoTrue names it). */
export async function saveFlowState(
	tx: Queryable,
	userId: string,
	pkce: CodeChallenge,
	providerType: string,
	authenticationMethod: string
): Promise<void> {
	await tx.query(
		`insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
			authentication_method, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, $6, $7, now(), now())`,
		[randomUUID(), userId, randomUUID(), pkce.method, pkce.challenge, providerType, authenticationMethod]
	);
}

/** The users columns each single-link mail keeps its token and time in. */
const linkMails = {
	confirmation: { token: 'confirmation_token', sentAt: 'confirmation_sent_at' },
	recovery: { token: 'recovery_token', sentAt: 'recovery_sent_at' }
} as const;

/** A confirmation or recovery mail: a new token (the previous one stops working) and its link. */
async function sendLinkMail(
	r: AuthRequest,
	tx: Queryable,
	user: UserRow,
	pkce: boolean,
	kind: keyof typeof linkMails
): Promise<void> {
	const columns = linkMails[kind];
	checkFrequency(r, user[columns.sentAt]);
	const email = user.email ?? '';
	const token = newEmailToken(email, r.ctx.config.auth.email.otpLength, pkce);
	queueMail(r, user, kind, email, token);
	await tx.query(`update auth.users set ${columns.token} = $2, ${columns.sentAt} = now() where id = $1`, [
		user.id,
		token.hash
	]);
	await saveToken(tx, user.id, email, token.hash, columns.token);
}

export const sendConfirmation = (r: AuthRequest, tx: Queryable, user: UserRow, pkce: boolean) =>
	sendLinkMail(r, tx, user, pkce, 'confirmation');

const sendRecovery = (r: AuthRequest, tx: Queryable, user: UserRow, pkce: boolean) =>
	sendLinkMail(r, tx, user, pkce, 'recovery');

/**
 * An email change: a link to the new address, and with `double_confirm_changes` one to the
 * current address too; the change applies when both (or the one) have been followed.
 */
export async function sendEmailChange(
	r: AuthRequest,
	tx: Queryable,
	user: UserRow,
	newEmail: string,
	pkce: boolean
): Promise<void> {
	checkFrequency(r, user.email_change_sent_at);
	const { otpLength, doubleConfirmChanges } = r.ctx.config.auth.email;
	const toNew = newEmailToken(newEmail, otpLength, pkce);
	const current = user.email ?? '';
	const toCurrent =
		doubleConfirmChanges && current !== '' ? newEmailToken(current, otpLength, pkce) : undefined;
	queueMail(r, user, 'email_change', newEmail, toNew, { newEmail });
	if (toCurrent) queueMail(r, user, 'email_change', current, toCurrent, { newEmail });
	await tx.query(
		`update auth.users set email_change = $2, email_change_token_new = $3, email_change_token_current = $4,
			email_change_confirm_status = 0, email_change_sent_at = now()
		 where id = $1`,
		[user.id, newEmail, toNew.hash, toCurrent?.hash ?? '']
	);
	await tx.query(
		`delete from auth.one_time_tokens where user_id = $1 and token_type in ('email_change_token_new', 'email_change_token_current')`,
		[user.id]
	);
	await saveToken(tx, user.id, newEmail, toNew.hash, 'email_change_token_new');
	if (toCurrent) await saveToken(tx, user.id, current, toCurrent.hash, 'email_change_token_current');
}

// ----------------------------------------------------------------------------------------------
// POST /recover and POST /resend: 200 {} whether or not the address has an account
// ----------------------------------------------------------------------------------------------

export async function recover(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	if (!body.email) throw new AuthError(400, 'validation_failed', 'Password recovery requires an email');
	const email = normalizeEmail(body.email);
	const pkce = codeChallengeOf(body);
	await r.ctx.db.transaction(async (tx) => {
		const found = await findUserByEmail(tx, email);
		// Locked, so that two requests at once cannot both pass max_frequency.
		const user = found && (await lockUser(tx, found.id));
		if (!user) return;
		if (pkce) await saveFlowState(tx, user.id, pkce, 'recovery', 'recovery');
		await sendRecovery(r, tx, user, pkce !== undefined);
	});
	return { status: 200, body: {} };
}

export async function resend(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	const type = stringField(body, 'type');
	if (type === 'sms' || type === 'phone_change') throw phoneDisabled();
	if (type !== 'signup' && type !== 'email_change') {
		throw new AuthError(
			400,
			'validation_failed',
			'Missing one of these types: signup, email_change, sms, phone_change'
		);
	}
	const pkce = codeChallengeOf(body);
	if (!body.email && type === 'signup') {
		throw new AuthError(400, 'validation_failed', 'Type provided requires an email address');
	}
	if (body.phone) throw phoneDisabled();
	if (!body.email) throw new AuthError(400, 'validation_failed', 'Missing email address or phone number');
	const email = normalizeEmail(body.email);
	await r.ctx.db.transaction(async (tx) => {
		const found = await findUserByEmail(tx, email);
		const user = found && (await lockUser(tx, found.id));
		if (!user) return;
		if (type === 'signup') {
			// A confirmed address is not told apart from an unknown one.
			if (user.email_confirmed_at) return;
			if (pkce) await saveFlowState(tx, user.id, pkce, 'email/signup', 'email/signup');
			await sendConfirmation(r, tx, user, pkce !== undefined);
		} else {
			if (!user.email_change) return;
			if (pkce) await saveFlowState(tx, user.id, pkce, 'email_change', 'email_change');
			await sendEmailChange(r, tx, user, user.email_change, pkce !== undefined);
		}
	});
	return { status: 200, body: {} };
}

// ----------------------------------------------------------------------------------------------
// Verifying a token
// ----------------------------------------------------------------------------------------------

type VerifyType = 'signup' | 'invite' | 'recovery' | 'magiclink' | 'email_change' | 'email';
const verifyTypes = new Set<string>(['signup', 'invite', 'recovery', 'magiclink', 'email_change', 'email']);

const tokenTypesFor: Record<VerifyType, TokenType[]> = {
	signup: ['confirmation_token'],
	invite: ['confirmation_token'],
	recovery: ['recovery_token'],
	magiclink: ['recovery_token'],
	email_change: ['email_change_token_current', 'email_change_token_new'],
	email: ['confirmation_token', 'recovery_token']
};

const expired = (r: AuthRequest, sentAt: Date | string | null) => {
	const sent = toDate(sentAt);
	return !sent || Date.now() > sent.getTime() + r.ctx.config.auth.email.otpExpiry * 1000;
};

interface Found {
	user: UserRow;
	/** The type after resolving `email` to `signup` or `magiclink`. */
	type: Exclude<VerifyType, 'email'>;
	/** The hash that matched, as stored (with its `pkce_` prefix if any). */
	hash: string;
}

export async function lockUser(tx: Queryable, id: string): Promise<UserRow | undefined> {
	const { rows } = await tx.query<UserRow>(`select ${userColumns} from auth.users where id = $1 for update`, [
		id
	]);
	return rows[0];
}

function refuseBanned(user: UserRow): void {
	if (user.banned_until && new Date(user.banned_until) > new Date()) {
		throw new AuthError(403, 'user_banned', 'User is banned');
	}
}

/** The link path: the hash as mailed, looked up among the outstanding one-time tokens. */
async function findByHash(r: AuthRequest, tx: Queryable, type: VerifyType, hash: string): Promise<Found> {
	const { rows } = await tx.query<{ user_id: string }>(
		// Locked, so that of two requests racing with one token the second finds it gone.
		`select user_id from auth.one_time_tokens where token_hash = $1 and token_type::text = any($2) limit 1 for update`,
		[hash, tokenTypesFor[type]]
	);
	const user = rows[0] && (await lockUser(tx, rows[0].user_id));
	if (!user) throw linkExpired();
	refuseBanned(user);
	let resolved: Found['type'];
	let sentAt: Date | string | null;
	if (type === 'email') {
		const recovery = user.recovery_token === hash;
		resolved = recovery ? 'magiclink' : 'signup';
		sentAt = recovery ? user.recovery_sent_at : user.confirmation_sent_at;
	} else {
		resolved = type;
		sentAt =
			type === 'signup' || type === 'invite'
				? user.confirmation_sent_at
				: type === 'email_change'
					? user.email_change_sent_at
					: user.recovery_sent_at;
	}
	if (expired(r, sentAt)) throw linkExpired();
	return { user, type: resolved, hash };
}

/** The code path: email and the typed code, compared with the user's outstanding token. */
async function findByCode(
	r: AuthRequest,
	tx: Queryable,
	type: VerifyType,
	email: string,
	otp: string
): Promise<Found> {
	const hash = tokenHash(email, otp);
	const matches = (stored: string | null, sentAt: Date | string | null) =>
		!!stored && !expired(r, sentAt) && (stored === hash || stored === `pkce_${hash}`);
	let user: UserRow | undefined;
	if (type === 'email_change') {
		const { rows } = await tx.query<{ user_id: string }>(
			`select user_id from auth.one_time_tokens
			 where token_hash in ($1, 'pkce_' || $1) and relates_to = $2
			   and token_type in ('email_change_token_current', 'email_change_token_new')
			 limit 1 for update`,
			[hash, email]
		);
		user = rows[0] && (await lockUser(tx, rows[0].user_id));
	} else {
		const found = await findUserByEmail(tx, email);
		user = found && (await lockUser(tx, found.id));
	}
	if (!user) throw codeExpired();
	refuseBanned(user);
	const stored = (t: string | null) => (t === `pkce_${hash}` ? t : hash);
	switch (type) {
		case 'email':
			if (matches(user.confirmation_token, user.confirmation_sent_at)) {
				return { user, type: 'signup', hash: stored(user.confirmation_token) };
			}
			if (matches(user.recovery_token, user.recovery_sent_at)) {
				return { user, type: 'magiclink', hash: stored(user.recovery_token) };
			}
			break;
		case 'signup':
		case 'invite':
			if (matches(user.confirmation_token, user.confirmation_sent_at)) {
				return { user, type, hash: stored(user.confirmation_token) };
			}
			break;
		case 'recovery':
		case 'magiclink':
			if (matches(user.recovery_token, user.recovery_sent_at))
				return { user, type, hash: stored(user.recovery_token) };
			break;
		case 'email_change':
			for (const t of [user.email_change_token_current, user.email_change_token_new]) {
				if (matches(t, user.email_change_sent_at)) return { user, type, hash: stored(t) };
			}
			break;
	}
	throw codeExpired();
}

/** Confirms the address: the timestamp, `email_verified` in the metadata and identity, no tokens left. */
async function confirm(tx: Queryable, user: UserRow): Promise<void> {
	await tx.query(
		`update auth.users set email_confirmed_at = now(), confirmation_token = '',
			raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb,
			updated_at = now()
		 where id = $1`,
		[user.id]
	);
	await tx.query(
		`update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
		 where user_id = $1 and provider = 'email' and email = lower($2)`,
		[user.id, user.email ?? '']
	);
	await tx.query(`delete from auth.one_time_tokens where user_id = $1`, [user.id]);
}

const singleConfirmationAccepted =
	'Confirmation link accepted. Please proceed to confirm link sent to the other email';

/**
 * Applies a verified token. Answers 'half' for the first of the two links of a secure email
 * change, which only records that one address was confirmed.
 */
async function apply(r: AuthRequest, tx: Queryable, found: Found): Promise<UserRow | 'half'> {
	const { user } = found;
	switch (found.type) {
		case 'signup':
		case 'invite':
			await confirm(tx, user);
			break;
		case 'recovery':
		case 'magiclink':
			await tx.query(`update auth.users set recovery_token = '', updated_at = now() where id = $1`, [
				user.id
			]);
			await tx.query(`delete from auth.one_time_tokens where user_id = $1`, [user.id]);
			if (!user.email_confirmed_at) await confirm(tx, user);
			break;
		case 'email_change': {
			const { enableConfirmations, doubleConfirmChanges } = r.ctx.config.auth.email;
			if (
				enableConfirmations &&
				doubleConfirmChanges &&
				(user.email_change_confirm_status ?? 0) === 0 &&
				user.email
			) {
				const column = found.hash === user.email_change_token_current ? 'current' : 'new';
				await tx.query(
					`update auth.users set email_change_confirm_status = 1, email_change_token_${column} = '' where id = $1`,
					[user.id]
				);
				await tx.query(`delete from auth.one_time_tokens where user_id = $1 and token_type = $2`, [
					user.id,
					`email_change_token_${column}`
				]);
				return 'half';
			}
			const next = user.email_change ?? '';
			await tx.query(
				`update auth.users set email = $2::text, email_change = '', email_change_token_current = '',
					email_change_token_new = '', email_change_confirm_status = 0,
					raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || jsonb_build_object('email', $2::text),
					updated_at = now()
				 where id = $1`,
				[user.id, next]
			);
			await tx.query(
				`update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', true),
					updated_at = now()
				 where user_id = $1 and provider = 'email'`,
				[user.id, next]
			);
			await tx.query(`delete from auth.one_time_tokens where user_id = $1`, [user.id]);
			if (!user.email_confirmed_at) await confirm(tx, { ...user, email: next });
			break;
		}
	}
	return (await findUser(tx, user.id))!;
}

interface VerifyParams {
	type: VerifyType;
	tokenHash: string;
	email: string;
	otp: string;
}

function verifyParams(body: Record<string, unknown>): VerifyParams {
	const type = stringField(body, 'type');
	if (type === '') throw new AuthError(400, 'validation_failed', 'Verify requires a verification type');
	const otp = stringField(body, 'token');
	const hash = stringField(body, 'token_hash');
	if ((otp === '') === (hash === '')) {
		throw new AuthError(400, 'validation_failed', 'Verify requires either a token or a token hash');
	}
	if (type === 'sms' || type === 'phone_change' || body.phone) throw phoneDisabled();
	let email = '';
	if (otp !== '') {
		if (!body.email) {
			throw new AuthError(
				400,
				'validation_failed',
				'Only an email address or phone number should be provided on verify'
			);
		}
		try {
			email = normalizeEmail(body.email);
		} catch {
			throw new AuthError(422, 'validation_failed', 'Invalid email format');
		}
	} else if (body.email || body.redirect_to) {
		throw new AuthError(400, 'validation_failed', 'Only the token_hash and type should be provided');
	}
	if (!verifyTypes.has(type)) {
		throw new AuthError(
			400,
			'validation_failed',
			hash ? 'Invalid email verification type' : 'Unsupported verification type'
		);
	}
	return { type: type as VerifyType, tokenHash: hash, email, otp };
}

/** POST /verify (verifyOtp): a session, or the message of the first half of a secure email change. */
export async function verifyPost(r: AuthRequest): Promise<Reply> {
	const params = verifyParams(await jsonBody(r));
	return r.ctx.db.transaction(async (tx): Promise<Reply> => {
		const found = params.tokenHash
			? await findByHash(r, tx, params.type, params.tokenHash)
			: await findByCode(r, tx, params.type, params.email, params.otp);
		const user = await apply(r, tx, found);
		if (user === 'half') return { status: 200, body: { msg: singleConfirmationAccepted, code: '200' } };
		const signedIn = await markSignedIn(tx, user.id);
		const issued = await createSession(tx, signedIn, r.ctx.config, r.issuer, 'otp');
		return { status: 200, body: sessionBody(await userJson(tx, signedIn), issued) };
	});
}

/** GoTrue's authentication method for a PKCE link of each type. */
const pkceMethods: Record<string, string> = {
	signup: 'email/signup',
	invite: 'invite',
	recovery: 'recovery',
	magiclink: 'magiclink',
	email_change: 'email_change'
};

const oauthErrors: Record<number, string> = {
	400: 'invalid_request',
	401: 'unauthorized_client',
	403: 'access_denied',
	500: 'server_error',
	503: 'temporarily_unavailable'
};

/** Go's url.Values.Encode: keys sorted, values query-escaped. */
function encodeSorted(values: Record<string, string>): string {
	return Object.keys(values)
		.sort()
		.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(values[k]).replace(/%20/g, '+')}`)
		.join('&');
}

/** The redirect with its fragment replaced, the rest of it kept as written. */
const withFragment = (target: string, values: Record<string, string>) =>
	`${target.split('#')[0]}#${encodeSorted(values)}`;

function withQuery(target: string, values: Record<string, string>): URL {
	const url = new URL(target);
	for (const [k, v] of Object.entries(values)) url.searchParams.set(k, v);
	return url;
}

/**
 * GET /verify, the link in the mail: always a 303 to the allowed redirect — with the session in
 * the fragment (implicit flow), a `?code=` (PKCE: the token hash starts with `pkce_`), the
 * "Confirmation link accepted" message, or the error in the fragment (and the query, in PKCE).
 */
export async function verifyGet(r: AuthRequest): Promise<Reply> {
	const type = r.url.searchParams.get('type') ?? '';
	const token = r.url.searchParams.get('token') ?? '';
	if (type === '') throw new AuthError(400, 'validation_failed', 'Verify requires a verification type');
	if (token === '') throw new AuthError(400, 'validation_failed', 'Verify requires a token or a token hash');
	const redirect = mailRedirect(r);
	const pkce = token.startsWith('pkce_');
	const see = (location: string): Reply => ({ status: 303, headers: { location } });
	try {
		if (!verifyTypes.has(type) || (type === 'email' && pkce)) {
			throw new AuthError(400, 'validation_failed', 'Unsupported verification type');
		}
		type Outcome =
			| { kind: 'half' }
			| { kind: 'code'; code: string }
			| { kind: 'session'; issued: IssuedSession; type: string };
		const outcome = await r.ctx.db.transaction(async (tx): Promise<Outcome> => {
			const found = await findByHash(r, tx, type as VerifyType, token);
			const user = await apply(r, tx, found);
			if (user === 'half') return { kind: 'half' };
			if (pkce) {
				const { rows } = await tx.query<{ id: string; auth_code: string }>(
					`select id, auth_code from auth.flow_state where user_id = $1 and authentication_method = $2
					 order by created_at desc limit 1`,
					[user.id, pkceMethods[found.type]]
				);
				if (!rows[0]) {
					throw new AuthError(
						400,
						'flow_state_not_found',
						'No associated flow state found. No valid flow state found for user.'
					);
				}
				await tx.query(
					`update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = $1`,
					[rows[0].id]
				);
				return { kind: 'code', code: rows[0].auth_code };
			}
			const signedIn = await markSignedIn(tx, user.id);
			const issued = await createSession(tx, signedIn, r.ctx.config, r.issuer, 'otp');
			return { kind: 'session', issued, type: found.type };
		});
		if (outcome.kind === 'half') {
			const base = pkce ? withQuery(redirect, { message: singleConfirmationAccepted }).toString() : redirect;
			return see(withFragment(base, { message: singleConfirmationAccepted, sb: '' }));
		}
		if (outcome.kind === 'code') return see(withQuery(redirect, { code: outcome.code }).toString());
		const { issued } = outcome;
		return see(
			`${redirect}#${encodeSorted({
				access_token: issued.accessToken,
				expires_at: String(issued.expiresAt),
				expires_in: String(issued.expiresIn),
				refresh_token: issued.refreshToken,
				sb: '',
				token_type: 'bearer',
				type: outcome.type
			})}`
		);
	} catch (err) {
		if (!(err instanceof AuthError)) throw err;
		const error = oauthErrors[err.status];
		const details = { ...(error ? { error } : {}), error_code: err.code, error_description: err.message };
		const base = pkce ? withQuery(redirect, details).toString() : redirect;
		return see(withFragment(base, { ...details, sb: '' }));
	}
}

// ----------------------------------------------------------------------------------------------
// POST /token?grant_type=pkce
// ----------------------------------------------------------------------------------------------

interface FlowStateRow {
	id: string;
	user_id: string | null;
	code_challenge: string;
	code_challenge_method: string;
	authentication_method: string;
	created_at: Date | string;
	auth_code_issued_at: Date | string | null;
}

export async function pkceGrant(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	const authCode = stringField(body, 'auth_code');
	const verifier = stringField(body, 'code_verifier');
	if (authCode === '' || verifier === '') {
		throw new AuthError(
			400,
			'validation_failed',
			'invalid request: both auth code and code verifier should be non-empty'
		);
	}
	return r.ctx.db.transaction(async (tx) => {
		const { rows } = await tx.query<FlowStateRow>(
			`select id, user_id, code_challenge, code_challenge_method::text, authentication_method, created_at, auth_code_issued_at
			 from auth.flow_state where auth_code = $1 for update`,
			[authCode]
		);
		const flow = rows[0];
		if (!flow || !flow.user_id) {
			throw new AuthError(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found');
		}
		const startedAt = toDate(
			flow.authentication_method === 'magiclink' && flow.auth_code_issued_at
				? flow.auth_code_issued_at
				: flow.created_at
		)!;
		if (Date.now() > startedAt.getTime() + flowStateSeconds * 1000) {
			throw new AuthError(422, 'flow_state_expired', 'invalid flow state, flow state has expired');
		}
		const expected =
			flow.code_challenge_method === 's256'
				? createHash('sha256').update(verifier).digest('base64url')
				: verifier;
		if (expected !== flow.code_challenge) {
			throw new AuthError(
				400,
				'bad_code_verifier',
				'code challenge does not match previously saved code verifier'
			);
		}
		const user = await findUser(tx, flow.user_id);
		if (!user || user.deleted_at) throw new AuthError(404, 'user_not_found', 'User not found');
		await tx.query(`delete from auth.flow_state where id = $1`, [flow.id]);
		const signedIn = await markSignedIn(tx, user.id);
		const issued = await createSession(tx, signedIn, r.ctx.config, r.issuer, flow.authentication_method);
		return { status: 200, body: sessionBody(await userJson(tx, signedIn), issued) };
	});
}
