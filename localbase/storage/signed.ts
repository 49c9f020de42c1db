// Signed URL tokens: HS256 with the project's JWT secret, as the Storage API signs them. A download
// token carries `{url, scope: "download"}`, an upload token `{owner, url, upsert, scope: "upload"}`;
// at use only the signature, the scope, the object (`url` = `<bucket>/<key>`) and the expiry are
// checked — the policies were evaluated when the URL was signed.
import type { LocalbaseConfig } from '../config.ts';
import { signJwt, verifyJwt, type JwtClaims } from '../jwt.ts';
import { storageErrors } from './errors.ts';
import { jwtFailureMessage } from './scope.ts';

export type SignedScope = 'download' | 'upload';

export interface SignedToken extends JwtClaims {
	url: string;
	scope?: SignedScope;
	owner?: string;
	upsert?: boolean;
	exp: number;
}

/** The Storage API's bounds for `expiresIn`: a positive whole number of seconds. */
export function mustBeValidExpiry(expiresIn: unknown): asserts expiresIn is number {
	if (typeof expiresIn !== 'number' || !Number.isSafeInteger(expiresIn) || expiresIn < 1) {
		throw storageErrors.invalidParameter('expiresIn', 'expiresIn must be a positive integer');
	}
}

export function signToken(
	config: LocalbaseConfig,
	claims: Omit<SignedToken, 'iat' | 'exp'>,
	expiresIn: number
): string {
	const iat = Math.floor(Date.now() / 1000);
	return signJwt({ ...claims, iat, exp: iat + expiresIn }, config.jwtSecret);
}

export function verifySignedToken(
	config: LocalbaseConfig,
	token: string | null | undefined,
	bucketId: string,
	key: string,
	scope: SignedScope
): SignedToken {
	if (!token) throw storageErrors.invalidJwt(jwtFailureMessage('', config.jwtSecret));
	const verified = verifyJwt(token, config.jwtSecret);
	if (!verified.ok) throw storageErrors.invalidJwt(jwtFailureMessage(token, config.jwtSecret));
	const payload = verified.claims as SignedToken;
	// A token from before scopes existed counts as a download token when it carries no upsert.
	const scoped =
		scope === 'upload'
			? payload.scope === 'upload'
			: payload.scope === 'download' || (payload.scope === undefined && payload.upsert === undefined);
	if (!scoped) throw storageErrors.invalidSignature(`Token is not scoped for ${scope}`);
	if (payload.url !== `${bucketId}/${key}`) throw storageErrors.invalidSignature();
	if (typeof payload.exp !== 'number' || payload.exp * 1000 < Date.now())
		throw storageErrors.expiredSignature();
	return payload;
}
