// A value a server load hands to the universal loads running on the server in the same request,
// which never reaches the browser: the `transport` hook (src/hooks.ts) writes it into the page as
// an empty array and reads it back as undefined. The root layout's session and cookies travel this
// way, so no page, and no copy of a page the service worker keeps, carries the session's tokens.

export class ServerOnly<T> {
	constructor(readonly value: T) {}
}

/** The `transport` hook's member for ServerOnly: what the browser gets is always undefined. */
export const serverOnlyTransport = {
	encode: (value: unknown) => value instanceof ServerOnly && [],
	decode: () => undefined
};
