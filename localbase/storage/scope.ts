// Who a storage request acts as, and running its SQL the way the Storage API does: each step is a
// transaction with the caller's role and the request.jwt.* settings (the legacy claim.* ones too),
// request.headers/method/path, storage.operation and storage.allow_delete_query set. Write checks
// run the real statement as the caller and roll back; final writes run as the service role.
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../../db/index.ts';
import type { LocalbaseContext } from '../context.ts';
import { header } from '../http.ts';
import { verifyJwt, type JwtClaims } from '../jwt.ts';
import { actAs, bearerOf, checkSession, verifyToken } from '../request-auth.ts';
import { storageErrors } from './errors.ts';

export interface Requester {
	role: string;
	claims: JwtClaims;
	/** The raw JWT ('' for an anonymous request without one). */
	jwt: string;
	/** The JWT's `sub`: what becomes an object's owner_id. */
	owner: string | undefined;
	/** Whether a valid JWT came with the request (the Storage API's `isAuthenticated`). */
	authenticated: boolean;
}

/** What the SQL of one request sees in request.* and storage.operation. */
export interface RequestScope {
	method: string;
	path: string;
	headers: string;
	operation: string;
}

const anonymous: Requester = {
	role: 'anon',
	claims: { role: 'anon' },
	jwt: '',
	owner: undefined,
	authenticated: false
};

/** The messages the Storage API's JWT library gives for each failure, so clients see the same text. */
const jwtMessages: Record<string, string> = {
	malformed: 'Invalid Compact JWS',
	bad_algorithm: '"alg" (Algorithm) Header Parameter value not allowed',
	bad_signature: 'signature verification failed',
	expired: '"exp" claim timestamp check failed',
	not_yet_valid: '"nbf" claim timestamp check failed'
};

export function jwtFailureMessage(token: string, secret: string): string {
	const result = verifyJwt(token, secret);
	return result.ok ? 'Invalid JWT' : jwtMessages[result.reason];
}

/**
 * The caller of a request. Routes that also serve public objects (`allowInvalidJwt`) treat a
 * missing or bad token as anon, as the Storage API does; others answer 403 AccessDenied. Like the
 * rest of localbase, a token whose auth session has ended is refused.
 */
export async function identify(
	ctx: LocalbaseContext,
	req: IncomingMessage,
	options: { allowInvalidJwt?: boolean } = {}
): Promise<Requester> {
	const token = bearerOf(header(req, 'apikey'), header(req, 'authorization'), ctx.config);
	const refuse = (message: string) => {
		if (options.allowInvalidJwt) return anonymous;
		throw storageErrors.accessDenied(message);
	};
	if (!token) return refuse(jwtMessages.malformed);
	const verified = verifyToken(token, ctx.config);
	if (!verified.ok) {
		return refuse(
			verified.failure.kind === 'bad_jwt' && verified.failure.message.startsWith('role')
				? verified.failure.message
				: jwtFailureMessage(token, ctx.config.jwtSecret)
		);
	}
	const session = await checkSession(ctx.db, verified.caller);
	if (!session.ok) return refuse(session.failure.message);
	const { role, claims } = verified.caller;
	return {
		role,
		claims,
		jwt: token,
		owner: typeof claims.sub === 'string' ? claims.sub : undefined,
		authenticated: true
	};
}

/** The service role, as the Storage API's "super user" connection acts for its final writes. */
export function serviceRequester(ctx: LocalbaseContext): Requester {
	const verified = verifyToken(ctx.config.serviceRoleKey, ctx.config);
	if (!verified.ok) throw new Error('localbase: the service_role key does not verify with the JWT secret');
	return {
		role: 'service_role',
		claims: verified.caller.claims,
		jwt: ctx.config.serviceRoleKey,
		owner: undefined,
		authenticated: true
	};
}

const hiddenHeaders = new Set(['authorization', 'apikey', 'cookie']);

export function requestScope(req: IncomingMessage, path: string, operation: string): RequestScope {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (!hiddenHeaders.has(name) && value !== undefined) {
			headers[name] = Array.isArray(value) ? value.join(', ') : value;
		}
	}
	return { method: req.method ?? 'GET', path, headers: JSON.stringify(headers), operation };
}

async function enter(tx: Queryable, who: Requester, scope: RequestScope): Promise<void> {
	await actAs(
		tx,
		{ role: who.role, claims: who.claims, token: who.jwt },
		{
			'request.jwt': who.jwt,
			'request.headers': scope.headers,
			'request.method': scope.method,
			'request.path': scope.path,
			'storage.operation': scope.operation,
			'storage.allow_delete_query': 'true'
		}
	);
}

/** Runs `fn` in one transaction as `who`. */
export function runAs<T>(
	ctx: LocalbaseContext,
	who: Requester,
	scope: RequestScope,
	fn: (tx: Queryable) => Promise<T>
): Promise<T> {
	return ctx.db.transaction(async (tx) => {
		await enter(tx, who, scope);
		return fn(tx);
	});
}

class RolledBack<T> {
	constructor(readonly value: T) {}
}

/**
 * Runs `fn` as `who` and rolls it back whatever it did: how the Storage API asks the database
 * whether a write would pass the caller's policies without making it.
 */
export async function testPermission<T>(
	ctx: LocalbaseContext,
	who: Requester,
	scope: RequestScope,
	fn: (tx: Queryable) => Promise<T>
): Promise<T> {
	try {
		await ctx.db.transaction(async (tx) => {
			await enter(tx, who, scope);
			throw new RolledBack(await fn(tx));
		});
	} catch (err) {
		if (err instanceof RolledBack) return err.value as T;
		throw err;
	}
	throw new Error('unreachable: testPermission always rolls back');
}
