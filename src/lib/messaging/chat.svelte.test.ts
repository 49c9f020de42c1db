// The send side of a chat, with its state as the browser runs it ($state proxies) and the device
// outbox on fake-indexeddb. The database is faked here (this is a unit test of the chat's queue):
// `send_message` and `seconds_until_sending` answer as the real functions do.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as database from '$lib/device/database';
import * as lastSeen from '$lib/device/last-seen';
import * as outbox from '$lib/device/outbox';
import type { Message } from '$lib/schemas/rows';
import type { Supabase } from '$lib/supabase/types';
import { Chat, newThread } from './chat.svelte';

const me = '10000000-0000-4000-8000-000000000001';
const trainee = '10000000-0000-4000-8000-000000000002';
const conversationId = '20000000-0000-4000-8000-000000000009';

interface FakeDatabase {
	supabase: Supabase;
	stored: Message[];
	calls: string[];
	/** touch_last_seen answers 503 from now on (true) or records the time again (false). */
	failTouch(fails: boolean): void;
	/** Sends the database refuses with SP005 from now on, and how long it says to wait. */
	limit(seconds: number): void;
	unlimit(): void;
}

/** A table read (reactions, files, …) that finds nothing, whatever the filters. */
const nothing: unknown = new Proxy(() => {}, {
	get: (_, key) =>
		key === 'then'
			? (resolve: (r: unknown) => void) => resolve({ data: [], error: null, status: 200 })
			: () => nothing
});

/** The two RPCs the send side uses, answering like supabase-js (`{ data, error, status }`). */
function fakeDatabase(): FakeDatabase {
	const stored: Message[] = [];
	const calls: string[] = [];
	let limitedFor = 0;
	let touchFails = false;
	const rpc = async (name: string, args: Record<string, string>) => {
		calls.push(name);
		await new Promise((r) => setTimeout(r, 5));
		if (name === 'seconds_until_sending') return { data: limitedFor, error: null, status: 200 };
		if (name === 'touch_last_seen') {
			return touchFails
				? { data: null, error: { code: '08006', message: 'connection failure' }, status: 503 }
				: { data: new Date().toISOString(), error: null, status: 200 };
		}
		if (name !== 'send_message') throw new Error(`unexpected rpc ${name}`);
		const again = stored.find((m) => m.id === args.message_id);
		if (again) return { data: again, error: null, status: 200 };
		if (limitedFor > 0) {
			return { data: null, error: { code: 'SP005', message: 'too fast' }, status: 400 };
		}
		// As send_message answers: the message row, with its reply, edit and delete state.
		const row: Message = {
			id: args.message_id,
			conversation_id: conversationId,
			seq: stored.length + 1,
			sender_id: me,
			body: args.body,
			created_at: new Date().toISOString(),
			read_at: null,
			reply_to_id: null,
			edited_at: null,
			deleted_at: null
		};
		stored.push(row);
		return { data: row, error: null, status: 200 };
	};
	return {
		supabase: { rpc, from: () => nothing } as unknown as Supabase,
		stored,
		calls,
		failTouch: (fails) => (touchFails = fails),
		limit: (seconds) => (limitedFor = seconds),
		unlimit: () => (limitedFor = 0)
	};
}

function newChat(db: FakeDatabase, onCreated?: (id: string) => void) {
	return new Chat({
		supabase: db.supabase,
		me,
		recipientId: trainee,
		conversationId: null,
		initial: [],
		hasOlder: false,
		onCreated
	});
}

/** The trainee's message number `seq` in `conversation`, as the database returns it. */
function fromTrainee(conversation: string, seq: number, fields: Partial<Message>): Message {
	return {
		id: `30000000-0000-4000-8000-00000000030${seq}`,
		conversation_id: conversation,
		seq,
		sender_id: trainee,
		body: '',
		created_at: new Date().toISOString(),
		read_at: null,
		reply_to_id: null,
		edited_at: null,
		deleted_at: null,
		...fields
	};
}

