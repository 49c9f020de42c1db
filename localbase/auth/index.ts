// /auth/v1 — Supabase Auth (GoTrue) over auth.users, auth.identities, auth.sessions and
// auth.refresh_tokens: the endpoints, JSON shapes and error codes auth-js expects (listed in
// localbase/README.md), with the settings of supabase/config.toml's [auth] and [auth.email]. The
// emailed flows (verify, recover, resend, PKCE) are in email.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isConnectionFailure, type Queryable } from '../../db/index.ts';
import type { LocalbaseContext } from '../context.ts';
import { header, HttpError, send } from '../http.ts';
import {
	codeChallengeOf,
	lockUser,
	pkceGrant,
	recover,
	resend,
	saveFlowState,
	sendConfirmation,
	sendEmailChange,
	verifyGet,
	verifyPost
} from './email.ts';
import {
	bearerToken,
	isUuid,
	jsonBody,
	markSignedIn,
	optionalObject,
	sessionReply,
	signedIn,
	sqlState,
	stringField,
	verifiedClaims,
	type AuthRequest,
	type Reply
} from './request.ts';
import {
	createSession,
	findUser,
	issuerFor,
	newRefreshToken,
	signAccessToken,
	userColumns,
	type UserRow
} from './tokens.ts';
import {
	AuthError,
	checkPasswordStrength,
	findUserByEmail,
	hashPassword,
	insertUser,
	maxPasswordBytes,
	mergeMetadata,
	normalizeEmail,
	passwordMatches,
	refuseNul,
	userJson
} from './users.ts';

