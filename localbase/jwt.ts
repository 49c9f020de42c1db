// HS256 JSON Web Tokens with node:crypto: what Supabase Auth signs with the legacy JWT secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtClaims = Record<string, unknown> & {
	sub?: string;
	role?: string;
	exp?: number;
	iat?: number;
	session_id?: string;
};

export type JwtFailure = 'malformed' | 'bad_algorithm' | 'bad_signature' | 'expired' | 'not_yet_valid';

const b64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

export function signJwt(claims: JwtClaims, secret: string): string {
	const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const body = b64url(JSON.stringify(claims));
	const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
	return `${header}.${body}.${signature}`;
}

/** Verifies signature and time claims; never throws on bad input. */
export function verifyJwt(
	token: string,
	secret: string,
	now = Math.floor(Date.now() / 1000)
): { ok: true; claims: JwtClaims } | { ok: false; reason: JwtFailure } {
	const parts = token.split('.');
	if (parts.length !== 3) return { ok: false, reason: 'malformed' };
	const [headerPart, bodyPart, signaturePart] = parts;
	let header: unknown;
	let claims: unknown;
	try {
		header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
		claims = JSON.parse(Buffer.from(bodyPart, 'base64url').toString('utf8'));
	} catch {
		return { ok: false, reason: 'malformed' };
	}
	if (!isObject(header) || !isObject(claims)) return { ok: false, reason: 'malformed' };
	if (header.alg !== 'HS256') return { ok: false, reason: 'bad_algorithm' };
	const expected = createHmac('sha256', secret).update(`${headerPart}.${bodyPart}`).digest();
	const given = Buffer.from(signaturePart, 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return { ok: false, reason: 'bad_signature' };
	}
	const c = claims as JwtClaims;
	if (typeof c.exp === 'number' && c.exp <= now) return { ok: false, reason: 'expired' };
	if (typeof c.nbf === 'number' && c.nbf > now + 30) return { ok: false, reason: 'not_yet_valid' };
	return { ok: true, claims: c };
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