beforeEach(() => {
	vi.stubGlobal('navigator', { onLine: true });
});
afterEach(async () => {
	vi.useRealTimers();
	vi.unstubAllGlobals();
	await database.destroy();
});

describe('sending the first messages of a new conversation', () => {
	it('sends two messages written 30 ms apart once each, in order, and creates the conversation once', async () => {
		const db = fakeDatabase();
		const created: string[] = [];
		const chat = newChat(db, (id) => created.push(id));
		expect(chat.thread).toBe(newThread(trainee));
		chat.send('Welcome aboard!');
		await new Promise((r) => setTimeout(r, 30));
		chat.send('Here is the plan');
		await vi.waitFor(() => expect(chat.messages).toHaveLength(2));
		expect(db.stored.map((m) => m.body)).toEqual(['Welcome aboard!', 'Here is the plan']);
		expect(chat.outgoing).toEqual([]);
		expect(created).toEqual([conversationId]);
		expect(chat.conversationId).toBe(conversationId);
		// Later messages (and any left unsent) belong to the conversation now.
		expect(chat.thread).toBe(conversationId);
		await vi.waitFor(async () => expect(await outbox.pending(me)).toEqual([]));
	});

	it('moves what is still unsent to the conversation’s thread when the first message creates it', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		await outbox.put({
			id: '30000000-0000-4000-8000-000000000077',
			userId: me,
			thread: newThread(trainee),
			recipientId: trainee,
			body: 'written before, still pending',
			created_at: new Date(Date.now() + 60_000).toISOString(),
			status: 'failed',
			error: { code: 'SP002', message: 'archived', retryable: false }
		});
		chat.send('First!');
		await vi.waitFor(() => expect(chat.conversationId).toBe(conversationId));
		await vi.waitFor(async () =>
			expect((await outbox.of(me, conversationId)).map((r) => r.body)).toEqual([
				'written before, still pending'
			])
		);
		expect(await outbox.of(me, newThread(trainee))).toEqual([]);
	});
});

describe('the rate limit', () => {
	it('fails the refused message, learns from the database when sending works again, and holds what follows until then', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		db.limit(2);
		chat.send('one too many');
		await vi.waitFor(() => expect(chat.outgoing[0]?.status).toBe('failed'));
		expect(chat.outgoing[0].error?.code).toBe('SP005');
		await vi.waitFor(() => expect(chat.sendingResumesAt).not.toBeNull());
		const wait = chat.sendingResumesAt! - Date.now();
		expect(wait).toBeGreaterThan(1500);
		expect(wait).toBeLessThanOrEqual(2600);
		// Its failure is on the device, so the next start does not send it again.
		await vi.waitFor(async () => expect((await outbox.of(me, chat.thread))[0]?.status).toBe('failed'));
		expect(await outbox.pending(me)).toEqual([]);
		expect(chat.storageError).toBeNull();

		// Retry and a new message wait for the window instead of being refused again.
		const sendsBefore = db.calls.filter((c) => c === 'send_message').length;
		chat.retry(chat.outgoing[0].id);
		chat.send('and another');
		await new Promise((r) => setTimeout(r, 300));
		expect(chat.outgoing.map((m) => m.status)).toEqual(['waiting', 'waiting']);
		expect(db.calls.filter((c) => c === 'send_message').length).toBe(sendsBefore);

		db.unlimit();
		await vi.waitFor(() => expect(chat.outgoing).toEqual([]), { timeout: 4000 });
		expect(db.stored.map((m) => m.body)).toEqual(['one too many', 'and another']);
		expect(chat.sendingResumesAt).toBeNull();
	});

	it('ends the countdown when the window opens, even with nothing waiting', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		db.limit(1);
		chat.send('refused');
		await vi.waitFor(() => expect(chat.sendingResumesAt).not.toBeNull());
		db.unlimit();
		await vi.waitFor(() => expect(chat.sendingResumesAt).toBeNull(), { timeout: 3000 });
		// The refused message stays refused until the user retries it.
		expect(chat.outgoing.map((m) => m.status)).toEqual(['failed']);
		expect(db.stored).toEqual([]);
	});
});

