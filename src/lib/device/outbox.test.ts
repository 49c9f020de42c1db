import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as database from './database';
import * as outbox from './outbox';
import { keptFile, outgoing, thread, me, other } from './test-records';

afterEach(() => database.destroy());

describe('the outbox on the device', () => {
	it('keeps messages written offline, in the order they were written, per user and thread', async () => {
		await outbox.put(outgoing(2));
		await outbox.put(outgoing(1));
		await outbox.put(outgoing(3, { thread: 'new:someone' }));
		await outbox.put(outgoing(4, { userId: other }));

		expect((await outbox.of(me, thread)).map((r) => r.body)).toEqual(['message 1', 'message 2']);
		expect((await outbox.of(me, 'new:someone')).map((r) => r.body)).toEqual(['message 3']);
		expect(await outbox.of(other, 'elsewhere')).toEqual([]);
	});

	it('survives closing and reopening the app (a new connection reads the same entries)', async () => {
		await outbox.put(outgoing(1));
		await database.close();
		expect(await outbox.of(me, thread)).toEqual([outgoing(1)]);
	});

	it('holds one entry per message id, so writing it again never makes a second message', async () => {
		await outbox.put(outgoing(1));
		await outbox.put(outgoing(1, { body: 'message 1' }));
		expect(await outbox.of(me, thread)).toHaveLength(1);
	});

	it('marks a refused message failed with the reason, and back to pending on retry', async () => {
		await outbox.put(outgoing(1));
		const reason = { code: 'SP005', message: 'You are sending too fast.', retryable: true };
		await outbox.setStatus(outgoing(1).id, 'failed', reason);
		expect(await outbox.of(me, thread)).toEqual([outgoing(1, { status: 'failed', error: reason })]);

		await outbox.setStatus(outgoing(1).id, 'pending', null);
		expect((await outbox.of(me, thread))[0]).toMatchObject({ status: 'pending', error: null });
	});

	it('does not bring back a message that was already sent when its status changes late', async () => {
		await outbox.put(outgoing(1));
		await outbox.remove([outgoing(1).id]);
		await outbox.setStatus(outgoing(1).id, 'failed', null);
		expect(await outbox.of(me, thread)).toEqual([]);
	});

	it('forgets sent or discarded messages and keeps the rest', async () => {
		await Promise.all([1, 2, 3].map((n) => outbox.put(outgoing(n))));
		await outbox.remove([outgoing(1).id, outgoing(3).id]);
		expect((await outbox.of(me, thread)).map((r) => r.body)).toEqual(['message 2']);
	});

	it('is read from the database a device already holds (same name, version and stores)', async () => {
		// What an installed app wrote before this code existed: database "spotter" v1, store "outbox".
		await new Promise<void>((resolve, reject) => {
			const request = indexedDB.open('spotter', 1);
			request.onupgradeneeded = () => {
				const store = request.result.createObjectStore('outbox', { keyPath: 'id' });
				store.createIndex('by-thread', ['userId', 'thread']);
				request.result.createObjectStore('last-seen');
			};
			request.onsuccess = () => {
				const tx = request.result.transaction('outbox', 'readwrite');
				tx.objectStore('outbox').put(outgoing(1));
				tx.oncomplete = () => {
					request.result.close();
					resolve();
				};
				tx.onerror = () => reject(tx.error);
			};
			request.onerror = () => reject(request.error);
		});
		expect(await outbox.pending(me)).toEqual([outgoing(1)]);
	});

	it('upgrades a device’s version 1 database to keep files, with its queued messages intact', async () => {
		await new Promise<void>((resolve, reject) => {
			const request = indexedDB.open('spotter', 1);
			request.onupgradeneeded = () => {
				const store = request.result.createObjectStore('outbox', { keyPath: 'id' });
				store.createIndex('by-thread', ['userId', 'thread']);
				request.result.createObjectStore('last-seen');
				store.put(outgoing(1));
			};
			request.onsuccess = () => {
				request.result.close();
				resolve();
			};
			request.onerror = () => reject(request.error);
		});
		await outbox.putFile(keptFile(1, 0));
		expect(await outbox.pending(me)).toEqual([outgoing(1)]);
		expect(await outbox.filesOf(outgoing(1).id)).toHaveLength(1);
	});
});

