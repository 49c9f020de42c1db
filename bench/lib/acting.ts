// Requests as a signed-in user, framed the way PostgREST frames them: a transaction, the role and
// request.jwt.* settings (localbase's actAs), the statement(s), commit.
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.ts';
import { actAs, type Caller } from '../../localbase/request-auth.ts';

export function callerFor(userId: string, sessionId: string): Caller {
	const now = Math.floor(Date.now() / 1000);
	return {
		role: 'authenticated',
		token: '',
		claims: {
			sub: userId,
			role: 'authenticated',
			aud: 'authenticated',
			iat: now,
			exp: now + 3600,
			aal: 'aal1',
			session_id: sessionId,
			is_anonymous: false
		}
	};
}

/** Counts the statements a request sends besides its framing (begin, settings, commit). */
export class CountingQueryable implements Queryable {
	count = 0;
	constructor(private readonly inner: Queryable) {}
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]) {
		this.count++;
		return this.inner.query<T>(sql, params);
	}
	exec(sql: string) {
		this.count++;
		return this.inner.exec(sql);
	}
}

export interface RequestStats {
	queries: number;
}

/** One request as `caller`; returns how many statements `fn` sent. */
export async function asCaller(db: Db, caller: Caller, fn: (q: Queryable) => Promise<void>): Promise<number> {
	return db.transaction(async (tx) => {
		await actAs(tx, caller);
		const counting = new CountingQueryable(tx);
		await fn(counting);
		return counting.count;
	});
}

/**
 * The same framing without switching role (the connection's superuser), for the bare baseline: the
 * settings statement is sent all the same so both sides pay the same round trips.
 */
export async function asOwner(db: Db, caller: Caller, fn: (q: Queryable) => Promise<void>): Promise<number> {
	return db.transaction(async (tx) => {
		await actAs(tx, { ...caller, role: 'postgres' });
		const counting = new CountingQueryable(tx);
		await fn(counting);
		return counting.count;
	});
}

export const newId = () => randomUUID();