describe('device storage', () => {
	it('reports a real storage failure apart from other errors, until dismissed', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		const put = vi.spyOn(outbox, 'put').mockRejectedValueOnce(new DOMException('full', 'QuotaExceededError'));
		const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
		chat.send('not kept');
		await vi.waitFor(() => expect(chat.storageError?.code).toBe('device-storage'));
		expect(chat.error).toBeNull();
		expect(logged).toHaveBeenCalled();
		chat.dismissStorageError();
		expect(chat.storageError).toBeNull();
		put.mockRestore();
	});
});

describe('message actions', () => {
	it('sends a reply with the original’s id, through the outbox like any message', async () => {
		const db = fakeDatabase();
		const sent: Record<string, string>[] = [];
		const rpc = (db.supabase as unknown as { rpc: (n: string, a: Record<string, string>) => unknown }).rpc;
		(db.supabase as unknown as { rpc: unknown }).rpc = (name: string, args: Record<string, string>) => {
			if (name === 'send_message') sent.push(args);
			return rpc(name, args);
		};
		const chat = newChat(db);
		chat.send('Yes, 5x5', '30000000-0000-4000-8000-000000000001');
		await vi.waitFor(() => expect(chat.messages).toHaveLength(1));
		expect(sent[0]?.reply_to_id).toBe('30000000-0000-4000-8000-000000000001');
	});

	it('offline, an edit, a deletion or a reaction is refused at once, without asking the server', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		vi.stubGlobal('navigator', { onLine: false });
		for (const refused of [
			await chat.edit('x', 'new text'),
			await chat.remove('x'),
			await chat.react('x', '👍')
		]) {
			expect(refused).toMatchObject({
				code: 'offline',
				message: expect.stringContaining('need a connection')
			});
		}
		expect(db.calls).toEqual([]);
	});

	it('shows the database’s refusal of an edit as its sentence, and keeps the message as it was', async () => {
		const held: Message = {
			id: '30000000-0000-4000-8000-000000000009',
			conversation_id: conversationId,
			seq: 1,
			sender_id: me,
			body: 'old text',
			created_at: new Date(Date.now() - 3_600_000).toISOString(),
			read_at: null,
			reply_to_id: null,
			edited_at: null,
			deleted_at: null
		};
		const supabase = {
			rpc: async () => ({
				data: null,
				error: { code: 'SP103', message: 'a message can be edited only within 15 minutes' },
				status: 400
			})
		} as unknown as Supabase;
		const chat = new Chat({
			supabase,
			me,
			recipientId: trainee,
			conversationId,
			initial: [held],
			hasOlder: false
		});
		const refused = await chat.edit(held.id, 'new text');
		expect(refused?.message).toBe('Messages can only be edited within 15 minutes of sending.');
		expect(chat.messages[0]?.body).toBe('old text');
	});
});