describe('the files of a message queued on the device', () => {
	it('are kept as prepared blobs beside the message and read back in the message’s order after a restart', async () => {
		await outbox.put(outgoing(1));
		await outbox.putFile(keptFile(1, 1, 'second.jpg'));
		await outbox.putFile(keptFile(1, 0, 'first.jpg'));
		await database.close();

		const files = await outbox.filesOf(outgoing(1).id);
		expect(files.map((f) => f.name)).toEqual(['first.jpg', 'second.jpg']);
		expect(files[0]).toMatchObject({ mime: 'image/jpeg', kind: 'image', meta: { width: 4, height: 3 } });
		expect(await files[0].blob.text()).toBe('bytes of first.jpg');
		expect(await files[0].poster?.text()).toBe('poster');
	});

	it('stay once the files are uploaded, until the message is stored; the message is marked ready to send', async () => {
		await outbox.put(outgoing(1));
		await outbox.putFile(keptFile(1, 0));
		const inputs = [{ path: keptFile(1, 0).path, name: 'squat.jpg', width: 4, height: 3 }];
		await outbox.filesUploaded(outgoing(1).id, inputs);
		expect(await outbox.filesOf(outgoing(1).id)).toHaveLength(1);
		expect((await outbox.pending(me))[0]).toMatchObject({ filesUploaded: true, attachments: inputs });
		await outbox.remove([outgoing(1).id]);
		expect(await outbox.filesOf(outgoing(1).id)).toEqual([]);
	});

	it('are to be uploaded again when Storage removed them before the message was stored', async () => {
		await outbox.put(outgoing(1));
		await outbox.putFile(keptFile(1, 0));
		await outbox.filesUploaded(outgoing(1).id, [{ path: keptFile(1, 0).path, name: 'squat.jpg' }]);
		const kept = await outbox.filesRemoved(outgoing(1).id);
		expect(kept.map((f) => f.path)).toEqual([keptFile(1, 0).path]);
		expect((await outbox.pending(me))[0]).toMatchObject({ filesUploaded: false });
		// Nothing kept (uploaded by a version that dropped its copies): nothing to upload again.
		await outbox.put(outgoing(2, { filesUploaded: true }));
		expect(await outbox.filesRemoved(outgoing(2).id)).toEqual([]);
		expect((await outbox.pending(me))[1]).toMatchObject({ filesUploaded: true });
	});

	it('go with their message when it is stored or discarded, and other messages keep theirs', async () => {
		await outbox.put(outgoing(1));
		await outbox.put(outgoing(2));
		await outbox.putFile(keptFile(1, 0));
		await outbox.putFile(keptFile(2, 0));
		await outbox.remove([outgoing(1).id]);
		expect(await outbox.filesOf(outgoing(1).id)).toEqual([]);
		expect(await outbox.filesOf(outgoing(2).id)).toHaveLength(1);
	});

	it('are not kept for a message already sent (nothing left behind), and are for one whose files are uploaded', async () => {
		await outbox.putFile(keptFile(1, 0));
		expect(await outbox.filesOf(outgoing(1).id)).toEqual([]);
		await outbox.put(outgoing(2, { filesUploaded: true }));
		await outbox.putFile(keptFile(2, 0));
		expect(await outbox.filesOf(outgoing(2).id)).toHaveLength(1);
	});

	it('leave the device with the account’s other unsent messages', async () => {
		await outbox.put(outgoing(1));
		await outbox.put(outgoing(2, { userId: other }));
		await outbox.putFile(keptFile(1, 0));
		await outbox.putFile(keptFile(2, 0, 'theirs.jpg', other));
		await outbox.forget(me);
		expect(await outbox.filesOf(outgoing(1).id)).toEqual([]);
		expect(await outbox.filesOf(outgoing(2).id)).toHaveLength(1);
	});

	it('tells a full disk apart from other storage failures', () => {
		expect(outbox.isQuotaExceeded(new DOMException('full', 'QuotaExceededError'))).toBe(true);
		expect(outbox.isQuotaExceeded(new DOMException('no', 'DataCloneError'))).toBe(false);
		expect(outbox.isQuotaExceeded(new Error('QuotaExceededError'))).toBe(false);
	});
});

describe('opening the device database', () => {
	it('gets every store even when an empty database was created first without a version', async () => {
		await new Promise<void>((resolve, reject) => {
			const request = indexedDB.open('spotter');
			request.onsuccess = () => {
				request.result.close();
				resolve();
			};
			request.onerror = () => reject(request.error);
		});
		await outbox.put(outgoing(1));
		await outbox.putFile(keptFile(1, 0));
		expect(await outbox.pending(me)).toEqual([outgoing(1)]);
		expect(await outbox.filesOf(outgoing(1).id)).toHaveLength(1);
	});
});
