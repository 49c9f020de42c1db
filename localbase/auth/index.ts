// /auth/v1 — Supabase Auth (GoTrue) over auth.users, auth.identities, auth.sessions and
// auth.refresh_tokens: the endpoints, JSON shapes and error codes auth-js expects (listed in
// localbase/README.md), with email confirmations off as in `supabase start`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isConnectionFailure, type Queryable } from '../../db/index.ts';
import type { LocalbaseContext } from '../context.ts';
import { header, HttpError, readBody, send } from '../http.ts';
import { verifyJwt, type JwtClaims } from '../jwt.ts';
import { bearerOf } from '../request-auth.ts';
import {
	createSession,
	findUser,
	issuerFor,
	newRefreshToken,
	signAccessToken,
	userColumns,
	type IssuedSession,
	type UserRow
} from './tokens.ts';
import {
	AuthError,
	findUserByEmail,
	hashPassword,
	minPasswordLength,
	weakPassword,
	insertUser,
	mergeMetadata,
	normalizeEmail,
	passwordMatches,
	userJson
} from './users.ts';

const apiVersion = '2024-01-01';
/** A revoked refresh token presented again within this many seconds still works (GoTrue's default). */
const reuseIntervalSeconds = 10;

interface AuthRequest {
	ctx: LocalbaseContext;
	req: IncomingMessage;
	url: URL;
	path: string;
	issuer: string;
}

interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export async function handleAuth(
	ctx: LocalbaseContext,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	const versioned = header(req, 'x-supabase-api-version') !== undefined;
	const versionHeader: Record<string, string> = versioned ? { 'x-supabase-api-version': apiVersion } : {};
	const r: AuthRequest = {
		ctx,
		req,
		url,
		path: url.pathname.slice('/auth/v1'.length).replace(/\/+$/, '') || '/',
		issuer: issuerFor(ctx.config, header(req, 'host'))
	};
	try {
		const reply = await route(r);
		send(res, reply.status, reply.body, { ...versionHeader, ...reply.headers });
	} catch (err) {
		const e = asAuthError(err);
		// auth-js reads `code` only when the response carries the X-Supabase-Api-Version header;
		// without it, it reads the legacy `error_code` / `msg` body.
		const body = versioned
			? { code: e.code, message: e.message, ...e.extra }
			: { code: e.status, error_code: e.code, msg: e.message, ...e.extra };
		send(res, e.status, body, { ...versionHeader, 'x-sb-error-code': e.code });
	}
}

function asAuthError(err: unknown): AuthError {
	if (err instanceof AuthError) return err;
	if (err instanceof HttpError) {
		return new AuthError(
			err.status,
			err.status === 413 ? 'request_too_large' : 'validation_failed',
			err.message
		);
	}
	if (isConnectionFailure(err)) {
		return new AuthError(503, 'unexpected_failure', 'The database connection was lost, please try again');
	}
	console.error('[localbase] auth: unexpected error:', err);
	return new AuthError(
		500,
		'unexpected_failure',
		'Unexpected failure, please check server logs for more information'
	);
}

/** Endpoints of hosted Supabase Auth that localbase does not serve, named for the error message. */
const unsupported: Record<string, string> = {
	'/otp': 'one-time password / magic link sign-in',
	'/magiclink': 'magic link sign-in',
	'/recover': 'password recovery emails',
	'/verify': 'email and phone verification links',
	'/resend': 'resending confirmation messages',
	'/authorize': 'OAuth / social sign-in',
	'/callback': 'OAuth / social sign-in',
	'/sso': 'SSO sign-in',
	'/factors': 'multi-factor authentication',
	'/reauthenticate': 'reauthentication nonces',
	'/invite': 'invitation emails',
	'/admin/generate_link': 'admin link generation',
	'/admin/audit': 'the audit log'
};

