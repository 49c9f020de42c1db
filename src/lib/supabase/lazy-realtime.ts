// The Realtime client supabase-js builds in its constructor, in the browser build (vite.config.ts,
// browserWithLazyClient): realtime-js and its Phoenix socket (~15 kB gzip) load on demand
// instead of with every page. Nothing connects before the page has rendered anyway — the inbox and
// the chat join their channels after hydration, through `loadRealtime` (src/lib/supabase/realtime.ts),
// which loads the real client first. Until then the stand-in keeps the token supabase-js hands it
// (sign-in, refresh, sign-out) and passes the last one on when the real client arrives.
import type {
	RealtimeChannel,
	RealtimeChannelOptions,
	RealtimeClient as RealClient,
	RealtimeClientOptions,
	RealtimeRemoveChannelResponse
} from '@supabase/realtime-js';

export class RealtimeClient {
	readonly #endPoint: string;
	readonly #options: RealtimeClientOptions | undefined;
	#real: RealClient | undefined;
	#loading: Promise<RealClient> | undefined;
	/** A setAuth call made before the real client existed (the latest wins). */
	#pendingAuth: { token: string | null | undefined } | undefined;

	constructor(endPoint: string, options?: RealtimeClientOptions) {
		this.#endPoint = endPoint;
		this.#options = options;
	}

	/** Loads realtime-js and builds the real client (once); every later call goes straight to it. */
	load(): Promise<RealClient> {
		this.#loading ??= import('@supabase/realtime-js').then(async ({ RealtimeClient: Real }) => {
			const real = new Real(this.#endPoint, this.#options);
			this.#real = real;
			const pending = this.#pendingAuth;
			this.#pendingAuth = undefined;
			if (pending) await real.setAuth(pending.token);
			return real;
		});
		return this.#loading;
	}

	async setAuth(token?: string | null): Promise<void> {
		if (this.#real) return this.#real.setAuth(token);
		this.#pendingAuth = { token };
	}

	channel(topic: string, params?: RealtimeChannelOptions): RealtimeChannel {
		// Loud on purpose: a channel asked for before loadRealtime() would otherwise never connect.
		if (!this.#real) throw new Error('Realtime is not loaded yet: await loadRealtime(supabase) first');
		return this.#real.channel(topic, params);
	}

	getChannels(): RealtimeChannel[] {
		return this.#real?.getChannels() ?? [];
	}

	async removeChannel(channel: RealtimeChannel): Promise<RealtimeRemoveChannelResponse> {
		return this.#real ? this.#real.removeChannel(channel) : 'ok';
	}

	async removeAllChannels(): Promise<RealtimeRemoveChannelResponse[]> {
		return this.#real ? this.#real.removeAllChannels() : [];
	}

	async disconnect(code?: number, reason?: string): Promise<'ok' | 'timeout'> {
		return this.#real ? this.#real.disconnect(code, reason) : 'ok';
	}
}
