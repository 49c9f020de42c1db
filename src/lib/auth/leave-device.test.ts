import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as database from '$lib/device/database';
import * as drafts from '$lib/device/drafts';
import * as lastSeen from '$lib/device/last-seen';
import * as outbox from '$lib/device/outbox';
import { me, message, outgoing, thread } from '$lib/device/test-records';
import { clearPages } from '$lib/worker-messages';
import { forgetAccount } from './leave-device';

afterEach(async () => {
	vi.unstubAllGlobals();
	await database.destroy();
});

describe('after the account is deleted', () => {
	it('nothing of it stays on the device, and another user’s data does', async () => {
		const store = new Map<string, string>();
		vi.stubGlobal('localStorage', {
			get length() {
				return store.size;
			},
			key: (i: number) => [...store.keys()][i] ?? null,
			getItem: (k: string) => store.get(k) ?? null,
			setItem: (k: string, v: string) => store.set(k, v),
			removeItem: (k: string) => store.delete(k)
		});
		const steps: string[] = [];
		vi.stubGlobal('navigator', {
			serviceWorker: {
				controller: { postMessage: (data: unknown) => steps.push(`post ${JSON.stringify(data)}`) },
				getRegistration: async () => ({
					pushManager: {
						getSubscription: async () => ({ unsubscribe: async () => steps.push('unsubscribe') })
					}
				})
			}
		});
		drafts.save(drafts.key(me, thread), 'half a sentence');
		drafts.save(drafts.key('someone-else', thread), 'theirs');
		await lastSeen.saveMessages(me, thread, [message(1)]);
		await outbox.put(outgoing(1));
		await outbox.put({ ...outgoing(2), userId: 'someone-else' });

		await forgetAccount(me);

		expect(drafts.load(drafts.key(me, thread))).toBe('');
		expect(drafts.load(drafts.key('someone-else', thread))).toBe('theirs');
		expect(await lastSeen.messages(me, thread)).toEqual([]);
		expect(await outbox.of(me, thread)).toEqual([]);
		expect(await outbox.of('someone-else', thread)).toHaveLength(1);
		expect(steps).toEqual([`post ${JSON.stringify(clearPages)}`, 'unsubscribe']);
	});
});