async function route(r: AuthRequest): Promise<Reply> {
	const method = r.req.method ?? 'GET';
	const { path } = r;
	if (path === '/health' && method === 'GET') {
		return {
			status: 200,
			body: { version: 'localbase', name: 'GoTrue', description: 'localbase Supabase Auth' }
		};
	}
	if (path === '/.well-known/jwks.json' && method === 'GET') {
		// Tokens are HS256 with the shared secret, which is never published: no public keys.
		return { status: 200, body: { keys: [] } };
	}
	requireApiKey(r);
	if (path === '/settings' && method === 'GET') return { status: 200, body: settings() };
	if (path === '/signup' && method === 'POST') return signUp(r);
	if (path === '/token' && method === 'POST') return token(r);
	if (path === '/user' && method === 'GET') return getUser(r);
	if (path === '/user' && method === 'PUT') return updateUser(r);
	if (path === '/logout' && method === 'POST') return logout(r);
	if (path === '/admin/users' && method === 'GET') return adminListUsers(r);
	if (path === '/admin/users' && method === 'POST') return adminCreateUser(r);
	// A user id is a UUID, so it never needs percent-decoding.
	const adminUser = /^\/admin\/users\/([^/]+)$/.exec(path);
	if (adminUser && method === 'GET') return adminGetUser(r, adminUser[1]);
	if (adminUser && method === 'PUT') return adminUpdateUser(r, adminUser[1]);
	if (adminUser && method === 'DELETE') return adminDeleteUser(r, adminUser[1]);
	const feature = Object.entries(unsupported).find(
		([prefix]) => path === prefix || path.startsWith(`${prefix}/`)
	);
	if (feature) {
		throw new AuthError(404, 'feature_not_supported', `localbase does not support ${feature[1]} (${path})`);
	}
	throw new AuthError(404, 'not_found', `localbase does not serve ${method} /auth/v1${path}`);
}

function settings() {
	return {
		external: {
			anonymous_users: false,
			email: true,
			phone: false,
			apple: false,
			azure: false,
			bitbucket: false,
			discord: false,
			facebook: false,
			figma: false,
			fly: false,
			github: false,
			gitlab: false,
			google: false,
			keycloak: false,
			kakao: false,
			linkedin_oidc: false,
			notion: false,
			slack_oidc: false,
			spotify: false,
			twitch: false,
			twitter: false,
			workos: false,
			zoom: false
		},
		disable_signup: false,
		mailer_autoconfirm: true,
		phone_autoconfirm: false,
		sms_provider: '',
		saml_enabled: false
	};
}

/** The gateway in front of Auth refuses requests that carry no key at all, as Kong does. */
function requireApiKey(r: AuthRequest): void {
	if (!header(r.req, 'apikey') && !header(r.req, 'authorization')) {
		throw new AuthError(401, 'no_api_key', 'No API key found in request');
	}
}

async function jsonBody(r: AuthRequest): Promise<Record<string, unknown>> {
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

const optionalObject = (value: unknown, name: string): Record<string, unknown> => {
	if (value === undefined || value === null) return {};
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw new AuthError(400, 'validation_failed', `${name} must be a JSON object`);
	}
	return value as Record<string, unknown>;
};

async function sessionReply(q: Queryable, user: UserRow, issued: IssuedSession): Promise<Reply> {
	return {
		status: 200,
		body: {
			access_token: issued.accessToken,
			token_type: 'bearer',
			expires_in: issued.expiresIn,
			expires_at: issued.expiresAt,
			refresh_token: issued.refreshToken,
			user: await userJson(q, user)
		}
	};
}

async function markSignedIn(q: Queryable, userId: string): Promise<UserRow> {
	const { rows } = await q.query<UserRow>(
		`update auth.users set last_sign_in_at = now() where id = $1 returning ${userColumns}`,
		[userId]
	);
	return rows[0];
}

const sqlState = (err: unknown): string | undefined =>
	typeof err === 'object' && err !== null && 'code' in err
		? String((err as { code: unknown }).code)
		: undefined;

// ----------------------------------------------------------------------------------------------
// Sign-up and sign-in
// ----------------------------------------------------------------------------------------------

