// Who may use a Realtime channel: token checks with Realtime's error reasons, and the RLS probes on
// realtime.messages that decide private-channel access (as Realtime's authorization.ex does).
import { randomUUID } from 'node:crypto';
import type { LocalbaseConfig } from '../config.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { verifyJwt } from '../jwt.ts';
import { actAs, checkSession, verifyToken, type Caller } from '../request-auth.ts';

export type TokenCheck = { ok: true; caller: Caller } | { ok: false; code: string; message: string };

export const sessionEndedMessage = 'The session of this token has ended (signed out or deleted)';

function expiredSecondsAgo(token: string): number {
	const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
		exp: number;
	};
	return Math.max(0, Math.floor(Date.now() / 1000) - claims.exp);
}

/** Verifies a token the way Realtime's ChannelsAuthorization does: signature, exp, and `role` + `exp` present. */
export function authenticateToken(token: string, config: LocalbaseConfig): TokenCheck {
	const verified = verifyJwt(token, config.jwtSecret);
	if (!verified.ok) {
		switch (verified.reason) {
			case 'malformed':
				return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
			case 'bad_algorithm':
				return {
					ok: false,
					code: 'JwtSignerError',
					message: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration'
				};
			case 'bad_signature':
				return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
			case 'expired':
				return {
					ok: false,
					code: 'InvalidJWTToken',
					message: `Token has expired ${expiredSecondsAgo(token)} seconds ago`
				};
			case 'not_yet_valid':
				return {
					ok: false,
					code: 'InvalidJWTToken',
					message: 'Token is not valid yet (nbf is in the future)'
				};
		}
	}
	if (typeof verified.claims.role !== 'string' || typeof verified.claims.exp !== 'number') {
		return { ok: false, code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' };
	}
	const result = verifyToken(token, config);
	if (!result.ok) return { ok: false, code: 'InvalidJWTToken', message: result.failure.message };
	return { ok: true, caller: result.caller };
}

export interface AuthContext {
	caller: Caller;
	/** The channel name without `realtime:`. */
	topic: string;
	/** request.headers as Realtime sets it (the x- headers of the connection). */
	headers: Record<string, string>;
}

/** Each read/write result is undefined until evaluated, as Realtime's Policies struct (nil). */
export interface Policies {
	broadcastRead?: boolean;
	presenceRead?: boolean;
	broadcastWrite?: boolean;
	presenceWrite?: boolean;
}

export type ReadResult =
	{ ok: true; broadcast: boolean; presence: boolean | undefined } | { ok: false; sessionEnded: true };

/** Thrown to end a probe transaction with ROLLBACK while handing its result out. */
class Rollback extends Error {
	constructor(readonly value: unknown) {
		super('probe transaction rolled back');
	}
}

async function inRolledBackTransaction<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
	try {
		await db.transaction(async (tx) => {
			throw new Rollback(await fn(tx));
		});
	} catch (err) {
		if (err instanceof Rollback) return err.value as T;
		throw err;
	}
	throw new Error('unreachable: a probe transaction must roll back');
}

function settingsFor(ctx: AuthContext): Record<string, string> {
	return { 'realtime.topic': ctx.topic, 'request.headers': JSON.stringify(ctx.headers) };
}

/** Whether the session behind a user token still exists (localbase is stricter than hosted here). */
export async function sessionAlive(q: Queryable, caller: Caller): Promise<boolean> {
	return (await checkSession(q, caller)).ok;
}

/**
 * The read check: probe rows inserted by the server, then SELECTed back as the caller with the
 * channel's topic set; a visible probe means that extension may be read. Always rolled back. The
 * session check rides in the same transaction so a private join costs one round of statements.
 */
export async function checkRead(db: Db, ctx: AuthContext, opts: { presence: boolean }): Promise<ReadResult> {
	// service_role has BYPASSRLS: every probe would be visible, so skip the round trip.
	if (ctx.caller.role === 'service_role')
		return { ok: true, broadcast: true, presence: opts.presence || undefined };
	return inRolledBackTransaction(db, async (tx): Promise<ReadResult> => {
		if (!(await sessionAlive(tx, ctx.caller))) return { ok: false, sessionEnded: true };
		const broadcastId = randomUUID();
		const presenceId = randomUUID();
		if (opts.presence) {
			await tx.query(
				`insert into realtime.messages (id, topic, extension) values ($1, $3, 'broadcast'), ($2, $3, 'presence')`,
				[broadcastId, presenceId, ctx.topic]
			);
		} else {
			await tx.query(`insert into realtime.messages (id, topic, extension) values ($1, $2, 'broadcast')`, [
				broadcastId,
				ctx.topic
			]);
		}
		await actAs(tx, ctx.caller, settingsFor(ctx));
		const { rows } = await tx.query<{ id: string }>('select id from realtime.messages where id in ($1, $2)', [
			broadcastId,
			presenceId
		]);
		const visible = new Set(rows.map((r) => r.id));
		return {
			ok: true,
			broadcast: visible.has(broadcastId),
			presence: opts.presence ? visible.has(presenceId) : undefined
		};
	});
}

/**
 * The write check, run lazily on the first broadcast or track: INSERT a probe per extension as the
 * caller inside a savepoint; 42501 (RLS or privilege) means denied. Always rolled back.
 */
export async function checkWrite(
	db: Db,
	ctx: AuthContext
): Promise<{ broadcast: boolean; presence: boolean }> {
	if (ctx.caller.role === 'service_role') return { broadcast: true, presence: true };
	return inRolledBackTransaction(db, async (tx) => {
		await actAs(tx, ctx.caller, settingsFor(ctx));
		const allowed = { broadcast: false, presence: false };
		for (const extension of ['broadcast', 'presence'] as const) {
			await tx.query('savepoint realtime_write_probe');
			try {
				await tx.query('insert into realtime.messages (topic, extension) values ($1, $2)', [
					ctx.topic,
					extension
				]);
				allowed[extension] = true;
			} catch (err) {
				if ((err as { code?: string }).code !== '42501') throw err;
			}
			await tx.query('rollback to savepoint realtime_write_probe');
		}
		return allowed;
	});
}
