import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '$lib/data/result';
import * as database from '$lib/device/database';
import * as outbox from '$lib/device/outbox';
import { keptFile, me, outgoing } from '$lib/device/test-records';
import { flushOutbox } from './outbox-flush';
import { uploadingInChat } from './uploading';

/** Pending messages in two threads, as the app writes them. */
const record = (n: number, overrides: Parameters<typeof outgoing>[1] = {}) =>
	outgoing(n, { thread: `thread-${n % 2}`, ...overrides });

afterEach(() => {
	vi.unstubAllGlobals();
	return database.destroy();
});

/** Storage as the upload sees it (a unit test has no browser): the keys uploaded, each answered 200. */
function fakeStorage(): { uploaded: string[] } {
	const uploaded: string[] = [];
	class Xhr {
		status = 0;
		responseText = '';
		upload: { onprogress?: (e: { loaded: number }) => void } = {};
		onload?: () => void;
		onerror?: () => void;
		onabort?: () => void;
		#url = '';
		open(_method: string, url: string) {
			this.#url = url;
		}
		setRequestHeader() {}
		send() {
			setTimeout(() => {
				uploaded.push(decodeURIComponent(this.#url.replace(/^.*\/object\/attachments\//, '')));
				this.status = 200;
				this.onload?.();
			});
		}
		abort() {}
	}
	vi.stubGlobal('XMLHttpRequest', Xhr);
	return { uploaded };
}

const storageTarget = async () => ({ url: 'http://storage.test', apikey: 'key', token: async () => 'token' });

/** send_message's answer when a file it is told about is not in Storage. */
const fileMissing: Result<unknown> = {
	ok: false,
	error: { code: 'SP201', message: 'A file of this message is missing', retryable: false }
};

/** Flushes to `storageTarget`, `answer` being send_message's answer to each message: what was sent. */
async function flushAnswering(answer: (m: { body: string; attachments?: unknown }) => Result<unknown>) {
	const sent: string[] = [];
	const result = await flushOutbox(
		me,
		async (m) => {
			sent.push(m.body);
			return answer(m);
		},
		storageTarget
	);
	return { sent, result };
}

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

	it('uploads again from the device a message’s files that Storage removed before it was stored, and sends it once more', async () => {
		const storage = fakeStorage();
		const file = keptFile(1, 0);
		const inputs = [{ path: file.path, name: file.name, width: 4, height: 3 }];
		await outbox.put(record(1, { attachments: inputs, filesUploaded: true }));
		await outbox.putFile(file);
		await outbox.put(record(2));
		// Storage removed the upload a day after it was made: the first send is refused.
		const answers = [fileMissing];
		const { sent, result } = await flushAnswering(() => answers.shift() ?? { ok: true, data: null });
		expect(storage.uploaded).toEqual([file.path, `${me}/${file.messageId}/squat.poster.jpg`]);
		expect(sent).toEqual(['message 1', 'message 1', 'message 2']);
		expect(result).toEqual({ sent: 2, refused: 0, stopped: false });
		expect(await outbox.pending(me)).toEqual([]);
		expect(await outbox.filesOf(file.messageId)).toEqual([]);
	});

	it('refuses, once, a message whose removed files the device did not keep, and goes on with the next', async () => {
		const storage = fakeStorage();
		await outbox.put(
			record(1, { attachments: [{ path: keptFile(1, 0).path, name: 'squat.jpg' }], filesUploaded: true })
		);
		await outbox.put(record(2));
		const { sent, result } = await flushAnswering((m) =>
			m.attachments ? fileMissing : { ok: true, data: null }
		);
		expect(storage.uploaded).toEqual([]);
		expect(sent).toEqual(['message 1', 'message 2']);
		expect(result).toEqual({ sent: 1, refused: 1, stopped: false });
		// Nothing to upload it from: only discarding it is offered.
		expect(await outbox.of(me, record(1).thread)).toMatchObject([
			{ status: 'failed', error: { code: 'SP201', retryable: false } }
		]);
	});

	it('refuses a message whose files are missing again right after they were uploaded again (no loop), and offers a retry: the device still has them', async () => {
		const storage = fakeStorage();
		const file = keptFile(1, 0, 'set.jpg');
		await outbox.put(record(1, { attachments: [{ path: file.path, name: file.name }], filesUploaded: true }));
		await outbox.putFile({ ...file, poster: null });
		const { sent, result } = await flushAnswering(() => fileMissing);
		expect(sent).toEqual(['message 1', 'message 1']);
		expect(storage.uploaded).toEqual([file.path]);
		expect(result).toEqual({ sent: 0, refused: 1, stopped: false });
		expect(await outbox.of(me, record(1).thread)).toMatchObject([
			{ status: 'failed', error: { code: 'SP201', retryable: true } }
		]);
		expect((await outbox.filesOf(record(1).id)).map((f) => f.path)).toEqual([file.path]);
	});

	it('leaves a message whose removed files an open chat uploads again to that chat: no refusal, those after it wait', async () => {
		const file = keptFile(1, 0);
		await outbox.put(record(1, { attachments: [{ path: file.path, name: file.name }], filesUploaded: true }));
		await outbox.putFile(file);
		await outbox.put(record(2));
		const { sent, result } = await flushAnswering(() => {
			// The chat learns of the removal at the same moment and uploads the file again.
			uploadingInChat.add(record(1).id);
			return fileMissing;
		});
		uploadingInChat.delete(record(1).id);
		expect(sent).toEqual(['message 1']);
		expect(result).toEqual({ sent: 0, refused: 0, stopped: true });
		expect(await outbox.of(me, record(1).thread)).toMatchObject([{ status: 'pending' }]);
	});
});
