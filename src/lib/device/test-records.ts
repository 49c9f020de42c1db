// Records for the device storage tests.
import type { MessageRow } from '$lib/schemas/rows';
import type { OutboxFile, OutboxRecord } from './outbox';

export const me = '10000000-0000-4000-8000-000000000002';
export const other = '10000000-0000-4000-8000-000000000003';
export const thread = '20000000-0000-4000-8000-000000000001';

export function outgoing(n: number, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
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

export function message(seq: number): MessageRow {
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

/** A prepared file kept beside `outgoing(n)`. */
export function keptFile(n: number, position: number, name = 'squat.jpg', userId = me): OutboxFile {
	const messageId = outgoing(n).id;
	return {
		path: `${userId}/${messageId}/${name}`,
		messageId,
		userId,
		name,
		position,
		blob: new Blob([`bytes of ${name}`], { type: 'image/jpeg' }),
		mime: 'image/jpeg',
		kind: 'image',
		meta: { width: 4, height: 3 },
		poster: new Blob(['poster'], { type: 'image/jpeg' })
	};
}
