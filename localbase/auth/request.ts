// What every /auth/v1 handler shares: the request, the reply, the JSON body, who is signed in,
// and the session answer, so that the route files (index.ts, email.ts) import one module.
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../../db/index.ts';
import type { LocalbaseContext } from '../context.ts';
import { header, readBody } from '../http.ts';
import { verifyJwt, type JwtClaims } from '../jwt.ts';
import type { OutgoingMail } from '../mail/index.ts';
import { bearerOf } from '../request-auth.ts';
import { findUser, userColumns, type IssuedSession, type UserRow } from './tokens.ts';
import { AuthError, userJson } from './users.ts';

export interface AuthRequest {
	ctx: LocalbaseContext;
	req: IncomingMessage;
	url: URL;
	path: string;
	issuer: string;
	/**
	 * Mail rendered while the request's transaction runs, handed to the catcher only once it has
	 * committed: a request that fails sends nothing.
	 */
	outbox: OutgoingMail[];
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export async function jsonBody(r: AuthRequest): Promise<Record<string, unknown>> {
	const text = await readBody(r.req, r.ctx.config.maxBodyBytes);
	if (text.trim() === '') return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (err) {
		throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new AuthError(400, 'bad_json', 'Could not parse request body as JSON: expected an object');
	}
	return parsed as Record<string, unknown>;
}

export const optionalObject = (value: unknown, name: string): Record<string, unknown> => {
	if (value === undefined || value === null) return {};
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw new AuthError(400, 'validation_failed', `${name} must be a JSON object`);
	}
	return value as Record<string, unknown>;
};

/** A string field of the body, '' when absent; anything else is a validation error naming it. */
export function stringField(body: Record<string, unknown>, name: string): string {
	const v = body[name];
	if (v === undefined || v === null) return '';
	if (typeof v !== 'string') throw new AuthError(400, 'validation_failed', `${name} must be a string`);
	return v;
}

export function sessionBody(user: Record<string, unknown>, issued: IssuedSession) {
	return {
		access_token: issued.accessToken,
		token_type: 'bearer',
		expires_in: issued.expiresIn,
		expires_at: issued.expiresAt,
		refresh_token: issued.refreshToken,
		user
	};
}

export async function sessionReply(q: Queryable, user: UserRow, issued: IssuedSession): Promise<Reply> {
	return { status: 200, body: sessionBody(await userJson(q, user), issued) };
}

export async function markSignedIn(q: Queryable, userId: string): Promise<UserRow> {
	const { rows } = await q.query<UserRow>(
		`update auth.users set last_sign_in_at = now() where id = $1 returning ${userColumns}`,
		[userId]
	);
	return rows[0];
}

export const sqlState = (err: unknown): string | undefined =>
	typeof err === 'object' && err !== null && 'code' in err
		? String((err as { code: unknown }).code)
		: undefined;

export interface SignedIn {
	user: UserRow;
	claims: JwtClaims;
	sessionId: string | undefined;
}

export function bearerToken(r: AuthRequest): string {
	const token = bearerOf(header(r.req, 'apikey'), header(r.req, 'authorization'), r.ctx.config);
	if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
	return token;
}

export function verifiedClaims(r: AuthRequest, token: string): JwtClaims {
	const verified = verifyJwt(token, r.ctx.config.jwtSecret);
	if (!verified.ok) {
		const detail =
			verified.reason === 'expired'
				? 'token has invalid claims: token is expired'
				: verified.reason === 'bad_algorithm'
					? 'token is unverifiable: signing method is not HS256'
					: verified.reason === 'bad_signature'
						? 'token signature is invalid: signature is invalid'
						: `token is malformed`;
		throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${detail}`);
	}
	return verified.claims;
}

export const isUuid = (s: string) =>
	/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export async function signedIn(r: AuthRequest, q: Queryable): Promise<SignedIn> {
	const claims = verifiedClaims(r, bearerToken(r));
	if (typeof claims.sub !== 'string' || claims.sub === '') {
		throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim');
	}
	if (!isUuid(claims.sub)) throw new AuthError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
	const user = await findUser(q, claims.sub);
	if (!user || user.deleted_at)
		throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
	const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined;
	if (sessionId !== undefined) {
		const { rows } = await q.query(
			`select 1 from auth.sessions where id::text = $1 and user_id = $2 and (not_after is null or not_after > now())`,
			[sessionId, user.id]
		);
		if (rows.length === 0) {
			throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
		}
	}
	return { user, claims, sessionId };
}