async function signUp(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	if (body.phone && !body.email) throw phoneDisabled();
	if (body.email === undefined || body.email === '') {
		throw new AuthError(400, 'validation_failed', 'To signup, please provide your email');
	}
	const email = normalizeEmail(body.email);
	if (typeof body.password !== 'string' || body.password === '') {
		throw new AuthError(400, 'validation_failed', 'Signup requires a valid password');
	}
	if (body.password.length < minPasswordLength) throw weakPassword();
	const data = optionalObject(body.data, 'data');
	const passwordHash = await hashPassword(body.password);
	try {
		return await r.ctx.db.transaction(async (tx) => {
			if (await findUserByEmail(tx, email)) {
				throw new AuthError(422, 'user_already_exists', 'User already registered');
			}
			const created = await insertUser(tx, {
				email,
				passwordHash,
				confirmed: true,
				userMetadata: data,
				appMetadata: {}
			});
			const user = await markSignedIn(tx, created.id);
			return sessionReply(tx, user, await createSession(tx, user, r.ctx.config, r.issuer));
		});
	} catch (err) {
		if (err instanceof AuthError) throw err;
		if (sqlState(err) === '23505') throw new AuthError(422, 'user_already_exists', 'User already registered');
		// GoTrue answers any database failure while creating the user (typically a trigger on
		// auth.users raising) with this message; the transaction leaves no partial user behind.
		console.error('[localbase] auth: sign-up failed in the database:', (err as Error).message);
		throw new AuthError(500, 'unexpected_failure', 'Database error saving new user');
	}
}

const phoneDisabled = () =>
	new AuthError(400, 'phone_provider_disabled', 'Phone signups are disabled (localbase supports email only)');

async function token(r: AuthRequest): Promise<Reply> {
	const grant = r.url.searchParams.get('grant_type');
	if (grant === 'password') return passwordGrant(r);
	if (grant === 'refresh_token') return refreshGrant(r);
	if (grant === 'pkce' || grant === 'id_token' || grant === 'web3') {
		throw new AuthError(400, 'feature_not_supported', `localbase does not support the ${grant} grant`);
	}
	throw new AuthError(400, 'validation_failed', `unsupported_grant_type: ${grant ?? '(none)'}`);
}

const invalidCredentials = () => new AuthError(400, 'invalid_credentials', 'Invalid login credentials');

async function passwordGrant(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	if (body.phone && !body.email)
		throw new AuthError(400, 'phone_provider_disabled', 'Phone logins are disabled');
	if (typeof body.email !== 'string' || typeof body.password !== 'string') throw invalidCredentials();
	const email = body.email.trim().toLowerCase();
	const found = await findUserByEmail(r.ctx.db, email);
	// bcrypt runs outside the transaction so a slow hash never holds PGlite's single connection.
	if (!found || found.deleted_at || !(await passwordMatches(body.password, found.encrypted_password))) {
		throw invalidCredentials();
	}
	if (found.banned_until && new Date(found.banned_until) > new Date()) {
		throw new AuthError(400, 'user_banned', 'User is banned');
	}
	if (!found.email_confirmed_at) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed');
	return r.ctx.db.transaction(async (tx) => {
		const user = await markSignedIn(tx, found.id);
		if (!user) throw invalidCredentials();
		await tx.query(
			`update auth.identities set last_sign_in_at = now(), updated_at = now() where user_id = $1 and provider = 'email'`,
			[user.id]
		);
		return sessionReply(tx, user, await createSession(tx, user, r.ctx.config, r.issuer));
	});
}

interface RefreshRow {
	id: number;
	revoked: boolean;
	session_id: string;
	user_id: string;
	signed_in_at: number;
	within_reuse: boolean;
}

