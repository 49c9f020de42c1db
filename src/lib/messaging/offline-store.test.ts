import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
	KEPT_MESSAGES,
	closeOfflineStore,
	forgetLastSeen,
	lastSeen,
	outboxOf,
	putOutgoing,
	removeOutgoing,
	setOutgoingStatus,
	type OutboxRecord
} from './offline-store';
import type { MessageRow } from './schema';

const me = '10000000-0000-4000-8000-000000000002';
const other = '10000000-0000-4000-8000-000000000003';
const thread = '20000000-0000-4000-8000-000000000001';

function outgoing(n: number, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
	return {
		id: `30000000-0000-4000-8000-00000000000${n}`,
		userId: me,
		thread,
		recipientId: '10000000-0000-4000-8000-000000000001',
		body: `message ${n}`,
		created_at: `2026-01-01T10:00:0${n}.000Z`,
		status: 'pending',
		error: null,
		...overrides
	};
}

function message(seq: number): MessageRow {
	return {
		id: `40000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
		conversation_id: thread,
		seq,
		sender_id: me,
		body: `stored ${seq}`,
		created_at: '2026-01-01T10:00:00.000Z',
		read_at: null
	};
}

afterEach(async () => {
	await closeOfflineStore();
	await new Promise<void>((resolve, reject) => {
		const request = indexedDB.deleteDatabase('spotter');
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error);
	});
});

describe('the outbox on the device', () => {
	it('keeps messages written offline, in the order they were written, per user and thread', async () => {
		await putOutgoing(outgoing(2));
		await putOutgoing(outgoing(1));
		await putOutgoing(outgoing(3, { thread: 'new:someone' }));
		await putOutgoing(outgoing(4, { userId: other }));

		expect((await outboxOf(me, thread)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
		expect((await outboxOf(me, 'new:someone')).map((r) => r.body)).toEqual(['message 3']);
		expect(await outboxOf(other, 'elsewhere')).toEqual([]);
	});

	it('survives closing and reopening the app (a new connection reads the same entries)', async () => {
		await putOutgoing(outgoing(1));
		await closeOfflineStore();
		expect(await outboxOf(me, thread)).toEqual([outgoing(1)]);
	});

	it('holds one entry per message id, so writing it again never makes a second message', async () => {
		await putOutgoing(outgoing(1));
		await putOutgoing(outgoing(1, { body: 'message 1' }));
		expect(await outboxOf(me, thread)).toHaveLength(1);
	});

	it('marks a refused message failed with the reason, and back to pending on retry', async () => {
		await putOutgoing(outgoing(1));
		const reason = { code: 'SP005', message: 'You are sending too fast.', retryable: true };
		await setOutgoingStatus(outgoing(1).id, 'failed', reason);
		expect(await outboxOf(me, thread)).toEqual([outgoing(1, { status: 'failed', error: reason })]);

		await setOutgoingStatus(outgoing(1).id, 'pending', null);
		expect((await outboxOf(me, thread))[0]).toMatchObject({ status: 'pending', error: null });
	});

	it('does not bring back a message that was already sent when its status changes late', async () => {
		await putOutgoing(outgoing(1));
		await removeOutgoing([outgoing(1).id]);
		await setOutgoingStatus(outgoing(1).id, 'failed', null);
		expect(await outboxOf(me, thread)).toEqual([]);
	});

	it('forgets sent or discarded messages and keeps the rest', async () => {
		await Promise.all([1, 2, 3].map((n) => putOutgoing(outgoing(n))));
		await removeOutgoing([outgoing(1).id, outgoing(3).id]);
		expect((await outboxOf(me, thread)).map((r) => r.body)).toEqual(['message 2']);
	});
});

describe('what the device last saw', () => {
	it('keeps the newest messages of a conversation, oldest first', async () => {
		const rows = Array.from({ length: KEPT_MESSAGES + 10 }, (_, i) => message(i + 1));
		await lastSeen.saveMessages(me, thread, rows);
		const kept = await lastSeen.messages(me, thread);
		expect(kept).toHaveLength(KEPT_MESSAGES);
		expect(kept[0].seq).toBe(11);
		expect(kept.at(-1)?.seq).toBe(KEPT_MESSAGES + 10);
	});

	it('has nothing for a conversation never opened on this device', async () => {
		expect(await lastSeen.messages(me, thread)).toEqual([]);
		expect(await lastSeen.thread(me, thread)).toBeUndefined();
	});

	it('forgets one user’s last-seen data on sign-out, but not their unsent messages or another user’s data', async () => {
		await lastSeen.saveMessages(me, thread, [message(1)]);
		await lastSeen.saveInbox(me, { conversations: [], unreadTotal: 3 });
		await lastSeen.saveMessages(other, thread, [message(2)]);
		await putOutgoing(outgoing(1));

		await forgetLastSeen(me);

		expect(await lastSeen.messages(me, thread)).toEqual([]);
		expect(await lastSeen.inbox(me)).toBeUndefined();
		expect(await lastSeen.messages(other, thread)).toEqual([message(2)]);
		expect(await outboxOf(me, thread)).toHaveLength(1);
	});
});
