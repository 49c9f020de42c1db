// Realtime helpers shared by the inbox and the chat: private channels authorised with a fresh
// session and kept joined, broadcasts read as hints, and the one place that watches the tab and
// the network coming back.
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';

/**
 * Loads the Realtime client: in the browser build supabase-js holds a stand-in until then
 * (src/lib/supabase/lazy-realtime.ts); elsewhere (server, tests) the real client is already there.
 */
export async function loadRealtime(supabase: Supabase): Promise<void> {
	const realtime = supabase.realtime as unknown as { load?: () => Promise<unknown> };
	await realtime.load?.();
}

/** Makes sure the access token is current (refreshing it if needed) and hands it to Realtime. */
export async function freshenRealtimeAuth(supabase: Supabase): Promise<void> {
	await loadRealtime(supabase);
	await supabase.auth.getSession();
	await supabase.realtime.setAuth();
}

/**
 * Calls `onBack` when the network comes back or the tab becomes visible again, after making
 * sure the session is fresh. Returns the teardown.
 */
export function whenBack(supabase: Supabase, onBack: () => void): () => void {
	const back = () => {
		if (document.visibilityState !== 'visible' || !navigator.onLine) return;
		void freshenRealtimeAuth(supabase).then(onBack);
	};
	window.addEventListener('online', back);
	document.addEventListener('visibilitychange', back);
	return () => {
		window.removeEventListener('online', back);
		document.removeEventListener('visibilitychange', back);
	};
}

/**
 * A broadcast handler for an event the database sends. Events are hints: one that cannot be read
 * is logged, and `readDatabase` fetches the truth instead of it.
 */
export function onHint<T>(
	event: string,
	schema: z.ZodMiniType<T>,
	apply: (data: T) => void,
	readDatabase: () => void
): (message: { payload: unknown }) => void {
	return ({ payload }) => {
		const parsed = schema.safeParse(payload);
		if (parsed.success) {
			apply(parsed.data);
			return;
		}
		console.error(`${event} payload not understood; reading the database instead`, parsed.error, payload);
		readDatabase();
	};
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** Waits before joining again after the server closed a channel: 1, 2, 5, then 10 s (realtime-js's own rejoin steps). */
const REJOIN_AFTER_MS = [1000, 2000, 5000, 10_000];

export interface Joined {
	/** The channel as joined now (undefined between a server close and the next join). */
	channel(): RealtimeChannel | undefined;
	/** Leaves the channel for good. */
	stop(): void;
}

export interface JoinOptions {
	/** The channel's config (private, presence key…). */
	config: { private: true; presence?: { key: string } };
	/** Registers the event handlers on a new channel, before it subscribes. */
	bind(channel: RealtimeChannel): void;
	/** Every subscribe status of the current channel. */
	onStatus(status: 'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR', channel: RealtimeChannel): void;
	/**
	 * The server closed the channel (its access, session or token ended): whether to join again.
	 * realtime-js rejoins by itself after errors and timeouts, but never after a close.
	 */
	rejoinAfterClose(): Promise<boolean>;
}

/**
 * Joins the private channel `topic` with a fresh token and keeps it joined, one channel per topic:
 * a channel of the same topic this client is still leaving (the previous view's) is left first,
 * because supabase-js would hand back that channel, which never subscribes again.
 */
export function keepJoined(supabase: Supabase, topic: string, options: JoinOptions): Joined {
	let stopped = false;
	let current: RealtimeChannel | undefined;
	let attempt = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;

	const join = async () => {
		await freshenRealtimeAuth(supabase);
		const leaving = supabase.getChannels().find((c) => c.topic === `realtime:${topic}`);
		if (leaving) await supabase.removeChannel(leaving);
		if (stopped) return;
		const channel = supabase.channel(topic, { config: options.config });
		current = channel;
		options.bind(channel);
		channel.subscribe((status) => {
			if (stopped || channel !== current) return;
			if (status === 'SUBSCRIBED') attempt = 0;
			options.onStatus(status, channel);
			if (status !== 'CLOSED') return;
			current = undefined;
			void options.rejoinAfterClose().then((again) => {
				if (!again || stopped) return;
				timer = setTimeout(join, REJOIN_AFTER_MS[Math.min(attempt++, REJOIN_AFTER_MS.length - 1)]);
			});
		});
	};
	void join();
	return {
		channel: () => current,
		stop: () => {
			stopped = true;
			clearTimeout(timer);
			const channel = current;
			current = undefined;
			if (channel) void supabase.removeChannel(channel);
		}
	};
}
