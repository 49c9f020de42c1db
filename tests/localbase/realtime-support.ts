// Helpers for the realtime suites: subscribe and wait for a status, collect broadcasts and presence
// events, and poll for a condition with a deadline.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { signJwt } from '../../localbase/jwt.ts';
import type { Localbase } from '../../localbase/server.ts';
import { demoUsers, userIdOf } from './harness.ts';

export type SubscribeResult = { status: string; error?: Error };

/** Subscribes and resolves with the first terminal status (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT or CLOSED). */
export function subscribe(channel: RealtimeChannel, timeoutMs = 5000): Promise<SubscribeResult> {
	return new Promise((resolve) => {
		channel.subscribe((status, error) => resolve({ status, error }), timeoutMs);
	});
}

export async function waitFor<T>(
	probe: () => T | undefined | null | false,
	what: string,
	timeoutMs = 5000
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Received {
	event: string;
	payload: Record<string, unknown>;
	meta?: { id?: string };
}

/** Records every broadcast the channel receives (register before subscribing). */
export function collectBroadcasts(channel: RealtimeChannel, event = '*'): Received[] {
	const received: Received[] = [];
	channel.on('broadcast', { event }, (message) => {
		received.push(message as unknown as Received);
	});
	return received;
}

/** Records system frames (Realtime's shutdown reasons arrive this way). */
export function collectSystem(channel: RealtimeChannel): Record<string, unknown>[] {
	const system: Record<string, unknown>[] = [];
	channel.on('system', {}, (payload) => {
		system.push(payload as Record<string, unknown>);
	});
	return system;
}

/** Subscribes and waits for SUBSCRIBED; the list keeps every later status (CLOSED when the server closes the channel). */
export async function joinAndWatch(channel: RealtimeChannel): Promise<string[]> {
	const statuses: string[] = [];
	channel.subscribe((status) => statuses.push(status));
	await waitFor(() => statuses.includes('SUBSCRIBED'), 'the join');
	return statuses;
}

export async function removeAll(...clients: SupabaseClient[]): Promise<void> {
	for (const client of clients) {
		await client.removeAllChannels();
		client.realtime.disconnect();
	}
}

/** A token signed with the local secret, with chosen claims (expired, wrong role, no exp…). */
export function signedToken(
	lb: Localbase,
	claims: Record<string, unknown>,
	secret = lb.config.jwtSecret
): string {
	return signJwt(claims, secret);
}

export function withAlgNone(token: string): string {
	const [, body] = token.split('.');
	const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
	return `${header}.${body}.`;
}

export function claimsOf(token: string): Record<string, unknown> & { sub: string; session_id: string } {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Runs SQL as the holder of `token` (role + request.jwt.claims) in one transaction, as PostgREST would. */
export async function asUser<T>(
	lb: Localbase,
	token: string,
	fn: (q: { query: Localbase['db']['query'] }) => Promise<T>,
	opts: { rollback?: boolean } = {}
): Promise<T> {
	class RolledBack extends Error {
		constructor(readonly value: T) {
			super('rolled back on purpose');
		}
	}
	const claims = claimsOf(token);
	try {
		return await lb.db.transaction(async (tx) => {
			await tx.query(
				`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true),
				 set_config('request.jwt.claim.sub', $2, true)`,
				[JSON.stringify(claims), claims.sub]
			);
			const value = await fn(tx);
			if (opts.rollback) throw new RolledBack(value);
			return value;
		});
	} catch (err) {
		if (err instanceof RolledBack) return err.value;
		throw err;
	}
}

// -------------------------------------------------------------------------------------------------
// Spotter's topics over the demo seed
// -------------------------------------------------------------------------------------------------

export type DemoUser = keyof typeof demoUsers;

/** The ids of the seeded demo users. */
export async function demoIds(lb: Localbase): Promise<Record<DemoUser, string>> {
	const ids = {} as Record<DemoUser, string>;
	for (const who of Object.keys(demoUsers) as DemoUser[]) ids[who] = await userIdOf(lb, demoUsers[who]);
	return ids;
}

/** The id of the conversation between a trainer and a trainee. */
export async function conversationOf(lb: Localbase, trainer: string, trainee: string): Promise<string> {
	const { rows } = await lb.db.query<{ id: string }>(
		'select id from public.conversations where trainer_id = $1 and trainee_id = $2',
		[trainer, trainee]
	);
	return rows[0].id;
}

/** A conversation's private channel, as the app joins it (`config` adds presence, ack…). */
export function conversationChannel(
	client: SupabaseClient,
	id: string,
	config: Record<string, unknown> = {}
): RealtimeChannel {
	return client.channel(`conversation:${id}`, { config: { private: true, ...config } });
}
