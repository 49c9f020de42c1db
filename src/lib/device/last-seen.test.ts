import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as database from './database';
import * as lastSeen from './last-seen';
import * as outbox from './outbox';
import { me, message, other, outgoing, thread } from './test-records';

afterEach(() => database.destroy());

describe('what the device last saw', () => {
	it('keeps the newest messages of a conversation, oldest first', async () => {
		const rows = Array.from({ length: lastSeen.KEPT_MESSAGES + 10 }, (_, i) => message(i + 1));
		await lastSeen.saveMessages(me, thread, rows);
		const kept = await lastSeen.messages(me, thread);
		expect(kept).toHaveLength(lastSeen.KEPT_MESSAGES);
		expect(kept[0].seq).toBe(11);
		expect(kept.at(-1)?.seq).toBe(lastSeen.KEPT_MESSAGES + 10);
	});

	it('has nothing for a conversation never opened on this device', async () => {
		expect(await lastSeen.messages(me, thread)).toEqual([]);
		expect(await lastSeen.thread(me, thread)).toBeUndefined();
	});

	it('forgets one user’s last-seen data on sign-out, but not their unsent messages or another user’s data', async () => {
		await lastSeen.saveMessages(me, thread, [message(1)]);
		await lastSeen.saveInbox(me, { conversations: [], unreadTotal: 3 });
		await lastSeen.saveMessages(other, thread, [message(2)]);
		await outbox.put(outgoing(1));

		await lastSeen.forget(me);

		expect(await lastSeen.messages(me, thread)).toEqual([]);
		expect(await lastSeen.inbox(me)).toBeUndefined();
		expect(await lastSeen.messages(other, thread)).toEqual([message(2)]);
		expect(await outbox.of(me, thread)).toHaveLength(1);
	});
});
