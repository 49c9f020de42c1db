// Who is calling: turns the apikey / Authorization pair into a verified role and JWT claims,
// translating opaque sb_ keys as the Supabase CLI's gateway does (sb_secret_ → service_role,
// sb_publishable_ → anon).
import type { LocalbaseConfig } from './config.ts';
import type { Queryable } from '../db/index.ts';
import { verifyJwt, type JwtClaims } from './jwt.ts';

export interface Caller {
	role: string;
	claims: JwtClaims;
	/** The verified JWT the caller acts with (the mapped key's JWT for sb_ keys). */
	token: string;
}

export type CallerFailure =
	| { kind: 'bad_jwt'; message: string }
	| { kind: 'expired'; message: string }
	| { kind: 'session_ended'; message: string };

export type CallerResult = { ok: true; caller: Caller } | { ok: false; failure: CallerFailure };

/** What a request with the token of a session that ended is told. */
export const SESSION_ENDED = 'JWT session has ended (signed out or deleted)';

const knownRoles = new Set(['anon', 'authenticated', 'service_role']);

/** Maps an opaque sb_ key to the legacy JWT of the same role; any other value is returned as is. */
export function mapApiKey(key: string, config: LocalbaseConfig): string {
	if (key === config.secretKey) return config.serviceRoleKey;
	if (key === config.publishableKey) return config.anonKey;
	return key;
}

/** The bearer token a request acts with, before verification; null when it carries no key at all. */
export function bearerOf(
	apikey: string | null | undefined,
	authorization: string | null | undefined,
	config: LocalbaseConfig
): string | null {
	const auth = authorization?.trim();
	if (auth && /^bearer\s+/i.test(auth)) {
		const token = auth.replace(/^bearer\s+/i, '');
		if (token && !token.startsWith('sb_')) return token;
		if (token) return mapApiKey(token, config);
	}
	if (apikey) return mapApiKey(apikey, config);
	return null;
}

export function verifyToken(token: string, config: LocalbaseConfig): CallerResult {
	const verified = verifyJwt(token, config.jwtSecret);
	if (!verified.ok) {
		if (verified.reason === 'expired')
			return { ok: false, failure: { kind: 'expired', message: 'JWT expired' } };
		return {
			ok: false,
			failure: { kind: 'bad_jwt', message: `invalid JWT: ${verified.reason.replace('_', ' ')}` }
		};
	}
	const role = typeof verified.claims.role === 'string' ? verified.claims.role : 'anon';
	if (!knownRoles.has(role)) {
		return { ok: false, failure: { kind: 'bad_jwt', message: `role "${role}" does not exist` } };
	}
	return { ok: true, caller: { role, claims: verified.claims, token } };
}

/**
 * The from and where clauses that find a caller's session while it is live (its user still there,
 * not past not_after); its id and the token's sub are parameters `$first` and `$first + 1`.
 */
function liveSession(first: number): string {
	return `from auth.sessions s join auth.users u on u.id = s.user_id
		where s.id = $${first} and s.user_id::text = $${first + 1} and (s.not_after is null or s.not_after > now())`;
}

/**
 * Unlike hosted PostgREST, localbase also refuses a user token whose auth session has ended
 * (signed out or deleted), so sign-out takes effect at once in tests and demos.
 */
export async function checkSession(q: Queryable, caller: Caller): Promise<CallerResult> {
	const sessionId = caller.claims.session_id;
	if (caller.role !== 'authenticated' || typeof sessionId !== 'string') return { ok: true, caller };
	const { rows } = await q.query(`select 1 ${liveSession(1)}`, [sessionId, caller.claims.sub ?? '']);
	if (rows.length === 0) {
		return {
			ok: false,
			failure: { kind: 'session_ended', message: SESSION_ENDED }
		};
	}
	return { ok: true, caller };
}

/**
 * Runs `fn` in a transaction as the caller: role switched and the request.jwt.* settings set,
 * as PostgREST and Realtime do, so RLS sees exactly what it would on hosted Supabase.
 */
export async function actAs(
	tx: Queryable,
	caller: Caller,
	extra: Record<string, string> = {}
): Promise<void> {
	const { sql, params } = settingsStatement(caller, extra);
	await tx.query(sql, params);
}

/**
 * checkSession and actAs in one statement, for a request's own transaction: the caller's settings
 * are set only if its session is live (set_config runs once per row the session lookup finds: none
 * for a session that ended). Resolves to whether it is live; a caller without a session (a key, a
 * token without session_id) always is.
 */
export async function actAsLive(
	tx: Queryable,
	caller: Caller,
	extra: Record<string, string> = {}
): Promise<boolean> {
	const sessionId = caller.claims.session_id;
	if (caller.role !== 'authenticated' || typeof sessionId !== 'string') {
		await actAs(tx, caller, extra);
		return true;
	}
	const { sql, params } = settingsStatement(caller, extra);
	const next = params.length;
	const { rows } = await tx.query(`${sql} ${liveSession(next + 1)}`, [
		...params,
		sessionId,
		caller.claims.sub ?? ''
	]);
	return rows.length > 0;
}

/** The select that sets the request.jwt.* settings, the role and `extra` for the transaction. */
function settingsStatement(caller: Caller, extra: Record<string, string>): { sql: string; params: string[] } {
	const settings: Record<string, string> = {
		role: caller.role,
		'request.jwt.claims': JSON.stringify(caller.claims),
		'request.jwt.claim.sub': typeof caller.claims.sub === 'string' ? caller.claims.sub : '',
		'request.jwt.claim.role': caller.role,
		...extra
	};
	const names = Object.keys(settings);
	return {
		sql: `select ${names.map((_, i) => `set_config($${i * 2 + 1}, $${i * 2 + 2}, true)`).join(', ')}`,
		params: names.flatMap((n) => [n, settings[n]])
	};
}
