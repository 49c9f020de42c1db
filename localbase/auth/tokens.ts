// Sessions and access tokens as Supabase Auth issues them: one auth.sessions row per sign-in, an
// HS256 access token naming it (GoTrue's claims: sub, role, session_id, aal, amr…), an opaque
// refresh token.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LocalbaseConfig } from '../config.ts';
import type { Queryable } from '../../db/index.ts';
import { signJwt, type JwtClaims } from '../jwt.ts';

/** The auth.users columns the token and the user JSON are built from. */
export interface UserRow {
	id: string;
	aud: string | null;
	role: string | null;
	email: string | null;
	phone: string | null;
	encrypted_password: string | null;
	email_confirmed_at: Date | string | null;
	phone_confirmed_at: Date | string | null;
	confirmed_at: Date | string | null;
	confirmation_sent_at: Date | string | null;
	confirmation_token: string | null;
	recovery_token: string | null;
	recovery_sent_at: Date | string | null;
	email_change: string | null;
	email_change_token_new: string | null;
	email_change_token_current: string | null;
	email_change_confirm_status: number | null;
	email_change_sent_at: Date | string | null;
	invited_at: Date | string | null;
	last_sign_in_at: Date | string | null;
	raw_app_meta_data: Record<string, unknown> | null;
	raw_user_meta_data: Record<string, unknown> | null;
	created_at: Date | string | null;
	updated_at: Date | string | null;
	banned_until: Date | string | null;
	is_anonymous: boolean;
	deleted_at: Date | string | null;
}

export const userColumns = `id, aud, role, email, phone, encrypted_password, email_confirmed_at, phone_confirmed_at,
	confirmed_at, confirmation_sent_at, confirmation_token, recovery_token, recovery_sent_at, email_change,
	email_change_token_new, email_change_token_current, email_change_confirm_status, email_change_sent_at,
	invited_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until,
	is_anonymous, deleted_at`;

/**
 * How a session was signed in, as the access token's `amr` claim names it: `password`, or `otp`
 * for a session from an emailed link or code, or the PKCE flow's method (`recovery`,
 * `email/signup`, …). Kept in auth.mfa_amr_claims, so a refreshed token names it too.
 */
export type SignInMethod = string;

export async function findUser(q: Queryable, id: string): Promise<UserRow | undefined> {
	const { rows } = await q.query<UserRow>(`select ${userColumns} from auth.users where id::text = $1`, [id]);
	return rows[0];
}

export function issuerFor(config: Pick<LocalbaseConfig, 'host' | 'port'>, requestHost?: string): string {
	return `http://${requestHost || `${config.host}:${config.port}`}/auth/v1`;
}

export function accessTokenClaims(
	user: UserRow,
	sessionId: string,
	issuer: string,
	expiresIn: number,
	signedInAt: number,
	now = Math.floor(Date.now() / 1000),
	method: SignInMethod = 'password'
): JwtClaims {
	return {
		iss: issuer,
		sub: user.id,
		aud: user.aud || 'authenticated',
		exp: now + expiresIn,
		iat: now,
		email: user.email ?? '',
		phone: user.phone ?? '',
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		role: user.role || 'authenticated',
		aal: 'aal1',
		amr: [{ method, timestamp: signedInAt }],
		session_id: sessionId,
		is_anonymous: user.is_anonymous
	};
}

/** GoTrue's refresh tokens are 12 random characters; longer here costs nothing. */
export function newRefreshToken(): string {
	return randomBytes(16).toString('base64url');
}

export interface IssuedSession {
	sessionId: string;
	accessToken: string;
	refreshToken: string;
	expiresIn: number;
	expiresAt: number;
}

/** Creates an auth.sessions row and its first refresh token; returns the signed tokens. */
export async function createSession(
	q: Queryable,
	user: UserRow,
	config: Pick<LocalbaseConfig, 'jwtSecret' | 'jwtExpiry' | 'host' | 'port'>,
	issuer = issuerFor(config),
	method: SignInMethod = 'password'
): Promise<IssuedSession> {
	const sessionId = randomUUID();
	const refreshToken = newRefreshToken();
	await q.query(
		`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values ($1, $2, now(), now(), 'aal1')`,
		[sessionId, user.id]
	);
	await q.query(
		`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, session_id)
		 values ($1, $2, false, now(), now(), $3)`,
		[refreshToken, user.id, sessionId]
	);
	await q.query(
		`insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
		 values ($1, $2, now(), now(), $3)`,
		[randomUUID(), sessionId, method]
	);
	const now = Math.floor(Date.now() / 1000);
	return {
		sessionId,
		refreshToken,
		...signAccessToken(user, sessionId, config, issuer, now, now, method)
	};
}

export function signAccessToken(
	user: UserRow,
	sessionId: string,
	config: Pick<LocalbaseConfig, 'jwtSecret' | 'jwtExpiry'>,
	issuer: string,
	signedInAt: number,
	now = Math.floor(Date.now() / 1000),
	method: SignInMethod = 'password'
): { accessToken: string; expiresIn: number; expiresAt: number } {
	const claims = accessTokenClaims(user, sessionId, issuer, config.jwtExpiry, signedInAt, now, method);
	return {
		accessToken: signJwt(claims, config.jwtSecret),
		expiresIn: config.jwtExpiry,
		expiresAt: now + config.jwtExpiry
	};
}