const apiVersion = '2024-01-01';
/** A revoked refresh token presented again within this many seconds still works (GoTrue's default). */
const reuseIntervalSeconds = 10;

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
		issuer: issuerFor(ctx.config, header(req, 'host')),
		outbox: []
	};
	try {
		const reply = await route(r);
		// Only now has the request's transaction committed: the mail it rendered goes out.
		for (const mail of r.outbox) ctx.mail.add(mail);
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
	// The gateway lets a mailed link through without a key, as the CLI's does for /auth/v1/verify.
	if (path === '/verify' && method === 'GET') return verifyGet(r);
	requireApiKey(r);
	if (path === '/settings' && method === 'GET') return { status: 200, body: settings(r.ctx) };
	if (path === '/signup' && method === 'POST') return signUp(r);
	if (path === '/token' && method === 'POST') return token(r);
	if (path === '/user' && method === 'GET') return getUser(r);
	if (path === '/user' && method === 'PUT') return updateUser(r);
	if (path === '/logout' && method === 'POST') return logout(r);
	if (path === '/verify' && method === 'POST') return verifyPost(r);
	if (path === '/recover' && method === 'POST') return recover(r);
	if (path === '/resend' && method === 'POST') return resend(r);
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

function settings(ctx: LocalbaseContext) {
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
		mailer_autoconfirm: !ctx.config.auth.email.enableConfirmations,
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

// ----------------------------------------------------------------------------------------------
// Sign-up and sign-in
// ----------------------------------------------------------------------------------------------

/**
 * A database error while Auth writes a new user: hosted Supabase Auth answers every one with 500
 * "Database error saving new user". localbase answers the ones a trigger raises on bad input (a
 * check constraint, an invalid parameter such as an unknown role, a value too long or not null,
 * an invalid text representation) with 400 validation_failed naming the constraint or the
 * database's message, so the cause shows; anything else stays a 500.
 */
function databaseRefusal(err: unknown, what: string): AuthError {
	const state = sqlState(err);
	const e = err as { message?: string; constraint?: string; table?: string; column?: string };
	if (state && ['23514', '22023', '22001', '23502', '22P02', '22P05', '23503'].includes(state)) {
		const where = e.constraint ? ` (constraint ${e.constraint}${e.table ? ` on ${e.table}` : ''})` : '';
		return new AuthError(400, 'validation_failed', `${what}: ${e.message ?? 'invalid data'}${where}`);
	}
	console.error(`[localbase] auth: ${what.toLowerCase()} failed in the database:`, e.message);
	return new AuthError(500, 'unexpected_failure', what);
}

/**
 * POST /signup. With confirmations on: a bare user and a confirmation mail (the repeat sign-up of
 * an unconfirmed address mails again; of a confirmed one answers a made-up user and mails
 * nothing, so an address's existence does not leak). With them off: a session at once.
 */
async function signUp(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	const { auth } = r.ctx.config;
	if (body.phone && !body.email) throw phoneDisabled();
	if (typeof body.password !== 'string' || body.password === '') {
		throw new AuthError(400, 'validation_failed', 'Signup requires a valid password');
	}
	checkPasswordStrength(body.password, auth.minimumPasswordLength);
	const pkce = codeChallengeOf(body);
	const email = normalizeEmail(body.email);
	const data = optionalObject(body.data, 'data');
	refuseNul(data, 'data');
	const autoconfirm = !auth.email.enableConfirmations;
	// bcrypt runs outside the transaction so a slow hash never holds PGlite's single connection.
	const passwordHash = await hashPassword(body.password);
	try {
		return await r.ctx.db.transaction(async (tx): Promise<Reply> => {
			const found = await findUserByEmail(tx, email);
			const existing = found && (await lockUser(tx, found.id));
			if (existing?.email_confirmed_at || (existing && autoconfirm)) {
				if (autoconfirm) throw new AuthError(422, 'user_already_exists', 'User already registered');
				return { status: 200, body: fakeUser(email, data) };
			}
			if (existing) {
				// Unconfirmed: the claimed identity is not proven, so nothing about the user changes;
				// the confirmation is sent again (subject to max_frequency).
				if (pkce) await saveFlowState(tx, existing.id, pkce, 'email', 'email/signup');
				await sendConfirmation(r, tx, existing, pkce !== undefined);
				return { status: 200, body: await userJson(tx, (await findUser(tx, existing.id))!) };
			}
			const created = await insertUser(tx, {
				email,
				passwordHash,
				confirmed: autoconfirm,
				userMetadata: data,
				appMetadata: {}
			});
			if (autoconfirm) {
				const user = await markSignedIn(tx, created.id);
				return sessionReply(tx, user, await createSession(tx, user, r.ctx.config, r.issuer));
			}
			if (pkce) await saveFlowState(tx, created.id, pkce, 'email', 'email/signup');
			await sendConfirmation(r, tx, created, pkce !== undefined);
			return { status: 200, body: await userJson(tx, (await findUser(tx, created.id))!) };
		});
	} catch (err) {
		if (err instanceof AuthError) throw err;
		if (sqlState(err) === '23505') throw new AuthError(422, 'user_already_exists', 'User already registered');
		throw databaseRefusal(err, 'Database error saving new user');
	}
}

/** What Supabase Auth answers for a sign-up of an already confirmed address: a user that does not exist. */
function fakeUser(email: string, data: Record<string, unknown>) {
	const now = new Date().toISOString();
	return {
		id: crypto.randomUUID(),
		aud: 'authenticated',
		role: '',
		email,
		phone: '',
		confirmation_sent_at: now,
		app_metadata: { provider: 'email', providers: ['email'] },
		user_metadata: data,
		identities: [],
		created_at: now,
		updated_at: now,
		is_anonymous: false
	};
}

const phoneDisabled = () =>
	new AuthError(400, 'phone_provider_disabled', 'Phone signups are disabled (localbase supports email only)');

async function token(r: AuthRequest): Promise<Reply> {
	const grant = r.url.searchParams.get('grant_type');
	if (grant === 'password') return passwordGrant(r);
	if (grant === 'refresh_token') return refreshGrant(r);
	if (grant === 'pkce') return pkceGrant(r);
	if (grant === 'id_token' || grant === 'web3') {
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
	// bcrypt reads only 72 bytes, so a longer password would match any that shares them; no
	// password that long can have been set. bcrypt runs outside the transaction so a slow hash never
	// holds PGlite's single connection.
	if (
		!found ||
		found.deleted_at ||
		Buffer.byteLength(body.password) > maxPasswordBytes ||
		!(await passwordMatches(body.password, found.encrypted_password))
	) {
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
	method: string | null;
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
				rt.updated_at > now() - make_interval(secs => $2) as within_reuse,
				(select authentication_method from auth.mfa_amr_claims c where c.session_id = s.id
				 order by c.created_at limit 1) as method
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
		const signed = signAccessToken(
			user,
			row.session_id,
			r.ctx.config,
			r.issuer,
			row.signed_in_at,
			undefined,
			row.method ?? 'password'
		);
		return sessionReply(tx, user, { sessionId: row.session_id, refreshToken, ...signed });
	});
	if (outcome instanceof AuthError) throw outcome;
	return outcome;
}

// ----------------------------------------------------------------------------------------------
// The signed-in user
// ----------------------------------------------------------------------------------------------

async function getUser(r: AuthRequest): Promise<Reply> {
	const { user } = await signedIn(r, r.ctx.db);
	return { status: 200, body: await userJson(r.ctx.db, user) };
}

/** Sessions from an emailed link or code may set a password without the current one, as in Supabase Auth. */
const recoveryMethods = new Set(['otp', 'magiclink', 'recovery']);

/**
 * PUT /user: metadata, password and email. A new password must differ from the old one and, with
 * `require_current_password`, come with the current one unless the session began from an emailed
 * link; it ends the user's other sessions and every outstanding emailed token. A new email is
 * never applied here: it is mailed (to both addresses with `double_confirm_changes`) and applied by
 * /verify.
 */
async function updateUser(r: AuthRequest): Promise<Reply> {
	const body = await jsonBody(r);
	const { auth } = r.ctx.config;
	if (body.phone)
		throw new AuthError(422, 'phone_provider_disabled', 'localbase does not support phone numbers');
	const email = body.email ? normalizeEmail(body.email) : undefined;
	const password = body.password;
	if (password !== undefined && password !== null && typeof password !== 'string') {
		throw new AuthError(400, 'validation_failed', 'password must be a string');
	}
	if (typeof password === 'string') checkPasswordStrength(password, auth.minimumPasswordLength);
	const currentPassword = stringField(body, 'current_password');
	const data = body.data === undefined || body.data === null ? undefined : optionalObject(body.data, 'data');
	if (data) refuseNul(data, 'data');
	if (body.app_metadata !== undefined && body.app_metadata !== null) {
		throw new AuthError(403, 'not_admin', 'Updating app_metadata requires admin privileges');
	}
	const pkce = codeChallengeOf(body);
	const me = await signedIn(r, r.ctx.db);
	const newPassword = typeof password === 'string' && password !== '' ? password : undefined;
	let passwordHash: string | undefined;
	if (newPassword && me.user.encrypted_password) {
		const method = (me.claims.amr as { method?: string }[] | undefined)?.[0]?.method ?? 'password';
		if (auth.email.requireCurrentPassword && !recoveryMethods.has(method)) {
			if (currentPassword === '') {
				throw new AuthError(
					400,
					'current_password_required',
					'Current password required when setting new password.'
				);
			}
			if (!(await passwordMatches(currentPassword, me.user.encrypted_password))) {
				throw new AuthError(
					400,
					'current_password_invalid',
					'Current password required when setting new password.'
				);
			}
		}
		if (await passwordMatches(newPassword, me.user.encrypted_password)) {
			throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
		}
	}
	if (newPassword) passwordHash = await hashPassword(newPassword);
	let endedSessionsOf: string | undefined;
	try {
		const reply = await r.ctx.db.transaction(async (tx) => {
			const { user, sessionId } = await signedIn(r, tx);
			if (email && email !== user.email) {
				const other = await findUserByEmail(tx, email);
				if (other && other.id !== user.id) {
					throw new AuthError(
						422,
						'email_exists',
						'A user with this email address has already been registered'
					);
				}
			}
			if (passwordHash) {
				await tx.query(
					`update auth.users set encrypted_password = $2, confirmation_token = '', confirmation_sent_at = null,
						recovery_token = '', recovery_sent_at = null, email_change_token_current = '',
						email_change_token_new = '', email_change_sent_at = null, updated_at = now()
					 where id = $1`,
					[user.id, passwordHash]
				);
				await tx.query(`delete from auth.one_time_tokens where user_id = $1`, [user.id]);
				// Supabase Auth signs every other session out when the password changes.
				await tx.query(`delete from auth.sessions where user_id = $1 and id::text is distinct from $2`, [
					user.id,
					sessionId ?? null
				]);
				endedSessionsOf = user.id;
			}
			if (data) {
				await tx.query(`update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1`, [
					user.id,
					JSON.stringify(mergeMetadata(user.raw_user_meta_data, data))
				]);
			}
			if (email && email !== user.email) {
				if (pkce) await saveFlowState(tx, user.id, pkce, 'email_change', 'email_change');
				await sendEmailChange(r, tx, (await findUser(tx, user.id))!, email, pkce !== undefined);
			}
			const updated = await findUser(tx, user.id);
			return { status: 200, body: await userJson(tx, updated ?? user) };
		});
		if (endedSessionsOf) r.ctx.sessionsEnded(endedSessionsOf);
		return reply;
	} catch (err) {
		if (err instanceof AuthError) throw err;
		throw databaseRefusal(err, 'Error updating user');
	}
}

/** The admin API applies an email change at once, as Supabase Auth's does. */
async function changeEmail(tx: Queryable, user: UserRow, email: string): Promise<UserRow> {
	const other = await findUserByEmail(tx, email);
	if (other && other.id !== user.id) {
		throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
	}
	const { rows } = await tx.query<UserRow>(
		`update auth.users set email = $2::text, email_confirmed_at = coalesce(email_confirmed_at, now()),
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
		// Supabase Auth's admin API leaves the length to bcrypt, which refuses more than 72 bytes.
		if (Buffer.byteLength(body.password) > maxPasswordBytes) {
			throw new AuthError(400, 'validation_failed', 'bcrypt: password length exceeds 72 bytes');
		}
		checkPasswordStrength(body.password, r.ctx.config.auth.minimumPasswordLength);
		passwordHash = await hashPassword(body.password);
	}
	const userMetadata = optionalObject(body.user_metadata, 'user_metadata');
	const appMetadata = optionalObject(body.app_metadata, 'app_metadata');
	refuseNul(userMetadata, 'user_metadata');
	refuseNul(appMetadata, 'app_metadata');
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
				userMetadata,
				appMetadata,
				role: typeof body.role === 'string' && body.role ? body.role : undefined
			});
			return { status: 200, body: await userJson(tx, user) };
		});
	} catch (err) {
		if (err instanceof AuthError) throw err;
		if (sqlState(err) === '23505') {
			throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
		}
		throw databaseRefusal(err, 'Database error creating new user');
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
	if (password !== undefined) checkPasswordStrength(password, r.ctx.config.auth.minimumPasswordLength);
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