async function refreshGrant(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
		throw new AuthError(400, 'validation_failed', 'refresh_token required');
	}
	const presented = body.refresh_token;
	// A reused token revokes its whole family; that must persist although the request fails.
	const outcome = await r.ctx.db.transaction(async (tx): Promise<Reply | AuthError> => {
		const { rows } = await tx.query<RefreshRow>(
			`select rt.id, rt.revoked, rt.session_id, s.user_id,
				extract(epoch from s.created_at)::int as signed_in_at,
				rt.updated_at > now() - make_interval(secs => $2) as within_reuse
			 from auth.refresh_tokens rt join auth.sessions s on s.id = rt.session_id
			 where rt.token = $1 and (s.not_after is null or s.not_after > now())
			 for update of rt`,
			[presented, reuseIntervalSeconds]
		);
		const row = rows[0];
		if (!row) {
			return new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
		}
		const user = await findUser(tx, row.user_id);
		if (!user || user.deleted_at) {
			return new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
		}
		if (user.banned_until && new Date(user.banned_until) > new Date()) {
			return new AuthError(400, 'user_banned', 'User is banned');
		}
		let refreshToken: string;
		if (row.revoked) {
			const active = await tx.query<{ token: string }>(
				`select token from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1`,
				[row.session_id]
			);
			if (!row.within_reuse || !active.rows[0]) {
				await tx.query(
					`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1`,
					[row.session_id]
				);
				return new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
			}
			// Two tabs refreshing at once: the late one gets the token its sibling already received.
			refreshToken = active.rows[0].token;
		} else {
			refreshToken = newRefreshToken();
			await tx.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1`, [
				row.id
			]);
			await tx.query(
				`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
				 values ($1, $2, false, now(), now(), $3, $4)`,
				[refreshToken, user.id, presented, row.session_id]
			);
		}
		await tx.query(`update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1`, [
			row.session_id
		]);
		const signed = signAccessToken(user, row.session_id, r.ctx.config, r.issuer, row.signed_in_at);
		return sessionReply(tx, user, { sessionId: row.session_id, refreshToken, ...signed });
	});
	if (outcome instanceof AuthError) throw outcome;
	return outcome;
}

// ----------------------------------------------------------------------------------------------
// The signed-in user
// ----------------------------------------------------------------------------------------------

interface SignedIn {
	user: UserRow;
	claims: JwtClaims;
	sessionId: string | undefined;
}

function bearerToken(r: AuthRequest): string {
	const token = bearerOf(header(r.req, 'apikey'), header(r.req, 'authorization'), r.ctx.config);
	if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
	return token;
}

function verifiedClaims(r: AuthRequest, token: string): JwtClaims {
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

async function signedIn(r: AuthRequest, q: Queryable): Promise<SignedIn> {
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

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

async function getUser(r: AuthRequest): Promise<Reply> {
	const { user } = await signedIn(r, r.ctx.db);
	return { status: 200, body: await userJson(r.ctx.db, user) };
}

async function updateUser(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	if (body.phone)
		throw new AuthError(422, 'phone_provider_disabled', 'localbase does not support phone numbers');
	const password = body.password;
	if (password !== undefined && password !== null && typeof password !== 'string') {
		throw new AuthError(400, 'validation_failed', 'password must be a string');
	}
	if (typeof password === 'string' && password.length < minPasswordLength) throw weakPassword();
	const passwordHash =
		typeof password === 'string' && password !== '' ? await hashPassword(password) : undefined;
	const data = body.data === undefined ? undefined : optionalObject(body.data, 'data');
	let endedSessionsOf: string | undefined;
	const reply = await r.ctx.db.transaction(async (tx) => {
		const me = await signedIn(r, tx);
		let user = me.user;
		if (typeof body.email === 'string' && body.email !== '' && body.email.toLowerCase() !== user.email) {
			user = await changeEmail(tx, user, normalizeEmail(body.email));
		}
		if (passwordHash && typeof password === 'string') {
			if (await passwordMatches(password, user.encrypted_password)) {
				throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
			}
			await tx.query(`update auth.users set encrypted_password = $2, updated_at = now() where id = $1`, [
				user.id,
				passwordHash
			]);
			// GoTrue signs every other session out when the password changes.
			if (me.sessionId) {
				await tx.query(`delete from auth.sessions where user_id = $1 and id::text <> $2`, [
					user.id,
					me.sessionId
				]);
				endedSessionsOf = user.id;
			}
		}
		if (data) {
			await tx.query(`update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1`, [
				user.id,
				JSON.stringify(mergeMetadata(user.raw_user_meta_data, data))
			]);
		}
		const updated = await findUser(tx, user.id);
		return { status: 200, body: await userJson(tx, updated ?? user) };
	});
	if (endedSessionsOf) r.ctx.sessionsEnded(endedSessionsOf);
	return reply;
}

/** With email confirmations off (MAILER_AUTOCONFIRM) GoTrue applies an email change at once. */
async function changeEmail(tx: Queryable, user: UserRow, email: string): Promise<UserRow> {
	const other = await findUserByEmail(tx, email);
	if (other && other.id !== user.id) {
		throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
	}
	const { rows } = await tx.query<UserRow>(
		`update auth.users set email = $2::text, email_confirmed_at = now(),
			raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || jsonb_build_object('email', $2::text),
			updated_at = now()
		 where id = $1 returning ${userColumns}`,
		[user.id, email]
	);
	await tx.query(
		`update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text), updated_at = now()
		 where user_id = $1 and provider = 'email'`,
		[user.id, email]
	);
	return rows[0];
}

async function logout(r: AuthRequest): Promise<Reply> {
	const scope = r.url.searchParams.get('scope') ?? 'global';
	if (!['global', 'local', 'others'].includes(scope)) {
		throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`);
	}
	const userId = await r.ctx.db.transaction(async (tx) => {
		const { user, sessionId } = await signedIn(r, tx);
		if (scope === 'global' || !sessionId) {
			await tx.query(`delete from auth.sessions where user_id = $1`, [user.id]);
		} else if (scope === 'local') {
			await tx.query(`delete from auth.sessions where id::text = $1`, [sessionId]);
		} else {
			await tx.query(`delete from auth.sessions where user_id = $1 and id::text <> $2`, [user.id, sessionId]);
		}
		return user.id;
	});
	r.ctx.sessionsEnded(userId);
	return { status: 204 };
}

