// Stand-ins for parts of auth-js that GoTrueClient builds or imports but Spotter's browser code
// never uses (see vite.config.ts, browserWithoutUnusedSupabaseClients): passkeys (WebAuthn MFA)
// and Sign in with Ethereum. (The admin API stays: auth.signOut() calls its logout.) Using one
// fails loudly.
const why = 'is not part of Spotter’s browser build (vite.config.ts, browserWithoutUnusedSupabaseClients)';

function unused(what: string): never {
	throw new Error(`Supabase Auth ${what} ${why}`);
}

/** GoTrueClient builds `auth.mfa.webauthn` in its constructor: any use of it throws. */
export class WebAuthnApi {
	constructor() {
		return new Proxy(this, { get: () => unused('passkeys (WebAuthn)') });
	}
}

export const webAuthnAbortService = {
	cancelCeremony: () => {},
	createNewAbortSignal: () => unused('passkeys (WebAuthn)')
};
export const browserSupportsWebAuthn = () => false;
export const createCredential = () => unused('passkeys (WebAuthn)');
export const getCredential = () => unused('passkeys (WebAuthn)');
export const deserializeCredentialCreationOptions = () => unused('passkeys (WebAuthn)');
export const deserializeCredentialRequestOptions = () => unused('passkeys (WebAuthn)');
export const serializeCredentialCreationResponse = () => unused('passkeys (WebAuthn)');
export const serializeCredentialRequestResponse = () => unused('passkeys (WebAuthn)');

export const createSiweMessage = () => unused('Sign in with Ethereum');
export const fromHex = () => unused('Sign in with Ethereum');
export const getAddress = () => unused('Sign in with Ethereum');
export const toHex = () => unused('Sign in with Ethereum');
