// The Auth client supabase-js builds in its constructor, in the browser build (vite.config.ts,
// browserWithLazyClient): auth-js (~22 kB gzip, GoTrueClient with every sign-in method, MFA and
// OAuth) loads on demand instead of before a page can hydrate. A page hydrates from what the server
// rendered and the requests SvelteKit inlined; all it asks of Auth on the way is the session's
// access token, which is in the session cookie. So until auth-js arrives the stand-in answers
// `getSession` itself — from the same cookie storage, through @supabase/ssr's adapter, with
// auth-js's own validity check and expiry margin — and only while that token is good for longer than
// the margin in which auth-js would refresh it. Anything else (a refresh, getUser, signOut, sign-in,
// a missing session) loads the real client first and hands the call to it. The session watch loads
// it once the page is interactive (`loadAuth` in src/lib/auth/session-watch.ts, which the root
// layout starts), so that tokens refresh on time and other tabs' sign-outs are heard; listeners
// added before then are passed on to it.
//
// Written by hand because no library splits auth-js this way; the part that does anything with a
// session (refresh, sign-in, sign-out, events) is auth-js's own.
import type { AuthChangeEvent, GoTrueClient as RealClient, Session, Subscription } from '@supabase/auth-js';
import { EXPIRY_MARGIN_MS } from '@supabase/auth-js/dist/module/lib/constants.js';

// What supabase-js re-exports from auth-js (`export * from '@supabase/auth-js'`) and Spotter's
// browser code imports from it: the error classes and their type guards.
export * from '@supabase/auth-js/dist/module/lib/errors.js';

type Options = ConstructorParameters<typeof RealClient>[0];
type Callback = (event: AuthChangeEvent, session: Session | null) => void | Promise<void>;

interface Waiting {
	callback: Callback;
	/** The real client's subscription, once it is loaded. */
	real?: Subscription;
}

let waitingCount = 0;

export class AuthClient {
	readonly #options: Options;
	#real: RealClient | undefined;
	#loading: Promise<RealClient> | undefined;
	readonly #waiting = new Set<Waiting>();

	constructor(options: Options) {
		this.#options = options;
		// Every other method of auth-js's client: load it, then call it. (supabase-js subclasses this
		// class; the proxy is what both constructors return.)
		return new Proxy(this, {
			get: (target, property) => {
				// Its own members run on the instance itself, where its private fields are.
				if (property in target) return bound(target, property);
				if (typeof property === 'symbol' || property === 'then') return undefined;
				if (target.#real) return bound(target.#real, property);
				return async (...args: unknown[]) => {
					const real = await target.load();
					return (bound(real, property) as (...a: unknown[]) => unknown)(...args);
				};
			}
		});
	}

	/** Loads auth-js and builds the real client (once); every later call goes straight to it. */
	load(): Promise<RealClient> {
		this.#loading ??= import('@supabase/auth-js').then(
			({ AuthClient: Real }) => {
				const real = new Real(this.#options);
				this.#real = real;
				// Only listeners still subscribed are here: unsubscribing removes one.
				for (const waiting of this.#waiting) {
					waiting.real = real.onAuthStateChange(waiting.callback).data.subscription;
				}
				this.#waiting.clear();
				return real;
			},
			(error: unknown) => {
				// Offline with the chunk not cached yet: the next call tries again.
				this.#loading = undefined;
				throw error;
			}
		);
		return this.#loading;
	}

	/** Whether auth-js is loaded (the real client answers every call). */
	get loaded(): boolean {
		return this.#real !== undefined;
	}

	async getSession(): Promise<Awaited<ReturnType<RealClient['getSession']>>> {
		if (!this.#real) {
			const stored = await this.#storedSession();
			if (stored) return { data: { session: stored }, error: null };
		}
		return (await this.load()).getSession();
	}

	onAuthStateChange(callback: Callback): { data: { subscription: Subscription } } {
		if (this.#real) return this.#real.onAuthStateChange(callback);
		const waiting: Waiting = { callback };
		this.#waiting.add(waiting);
		const subscription: Subscription = {
			// Not crypto.randomUUID(): a page served over plain http from another address has none.
			id: `waiting-${++waitingCount}`,
			callback,
			unsubscribe: () => {
				this.#waiting.delete(waiting);
				waiting.real?.unsubscribe();
			}
		};
		return { data: { subscription } };
	}

	/**
	 * The session in storage when auth-js would hand it back as it is: valid in its eyes and not
	 * within its refresh margin of expiring. Otherwise undefined, and the real client decides.
	 */
	async #storedSession(): Promise<Session | undefined> {
		const { storage, storageKey, userStorage } = this.#options;
		// A user kept apart from the session (userStorage) is auth-js's to put back together.
		if (!storage || !storageKey || userStorage) return undefined;
		const raw = await storage.getItem(storageKey);
		if (!raw) return undefined;
		let session: unknown;
		try {
			session = JSON.parse(raw);
		} catch {
			return undefined;
		}
		if (
			typeof session !== 'object' ||
			session === null ||
			!('access_token' in session) ||
			!('refresh_token' in session) ||
			!('expires_at' in session) ||
			typeof session.expires_at !== 'number'
		)
			return undefined;
		if (session.expires_at * 1000 - Date.now() < EXPIRY_MARGIN_MS) return undefined;
		return session as Session;
	}
}

function bound(target: object, property: string | symbol): unknown {
	const value: unknown = Reflect.get(target, property);
	return typeof value === 'function' ? value.bind(target) : value;
}