// ----------------------------------------------------------------------------------------------
// Admin (service_role or the secret key)
// ----------------------------------------------------------------------------------------------

function requireAdmin(r: AuthRequest): void {
	const claims = verifiedClaims(r, bearerToken(r));
	if (claims.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
}

async function adminListUsers(r: AuthRequest): Promise<Reply> {
	requireAdmin(r);
	const page = Math.max(1, Number(r.url.searchParams.get('page') || 1) || 1);
	const perPage = Math.min(1000, Math.max(1, Number(r.url.searchParams.get('per_page') || 50) || 50));
	const { rows } = await r.ctx.db.query<UserRow>(
		`select ${userColumns} from auth.users where deleted_at is null order by created_at desc, id limit $1 offset $2`,
		[perPage, (page - 1) * perPage]
	);
	const total = Number(
		(
			await r.ctx.db.query<{ n: number }>(
				`select count(*)::int as n from auth.users where deleted_at is null`
			)
		).rows[0].n
	);
	const users = [];
	for (const row of rows) users.push(await userJson(r.ctx.db, row));
	const last = Math.max(1, Math.ceil(total / perPage));
	const links = [];
	if (page < last) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
	links.push(`</admin/users?page=${last}&per_page=${perPage}>; rel="last"`);
	return {
		status: 200,
		body: { users, aud: 'authenticated' },
		headers: { 'x-total-count': String(total), link: links.join(', ') }
	};
}

async function adminCreateUser(r: AuthRequest): Promise<Reply> {
	requireAdmin(r);
	const body = await jsonBody(r);
	if (body.phone)
		throw new AuthError(422, 'phone_provider_disabled', 'localbase does not support phone numbers');
	if (!body.email)
		throw new AuthError(400, 'validation_failed', 'Cannot create a user without either an email or phone');
	const email = normalizeEmail(body.email);
	if (body.ban_duration !== undefined && body.ban_duration !== 'none') {
		throw new AuthError(422, 'feature_not_supported', 'localbase does not support ban_duration');
	}
	if (body.id !== undefined && (typeof body.id !== 'string' || !isUuid(body.id))) {
		throw new AuthError(400, 'validation_failed', 'id must be a UUID');
	}
	let passwordHash: string | null = null;
	if (typeof body.password_hash === 'string') {
		if (!/^\$2[aby]\$\d\d\$/.test(body.password_hash)) {
			throw new AuthError(400, 'validation_failed', 'localbase accepts only bcrypt password hashes');
		}
		passwordHash = body.password_hash;
	} else if (typeof body.password === 'string') {
		if (body.password.length < minPasswordLength) throw weakPassword();
		passwordHash = await hashPassword(body.password);
	}
	try {
		return await r.ctx.db.transaction(async (tx) => {
			if (await findUserByEmail(tx, email)) {
				throw new AuthError(
					422,
					'email_exists',
					'A user with this email address has already been registered'
				);
			}
			const user = await insertUser(tx, {
				id: body.id as string | undefined,
				email,
				passwordHash,
				confirmed: body.email_confirm === true,
				userMetadata: optionalObject(body.user_metadata, 'user_metadata'),
				appMetadata: optionalObject(body.app_metadata, 'app_metadata'),
				role: typeof body.role === 'string' && body.role ? body.role : undefined
			});
			return { status: 200, body: await userJson(tx, user) };
		});
	} catch (err) {
		if (err instanceof AuthError) throw err;
		if (sqlState(err) === '23505') {
			throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
		}
		console.error('[localbase] auth: admin create user failed in the database:', (err as Error).message);
		throw new AuthError(500, 'unexpected_failure', 'Database error creating new user');
	}
}

async function loadUser(q: Queryable, id: string): Promise<UserRow> {
	if (!isUuid(id)) throw new AuthError(400, 'validation_failed', 'user_id must be an UUID');
	const user = await findUser(q, id);
	if (!user || user.deleted_at) throw new AuthError(404, 'user_not_found', 'User not found');
	return user;
}

async function adminGetUser(r: AuthRequest, id: string): Promise<Reply> {
	requireAdmin(r);
	const user = await loadUser(r.ctx.db, id);
	return { status: 200, body: await userJson(r.ctx.db, user) };
}

async function adminUpdateUser(r: AuthRequest, id: string): Promise<Reply> {
	requireAdmin(r);
	const body = await jsonBody(r);
	if (body.phone)
		throw new AuthError(422, 'phone_provider_disabled', 'localbase does not support phone numbers');
	if (body.ban_duration !== undefined && body.ban_duration !== 'none') {
		throw new AuthError(422, 'feature_not_supported', 'localbase does not support ban_duration');
	}
	const password = typeof body.password === 'string' ? body.password : undefined;
	if (password !== undefined && password.length < minPasswordLength) throw weakPassword();
	const passwordHash = password ? await hashPassword(password) : undefined;
	return r.ctx.db.transaction(async (tx) => {
		let user = await loadUser(tx, id);
		if (typeof body.email === 'string' && body.email.toLowerCase() !== user.email) {
			user = await changeEmail(tx, user, normalizeEmail(body.email));
		}
		const sets: string[] = [];
		const params: unknown[] = [user.id];
		const set = (column: string, value: unknown) => {
			params.push(value);
			sets.push(`${column} = $${params.length}`);
		};
		if (passwordHash) set('encrypted_password', passwordHash);
		if (body.email_confirm === true && !user.email_confirmed_at) sets.push('email_confirmed_at = now()');
		if (body.user_metadata !== undefined) {
			set(
				'raw_user_meta_data',
				JSON.stringify(
					mergeMetadata(user.raw_user_meta_data, optionalObject(body.user_metadata, 'user_metadata'))
				)
			);
		}
		if (body.app_metadata !== undefined) {
			set(
				'raw_app_meta_data',
				JSON.stringify(
					mergeMetadata(user.raw_app_meta_data, optionalObject(body.app_metadata, 'app_metadata'))
				)
			);
		}
		if (typeof body.role === 'string' && body.role) set('role', body.role);
		if (body.ban_duration === 'none') sets.push('banned_until = null');
		if (sets.length > 0) {
			await tx.query(`update auth.users set ${sets.join(', ')}, updated_at = now() where id = $1`, params);
		}
		const updated = await loadUser(tx, user.id);
		return { status: 200, body: await userJson(tx, updated) };
	});
}

async function adminDeleteUser(r: AuthRequest, id: string): Promise<Reply> {
	requireAdmin(r);
	const body = await jsonBody(r);
	if (body.should_soft_delete === true) {
		throw new AuthError(422, 'feature_not_supported', 'localbase does not support soft-deleting users');
	}
	try {
		await r.ctx.db.transaction(async (tx) => {
			const user = await loadUser(tx, id);
			// Sessions, refresh tokens and identities go with the user (on delete cascade).
			await tx.query(`delete from auth.users where id = $1`, [user.id]);
		});
	} catch (err) {
		if (err instanceof AuthError) throw err;
		console.error('[localbase] auth: deleting a user failed in the database:', (err as Error).message);
		throw new AuthError(500, 'unexpected_failure', 'Database error deleting user');
	}
	r.ctx.sessionsEnded(id);
	return { status: 200, body: {} };
}
