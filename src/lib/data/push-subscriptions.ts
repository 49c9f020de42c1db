// This browser's push endpoints, one row per device (the dispatcher sends to each of a user's rows).
// How they are read: from the push_subscriptions table, whose RLS shows only my own rows; written
// there too (an endpoint saved by a new user moves to them). Relative imports for values: the push
// suites import this chain outside the app's Vite aliases.
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import { ok, run, type Result } from './result';

/** Stores this device's endpoint and keys for the signed-in user. */
export function save(
	supabase: Supabase,
	subscription: { endpoint: string; p256dh: string; auth: string },
	userAgent?: string
): Promise<Result<null>> {
	return run(
		supabase
			.from('push_subscriptions')
			.insert({ ...subscription, user_agent: userAgent?.slice(0, 500) ?? null }),
		z.null()
	);
}

export function remove(supabase: Supabase, endpoint: string): Promise<Result<null>> {
	return run(supabase.from('push_subscriptions').delete().eq('endpoint', endpoint), z.null());
}

/** Whether the server has this endpoint for the signed-in user. */
export async function has(supabase: Supabase, endpoint: string): Promise<Result<boolean>> {
	const rows = await run(
		supabase.from('push_subscriptions').select('id').eq('endpoint', endpoint),
		z.array(z.object({ id: z.unknown() }))
	);
	return rows.ok ? ok(rows.data.length > 0) : rows;
}
