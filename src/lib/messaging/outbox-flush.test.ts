import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from './api';
import { flushOutbox } from './outbox-flush';
import { closeOfflineStore, outboxOf, pendingOf, putOutgoing, type OutboxRecord } from './offline-store';

const me = '10000000-0000-4000-8000-000000000002';
const coach = '10000000-0000-4000-8000-000000000001';

function record(n: number, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
	return {
		id: `30000000-0000-4000-8000-00000000010${n}`,
		userId: me,
		thread: `thread-${n % 2}`,
		recipientId: coach,
		body: `message ${n}`,
		created_at: `2026-01-01T10:00:0${n}.000Z`,
		status: 'pending',
		error: null,
		...overrides
	};
}

afterEach(async () => {
	await closeOfflineStore();
	indexedDB.deleteDatabase('spotter');
});

describe('flushing the device outbox', () => {
	it('sends every pending message of the user, across threads, in the order written, and removes them', async () => {
		await putOutgoing(record(3));
		await putOutgoing(record(1));
		await putOutgoing(record(2));
		await putOutgoing(record(4, { userId: 'someone-else' }));
		const sent: string[] = [];
		const result = await flushOutbox(me, async (m) => {
			sent.push(m.body);
			return { ok: true, data: null };
		});
		expect(sent).toEqual(['message 1', 'message 2', 'message 3']);
		expect(result).toEqual({ sent: 3, refused: 0, stopped: false });
		expect(await pendingOf(me)).toEqual([]);
		expect(await pendingOf('someone-else')).toHaveLength(1);
	});

	it('stops at the first offline answer and keeps the rest pending', async () => {
		await putOutgoing(record(1));
		await putOutgoing(record(2));
		const offline: Result<unknown> = {
			ok: false,
			error: { code: 'offline', message: 'offline', retryable: true }
		};
		const result = await flushOutbox(me, async () => offline);
		expect(result).toEqual({ sent: 0, refused: 0, stopped: true });
		expect((await pendingOf(me)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
	});

	it('stops at a refusal worth retrying later (rate limit), so nothing is sent out of order', async () => {
		await putOutgoing(record(1));
		await putOutgoing(record(2));
		const later = { code: 'SP005', message: 'Too fast.', retryable: true };
		const sent: string[] = [];
		const result = await flushOutbox(me, async (m) => {
			sent.push(m.body);
			return { ok: false, error: later };
		});
		expect(sent).toEqual(['message 1']);
		expect(result).toEqual({ sent: 0, refused: 0, stopped: true });
		expect((await pendingOf(me)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
	});

	it('marks a refused message failed with its reason and goes on with the next', async () => {
		await putOutgoing(record(1));
		await putOutgoing(record(2));
		const archived = {
			code: 'SP002',
			message: 'This conversation is archived and read-only.',
			retryable: false
		};
		const result = await flushOutbox(me, async (m) =>
			m.body === 'message 1' ? { ok: false, error: archived } : { ok: true, data: null }
		);
		expect(result).toEqual({ sent: 1, refused: 1, stopped: false });
		const [kept] = await outboxOf(me, 'thread-1');
		expect(kept).toMatchObject({ status: 'failed', error: archived });
		expect(await pendingOf(me)).toEqual([]);
	});

	it('leaves failed messages alone: only the user retries them', async () => {
		await putOutgoing(record(1, { status: 'failed' }));
		let calls = 0;
		await flushOutbox(me, async () => {
			calls++;
			return { ok: true, data: null };
		});
		expect(calls).toBe(0);
	});
});
