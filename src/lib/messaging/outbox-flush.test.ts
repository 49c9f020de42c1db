import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '$lib/data/result';
import * as database from '$lib/device/database';
import * as outbox from '$lib/device/outbox';
import { me, outgoing } from '$lib/device/test-records';
import { flushOutbox, uploadingInChat } from './outbox-flush';

/** Pending messages in two threads, as the app writes them. */
const record = (n: number, overrides: Parameters<typeof outgoing>[1] = {}) =>
	outgoing(n, { thread: `thread-${n % 2}`, ...overrides });

afterEach(() => database.destroy());

describe('flushing the device outbox', () => {
	it('sends every pending message of the user, across threads, in the order written, and removes them', async () => {
		await outbox.put(record(3));
		await outbox.put(record(1));
		await outbox.put(record(2));
		await outbox.put(record(4, { userId: 'someone-else' }));
		const sent: string[] = [];
		const result = await flushOutbox(me, async (m) => {
			sent.push(m.body);
			return { ok: true, data: null };
		});
		expect(sent).toEqual(['message 1', 'message 2', 'message 3']);
		expect(result).toEqual({ sent: 3, refused: 0, stopped: false });
		expect(await outbox.pending(me)).toEqual([]);
		expect(await outbox.pending('someone-else')).toHaveLength(1);
	});

	it('holds a message whose files are still uploading (and those after it), then sends it with its files', async () => {
		const files = [{ path: `${me}/m1/squat.jpg`, name: 'squat.jpg', width: 800, height: 600 }];
		await outbox.put(record(1, { attachments: files }));
		await outbox.put(record(2));
		const sent: { body: string; attachments?: unknown }[] = [];
		const send = async (m: { body: string; attachments?: unknown }) => {
			sent.push({ body: m.body, attachments: m.attachments });
			return { ok: true as const, data: null };
		};
		expect(await flushOutbox(me, send)).toEqual({ sent: 0, refused: 0, stopped: true });
		expect(sent).toEqual([]);

		await outbox.filesUploaded(record(1).id, files);
		expect(await flushOutbox(me, send)).toEqual({ sent: 2, refused: 0, stopped: false });
		expect(sent).toEqual([
			{ body: 'message 1', attachments: files },
			{ body: 'message 2', attachments: undefined }
		]);
	});

	it('stops at the first offline answer and keeps the rest pending', async () => {
		await outbox.put(record(1));
		await outbox.put(record(2));
		const offline: Result<unknown> = {
			ok: false,
			error: { code: 'offline', message: 'offline', retryable: true }
		};
		const result = await flushOutbox(me, async () => offline);
		expect(result).toEqual({ sent: 0, refused: 0, stopped: true });
		expect((await outbox.pending(me)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
	});

	it('stops at a refusal worth retrying later (rate limit), so nothing is sent out of order', async () => {
		await outbox.put(record(1));
		await outbox.put(record(2));
		const later = { code: 'SP005', message: 'Too fast.', retryable: true };
		const sent: string[] = [];
		const result = await flushOutbox(me, async (m) => {
			sent.push(m.body);
			return { ok: false, error: later };
		});
		expect(sent).toEqual(['message 1']);
		expect(result).toEqual({ sent: 0, refused: 0, stopped: true });
		expect((await outbox.pending(me)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
	});

	it('marks a refused message failed with its reason and goes on with the next', async () => {
		await outbox.put(record(1));
		await outbox.put(record(2));
		const archived = {
			code: 'SP002',
			message: 'This conversation is archived and read-only.',
			retryable: false
		};
		const result = await flushOutbox(me, async (m) =>
			m.body === 'message 1' ? { ok: false, error: archived } : { ok: true, data: null }
		);
		expect(result).toEqual({ sent: 1, refused: 1, stopped: false });
		const [kept] = await outbox.of(me, 'thread-1');
		expect(kept).toMatchObject({ status: 'failed', error: archived });
		expect(await outbox.pending(me)).toEqual([]);
	});

	it('leaves failed messages alone: only the user retries them', async () => {
		await outbox.put(record(1, { status: 'failed' }));
		let calls = 0;
		await flushOutbox(me, async () => {
			calls++;
			return { ok: true, data: null };
		});
		expect(calls).toBe(0);
	});

	it('leaves a message whose files an open chat in this tab uploads to that chat, and holds those after it', async () => {
		const files = [{ path: `${me}/m1/squat.jpg`, name: 'squat.jpg' }];
		await outbox.put(record(1, { attachments: files }));
		await outbox.put(record(2));
		uploadingInChat.add(record(1).id);
		let asked = 0;
		const sent: string[] = [];
		const result = await flushOutbox(
			me,
			async (m) => {
				sent.push(m.body);
				return { ok: true, data: null };
			},
			async () => {
				asked++;
				throw new Error('the flush must not upload what the chat uploads');
			}
		);
		uploadingInChat.delete(record(1).id);
		expect(result).toEqual({ sent: 0, refused: 0, stopped: true });
		expect(sent).toEqual([]);
		expect(asked).toBe(0);
	});

	it('sends a message from an earlier run whose files all reached Storage before the app closed', async () => {
		// Nothing kept beside it: each kept file is removed only once it is uploaded.
		const files = [{ path: `${me}/m1/squat.jpg`, name: 'squat.jpg', width: 800, height: 600 }];
		await outbox.put(record(1, { attachments: files }));
		const sent: unknown[] = [];
		const result = await flushOutbox(
			me,
			async (m) => {
				sent.push(m.attachments);
				return { ok: true, data: null };
			},
			async () => ({ url: 'http://127.0.0.1:9', apikey: 'key', token: async () => 'token' })
		);
		expect(result).toEqual({ sent: 1, refused: 0, stopped: false });
		expect(sent).toEqual([files]);
		expect(await outbox.pending(me)).toEqual([]);
	});
});
