// auth.users and auth.identities as GoTrue reads and writes them, and the user JSON it returns
// (the `User` object of auth-js).
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Queryable } from '../../db/index.ts';
import { userColumns, type UserRow } from './tokens.ts';

const instanceId = '00000000-0000-0000-0000-000000000000';
/** bcrypt reads only the first 72 bytes, so Supabase Auth refuses longer passwords. */
export const maxPasswordBytes = 72;
/** GoTrue's bcrypt cost; low enough that sign-up in tests stays fast. */
const bcryptCost = 10;

export class AuthError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly extra: Record<string, unknown> = {}
	) {
		super(message);
	}
}

/**
 * Supabase Auth's password rules, in its order: over 72 bytes (UTF-8, what bcrypt reads) is a
 * validation error; under the configured minimum is weak_password with its reasons.
 */
export function checkPasswordStrength(password: string, minLength: number): void {
	if (Buffer.byteLength(password, 'utf8') > maxPasswordBytes) {
		throw new AuthError(
			400,
			'validation_failed',
			`Password cannot be longer than ${maxPasswordBytes} characters`
		);
	}
	if (Buffer.byteLength(password, 'utf8') < minLength) {
		throw new AuthError(422, 'weak_password', `Password should be at least ${minLength} characters.`, {
			weak_password: { reasons: ['length'] }
		});
	}
}

// The HTML5 email pattern GoTrue validates with, minus its length checks.
const emailPattern =
	/^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Supabase Auth's email check: required, at most 255 characters (auth.users.email), well formed. */
export function normalizeEmail(email: unknown): string {
	if (email === undefined || email === null || email === '') {
		throw new AuthError(400, 'validation_failed', 'An email address is required');
	}
	if (typeof email !== 'string') {
		throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
	}
	if (email.length > 255) throw new AuthError(400, 'validation_failed', 'An email address is too long');
	if (!emailPattern.test(email.trim())) {
		throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
	}
	return email.trim().toLowerCase();
}

/**
 * Postgres refuses U+0000 in jsonb, which hosted Supabase Auth reports only as a 500 "Database
 * error saving new user". localbase names the key instead, before touching the database.
 */
export function refuseNul(value: unknown, field: string): void {
	const walk = (v: unknown, at: string): void => {
		if (typeof v === 'string') {
			if (v.includes('\0')) {
				throw new AuthError(400, 'validation_failed', `${at} must not contain the NUL character (U+0000)`);
			}
		} else if (Array.isArray(v)) {
			v.forEach((item, i) => walk(item, `${at}[${i}]`));
		} else if (typeof v === 'object' && v !== null) {
			for (const [k, item] of Object.entries(v)) {
				if (k.includes('\0')) {
					throw new AuthError(
						400,
						'validation_failed',
						`${at} must not contain the NUL character (U+0000) in a key`
					);
				}
				walk(item, `${at}.${k}`);
			}
		}
	};
	walk(value, field);
}

export function hashPassword(password: string): Promise<string> {
	return bcrypt.hash(password, bcryptCost);
}

/** Compares with a bcrypt hash ($2a$/$2b$, as pgcrypto's crypt(…, gen_salt('bf')) produces too). */
export async function passwordMatches(password: string, hash: string | null): Promise<boolean> {
	if (!hash || !/^\$2[aby]\$/.test(hash)) return false;
	return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
}

interface IdentityRow {
	id: string;
	provider_id: string;
	user_id: string;
	identity_data: Record<string, unknown>;
	provider: string;
	email: string | null;
	last_sign_in_at: Date | string | null;
	created_at: Date | string | null;
	updated_at: Date | string | null;
}

const iso = (v: Date | string | null): string | undefined =>
	v === null ? undefined : v instanceof Date ? v.toISOString() : new Date(v).toISOString();

/** GoTrue's user JSON: null timestamps are omitted, phone is "" when unset. */
export async function userJson(q: Queryable, user: UserRow): Promise<Record<string, unknown>> {
	const { rows: identities } = await q.query<IdentityRow>(
		`select id, provider_id, user_id, identity_data, provider, email, last_sign_in_at, created_at, updated_at
		 from auth.identities where user_id = $1 order by created_at`,
		[user.id]
	);
	const out: Record<string, unknown> = {
		id: user.id,
		aud: user.aud ?? '',
		role: user.role ?? '',
		email: user.email ?? '',
		email_confirmed_at: iso(user.email_confirmed_at),
		phone: user.phone ?? '',
		phone_confirmed_at: iso(user.phone_confirmed_at),
		confirmation_sent_at: iso(user.confirmation_sent_at),
		recovery_sent_at: iso(user.recovery_sent_at),
		email_change_sent_at: iso(user.email_change_sent_at),
		new_email: user.email_change || undefined,
		invited_at: iso(user.invited_at),
		confirmed_at: iso(user.confirmed_at),
		last_sign_in_at: iso(user.last_sign_in_at),
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		identities: identities.map((i) => ({
			identity_id: i.id,
			id: i.provider_id,
			user_id: i.user_id,
			identity_data: i.identity_data,
			provider: i.provider,
			last_sign_in_at: iso(i.last_sign_in_at),
			created_at: iso(i.created_at),
			updated_at: iso(i.updated_at),
			email: i.email ?? undefined
		})),
		created_at: iso(user.created_at),
		updated_at: iso(user.updated_at),
		banned_until: iso(user.banned_until),
		is_anonymous: user.is_anonymous
	};
	for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
	return out;
}

export interface NewUser {
	id?: string;
	email: string;
	passwordHash: string | null;
	confirmed: boolean;
	userMetadata: Record<string, unknown>;
	appMetadata: Record<string, unknown>;
	role?: string;
	phone?: string | null;
}

/**
 * Inserts the user and its email identity. The user_metadata carries the identity data
 * (sub, email, email_verified, phone_verified) merged under the caller's data, as GoTrue does.
 */
export async function insertUser(q: Queryable, u: NewUser): Promise<UserRow> {
	const id = u.id ?? randomUUID();
	const identityData = { sub: id, email: u.email, email_verified: u.confirmed, phone_verified: false };
	const userMetadata = { ...u.userMetadata, ...identityData };
	const appMetadata = { provider: 'email', providers: ['email'], ...u.appMetadata };
	const { rows } = await q.query<UserRow>(
		`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
			raw_app_meta_data, raw_user_meta_data, phone, created_at, updated_at, is_anonymous)
		 values ($1, $2, 'authenticated', $3, $4, $5, case when $6::boolean then now() end, $7, $8, $9, now(), now(), false)
		 returning ${userColumns}`,
		[
			instanceId,
			id,
			u.role ?? 'authenticated',
			u.email,
			u.passwordHash,
			u.confirmed,
			JSON.stringify(appMetadata),
			JSON.stringify(userMetadata),
			u.phone ?? null
		]
	);
	await q.query(
		`insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
		 values ($1, $2, $3, 'email', now(), now(), now())`,
		[id, id, JSON.stringify(identityData)]
	);
	return rows[0];
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
	const { rows } = await q.query<UserRow>(
		`select ${userColumns} from auth.users where lower(email) = $1 and is_sso_user = false`,
		[email]
	);
	return rows[0];
}

/** GoTrue's metadata update: keys are merged, a null value removes its key. */
export function mergeMetadata(
	current: Record<string, unknown> | null,
	patch: Record<string, unknown>
): Record<string, unknown> {
	const out = { ...(current ?? {}) };
	for (const [k, v] of Object.entries(patch)) {
		if (v === null) delete out[k];
		else out[k] = v;
	}
	return out;
}
