// Realtime helpers shared by the inbox and the chat: private channels authorised with a fresh
// session, broadcasts read as hints, and the one place that watches the tab and the network
// coming back.
import type { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';

/** Makes sure the access token is current (refreshing it if needed) and hands it to Realtime. */
export async function freshenRealtimeAuth(supabase: Supabase): Promise<void> {
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
