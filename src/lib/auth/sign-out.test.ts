import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as database from '$lib/device/database';
import * as lastSeen from '$lib/device/last-seen';
import * as outbox from '$lib/device/outbox';
import { me, message, outgoing, thread } from '$lib/device/test-records';
import type { Supabase } from '$lib/supabase/types';
import { clearPages } from '$lib/worker-messages';
import { NOTIFICATIONS_KEPT, signOut } from './sign-out';

/** A browser with a push subscription on this device and a controlling service worker. */
function browser({ deleteFails = false, authFails = false } = {}) {
	const steps: string[] = [];
	const supabase = {
		from: (table: string) => ({
			delete: () => ({
				eq: async () => {
					steps.push(`delete ${table}`);
					return deleteFails
						? { data: null, error: { code: '42501', message: 'denied' }, status: 403 }
						: { data: null, error: null, status: 204 };
				}
			})
		}),
		auth: {
			signOut: async (options: { scope: string }) => {
				steps.push(`sign out ${options.scope}`);
				return { error: authFails ? { code: 'session_not_found', status: 403 } : null };
			}
		}
	} as unknown as Supabase;
	const subscription = {
		endpoint: 'https://push.example/device',
		unsubscribe: async () => {
			steps.push('unsubscribe');
			return true;
		}
	};
	vi.stubGlobal('navigator', {
		onLine: true,
		serviceWorker: {
			getRegistration: async () => ({ pushManager: { getSubscription: async () => subscription } }),
			controller: { postMessage: (data: unknown) => steps.push(`post ${JSON.stringify(data)}`) }
		}
	});
	return { supabase, steps };
}

async function keptOnDevice() {
	await lastSeen.saveMessages(me, thread, [message(1)]);
	await outbox.put(outgoing(1));
}

afterEach(async () => {
	vi.unstubAllGlobals();
	await database.destroy();
});

describe('signing out of this device', () => {
	it('turns notifications off, ends the session, clears cached pages and forgets what the device last saw', async () => {
		const { supabase, steps } = browser();
		await keptOnDevice();
		expect(await signOut(supabase, me)).toEqual({ ok: true, data: undefined });
		expect(steps).toEqual([
			'delete push_subscriptions',
			'unsubscribe',
			'sign out local',
			`post ${JSON.stringify(clearPages)}`
		]);
		expect(await lastSeen.messages(me, thread)).toEqual([]);
		expect(await outbox.of(me, thread)).toHaveLength(1);
	});

	it('stops before ending the session when notifications cannot be turned off, unless the user goes on anyway', async () => {
		const { supabase, steps } = browser({ deleteFails: true });
		await keptOnDevice();
		const stopped = await signOut(supabase, me);
		expect(stopped).toMatchObject({ ok: false, error: { code: NOTIFICATIONS_KEPT } });
		expect(steps).not.toContain('sign out local');
		expect(await lastSeen.messages(me, thread)).toHaveLength(1);

		expect(await signOut(supabase, me, { anyway: true })).toEqual({ ok: true, data: undefined });
		expect(steps).toContain('sign out local');
		expect(await lastSeen.messages(me, thread)).toEqual([]);
	});

	it('keeps everything when Auth refuses, and says so in a sentence', async () => {
		const { supabase, steps } = browser({ authFails: true });
		await keptOnDevice();
		const result = await signOut(supabase, me);
		expect(result).toMatchObject({ ok: false, error: { code: 'session_not_found' } });
		if (!result.ok) expect(result.error.message).toMatch(/^[A-Z].*\.$/);
		expect(steps.some((s) => s.startsWith('post'))).toBe(false);
		expect(await lastSeen.messages(me, thread)).toHaveLength(1);
	});

	it('ends every session of the user when asked to sign out of all devices', async () => {
		const { supabase, steps } = browser();
		expect(await signOut(supabase, me, { scope: 'global' })).toEqual({ ok: true, data: undefined });
		expect(steps).toContain('sign out global');
		expect(steps).not.toContain('sign out local');
	});
});
