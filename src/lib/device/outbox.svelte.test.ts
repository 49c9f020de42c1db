// The outbox written from live app state: the chat's messages are Svelte `$state` proxies, which
// IndexedDB cannot clone. Every write must store a plain copy, or the status of a refused message is
// never saved and it is sent again at the next start.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as database from './database';
import * as lastSeen from './last-seen';
import * as outbox from './outbox';
import { me, message, outgoing, thread } from './test-records';

afterEach(() => database.destroy());

describe('writing live ($state) objects to the device', () => {
	it('saves a refused message’s status and reason when the reason is a $state object', async () => {
		await outbox.put(outgoing(1));
		const live = $state({
			error: { code: 'SP005', message: 'You are sending too fast.', retryable: true }
		});
		await outbox.setStatus(outgoing(1).id, 'failed', live.error);
		expect(await outbox.of(me, thread)).toEqual([outgoing(1, { status: 'failed', error: live.error })]);
		// Refused, so not pending: the next start does not send it again.
		expect(await outbox.pending(me)).toEqual([]);
	});

	it('stores a whole $state record, and later changes to it do not reach the stored copy', async () => {
		const live = $state(outgoing(2));
		await outbox.put(live);
		live.body = 'changed after storing';
		expect((await outbox.of(me, thread))[0].body).toBe('message 2');
	});

	it('keeps $state message rows as the last-seen copy', async () => {
		const rows = $state([message(1), message(2)]);
		await lastSeen.saveMessages(me, thread, rows);
		expect(await lastSeen.messages(me, thread)).toEqual([message(1), message(2)]);
	});
});

describe('moving unsent messages to the conversation the first message created', () => {
	it('moves every message of the new thread and leaves other threads alone', async () => {
		await outbox.put(outgoing(1, { thread: 'new:trainee' }));
		await outbox.put(outgoing(2, { thread: 'new:trainee' }));
		await outbox.put(outgoing(3, { thread: 'new:someone-else' }));
		await outbox.rethread(me, 'new:trainee', thread);
		expect((await outbox.of(me, thread)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
		expect(await outbox.of(me, 'new:trainee')).toEqual([]);
		expect(await outbox.of(me, 'new:someone-else')).toHaveLength(1);
	});
});