describe('catching up', () => {
	it('reads again by itself, backing off, when the server could not reach its database, and clears the error once it could', async () => {
		vi.useFakeTimers();
		const stored: Message = {
			id: '30000000-0000-4000-8000-000000000101',
			conversation_id: conversationId,
			seq: 1,
			sender_id: trainee,
			body: 'sent while the database was away',
			created_at: new Date().toISOString(),
			read_at: null,
			reply_to_id: null,
			edited_at: null,
			deleted_at: null
		};
		let unavailable = 2;
		const reads: number[] = [];
		const supabase = {
			rpc: async (name: string) => {
				if (name !== 'list_messages') return { data: [], error: null, status: 200 };
				reads.push(Date.now());
				if (unavailable-- > 0) {
					// localbase and PostgREST answer a lost database connection like this.
					return {
						data: null,
						error: { code: 'PGRST001', message: 'Database client error. Retrying the connection.' },
						status: 503
					};
				}
				return { data: [stored], error: null, status: 200 };
			},
			from: () => nothing
		} as unknown as Supabase;
		const chat = new Chat({
			supabase,
			me,
			recipientId: trainee,
			conversationId,
			initial: [],
			hasOlder: false
		});

		await chat.catchUp();
		expect(chat.error?.code).toBe('unavailable');
		expect(chat.messages).toEqual([]);
		await vi.advanceTimersByTimeAsync(1000);
		expect(reads).toHaveLength(2);
		// The second wait is longer than the first.
		await vi.advanceTimersByTimeAsync(1000);
		expect(reads).toHaveLength(2);
		await vi.advanceTimersByTimeAsync(1000);
		expect(reads).toHaveLength(3);
		expect(chat.messages.map((m) => m.body)).toEqual(['sent while the database was away']);
		expect(chat.error).toBeNull();
		// Caught up: nothing more is read until something asks.
		await vi.advanceTimersByTimeAsync(60_000);
		expect(reads).toHaveLength(3);
	});
});

describe('device writes', () => {
	it('a send does not wait behind the device copy of the conversation being rewritten', async () => {
		const db = fakeDatabase();
		// The copy written after an arrival takes as long as the test says.
		let release = () => {};
		const copying = new Promise<void>((resolve) => (release = resolve));
		const saveMessages = vi.spyOn(lastSeen, 'saveMessages').mockImplementation(() => copying);
		const chat = new Chat({
			supabase: db.supabase,
			me,
			recipientId: trainee,
			conversationId,
			initial: [],
			hasOlder: false
		});
		chat.showLoaded([
			{
				id: '30000000-0000-4000-8000-000000000201',
				conversation_id: conversationId,
				seq: 1,
				sender_id: trainee,
				body: 'How heavy today?',
				created_at: new Date().toISOString(),
				read_at: null,
				reply_to_id: null,
				edited_at: null,
				deleted_at: null
			}
		]);
		await vi.waitFor(() => expect(saveMessages).toHaveBeenCalled());
		chat.send('Same as Monday');
		await vi.waitFor(() => expect(db.stored.map((m) => m.body)).toEqual(['Same as Monday']));
		release();
		saveMessages.mockRestore();
	});
	it('a text message leaves while the device still stores its row, and the row goes only once it was stored', async () => {
		const db = fakeDatabase();
		// The device takes as long as the test says to store the row.
		let store = () => {};
		const storing = new Promise<void>((resolve) => (store = resolve));
		const put = outbox.put;
		const putSpy = vi.spyOn(outbox, 'put').mockImplementation(async (record) => {
			await storing;
			await put(record);
		});
		const chat = newChat(db);
		chat.send('Warm-up first');
		await vi.waitFor(() => expect(db.stored.map((m) => m.body)).toEqual(['Warm-up first']));
		expect(await outbox.pending(me)).toEqual([]);
		store();
		// Its removal is queued behind its write: the device does not keep a sent message.
		await vi.waitFor(() => expect(putSpy).toHaveBeenCalledTimes(1));
		await new Promise((r) => setTimeout(r, 20));
		expect(await outbox.pending(me)).toEqual([]);
		putSpy.mockRestore();
	});
});

describe('typing', () => {
	it('ends with the message, told once its request is answered and not beside it', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		const told: { active: boolean; stored: number }[] = [];
		const tell = chat.typing.bind(chat);
		const typing = vi.spyOn(chat, 'typing').mockImplementation((active) => {
			told.push({ active, stored: db.stored.length });
			tell(active);
		});
		chat.send('Done for today');
		expect(told).toEqual([]);
		await vi.waitFor(() => expect(told).toEqual([{ active: false, stored: 1 }]));
		typing.mockRestore();
	});

	it('goes on when the next message is started before the first is answered', async () => {
		const db = fakeDatabase();
		const chat = newChat(db);
		const told: boolean[] = [];
		const tell = chat.typing.bind(chat);
		const typing = vi.spyOn(chat, 'typing').mockImplementation((active) => {
			told.push(active);
			tell(active);
		});
		chat.send('First line');
		chat.typing(true);
		await vi.waitFor(() => expect(db.stored).toHaveLength(1));
		await new Promise((r) => setTimeout(r, 20));
		expect(told).toEqual([true]);
		typing.mockRestore();
	});
});

describe('last seen', () => {
	it('asks the database to record my activity at most once a minute, and again after a failure', async () => {
		vi.useFakeTimers({ now: new Date('2026-11-30T08:00:00Z'), toFake: ['Date'] });
		vi.spyOn(console, 'warn').mockImplementation(() => {});
		const db = fakeDatabase();
		const chat = newChat(db);
		const touches = () => db.calls.filter((c) => c === 'touch_last_seen').length;
		await chat.touch();
		await chat.touch();
		vi.setSystemTime(new Date('2026-11-30T08:00:59Z'));
		await chat.touch();
		expect(touches()).toBe(1);
		vi.setSystemTime(new Date('2026-11-30T08:01:01Z'));
		db.failTouch(true);
		await chat.touch();
		expect(touches()).toBe(2);
		// Not recorded: the next activity asks again at once.
		db.failTouch(false);
		await chat.touch();
		await chat.touch();
		expect(touches()).toBe(3);
	});
});

describe('the device copy of the conversation', () => {
	it('is written at the first change, then once for the burst that follows, with the messages held at its end', async () => {
		const db = fakeDatabase();
		// A conversation of its own: an earlier test's chat may still write its copy meanwhile.
		const conversationId = '20000000-0000-4000-8000-000000000031';
		const saveMessages = vi.spyOn(lastSeen, 'saveMessages');
		const chat = new Chat({
			supabase: db.supabase,
			me,
			recipientId: trainee,
			conversationId,
			initial: [],
			hasOlder: false
		});
		const row = (seq: number, body: string) => fromTrainee(conversationId, seq, { body });
		const writes = () =>
			saveMessages.mock.calls.filter((c) => c[1] === conversationId).map((c) => c[2].map((m) => m.body));
		chat.showLoaded([row(1, 'Warm-up done')]);
		chat.showLoaded([row(1, 'Warm-up done'), row(2, 'Starting squats')]);
		chat.showLoaded([row(1, 'Warm-up done'), row(2, 'Starting squats'), row(3, 'Five sets?')]);
		await vi.waitFor(() => expect(writes()).toHaveLength(2));
		expect(writes()).toEqual([['Warm-up done'], ['Warm-up done', 'Starting squats', 'Five sets?']]);
		await vi.waitFor(async () =>
			expect((await lastSeen.messages(me, conversationId)).map((m) => m.body)).toEqual(writes()[1])
		);
		saveMessages.mockRestore();
	});
});

describe('files of messages', () => {
	it('asks the database for the files only of messages sent with some', async () => {
		const db = fakeDatabase();
		const tables: string[] = [];
		const supabase = {
			...db.supabase,
			from: (table: string) => {
				tables.push(table);
				return nothing;
			}
		} as unknown as Supabase;
		const chat = new Chat({
			supabase,
			me,
			recipientId: trainee,
			conversationId,
			initial: [],
			hasOlder: false
		});
		const row = (seq: number, files: number) =>
			fromTrainee(conversationId, seq, { body: files ? '' : 'text only', attachment_count: files });
		chat.showLoaded([row(1, 0)]);
		await new Promise((r) => setTimeout(r, 20));
		expect(tables.filter((t) => t === 'message_attachments')).toEqual([]);
		chat.showLoaded([row(2, 1)]);
		await vi.waitFor(() => expect(tables.filter((t) => t === 'message_attachments')).toHaveLength(1));
	});
});
