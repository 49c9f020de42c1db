// One open conversation: its history (oldest first, by seq), the messages on their way out,
// the other party's typing, and the live `conversation:<id>` channel. Realtime events are hints;
// after every (re)join the chat fetches everything after the newest message it holds.
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { Supabase } from '$lib/supabase/types';
import { freshenRealtimeAuth, onHint, whenBack, type LiveState } from '$lib/supabase/realtime';
import * as conversations from '$lib/data/conversations';
import * as messages from '$lib/data/messages';
import * as lastSeen from '$lib/device/last-seen';
import * as outbox from '$lib/device/outbox';
import { OFFLINE, type UserError } from '$lib/errors';
import type { MessageRow } from '$lib/schemas/rows';
import {
	messageCreatedSchema,
	messagesReadSchema,
	typingPresenceSchema,
	type MessagesRead
} from '$lib/schemas/realtime';
import { idsOf, isoNow, mergeMessages } from './merge';

export interface Outgoing {
	id: string;
	body: string;
	created_at: string;
	/**
	 * waiting: queued to go (or in flight, or held until the rate limit's window opens); offline:
	 * waits for the network; failed: needs the user.
	 */
	status: 'waiting' | 'offline' | 'failed';
	error: UserError | null;
}

export interface ChatOptions {
	supabase: Supabase;
	me: string;
	recipientId: string;
	conversationId: string | null;
	/** The newest page, oldest first. */
	initial: MessageRow[];
	hasOlder: boolean;
	/** Called once when the first message creates the conversation. */
	onCreated?: (conversationId: string) => void;
}

/** Where a conversation's unsent messages are kept on the device before it exists. */
export function newThread(recipientId: string): string {
	return `new:${recipientId}`;
}

/** The rate limit's refusal (the database's SQLSTATE). */
const RATE_LIMITED = 'SP005';
/** Sent this long after the rate limit's window opens, so the send cannot arrive before it does. */
const RESUME_MARGIN_MS = 500;

const TYPING_IDLE_MS = 3000;

const DEVICE_STORAGE_FAILED: UserError = {
	code: 'device-storage',
	message:
		'This device could not keep your messages for offline use. Unsent messages are lost if you close Spotter.',
	retryable: false
};

export class Chat {
	messages = $state<MessageRow[]>([]);
	outgoing = $state<Outgoing[]>([]);
	conversationId = $state<string | null>(null);
	hasOlder = $state(false);
	loadingOlder = $state(false);
	otherTyping = $state(false);
	live = $state<LiveState>('connecting');
	/** A failure not tied to one message (loading history, marking read). */
	error = $state<UserError | null>(null);
	/** The newest message from the other party that arrived while the chat was open. */
	lastIncoming = $state<MessageRow | null>(null);
	/** The database refused a send because the conversation is archived. */
	archivedBySend = $state(false);
	/** The device could not store a message (IndexedDB failed): shown until dismissed. */
	storageError = $state<UserError | null>(null);
	/**
	 * While the rate limit refuses sends: when (this device's clock, ms) the database says sending
	 * works again; null when unknown or not limited. Waiting messages are held until then.
	 */
	sendingResumesAt = $state<number | null>(null);
	/** Where this chat's unsent messages are kept: `new:<recipient>` until the first one creates it. */
	thread = $state('');

	readonly me: string;
	readonly recipientId: string;
	readonly #supabase: Supabase;
	/** Device writes, one after another, so a message is stored before it is sent or removed. */
	#io: Promise<void> = Promise.resolve();
	readonly #onCreated?: (conversationId: string) => void;
	#channel: RealtimeChannel | undefined;
	#subscribed = false;
	#trackedTyping = false;
	#typingTimer: ReturnType<typeof setTimeout> | undefined;
	#sending = false;
	#marking = false;
	/** Wakes the pump when the rate limit's window opens. */
	#resumeTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(options: ChatOptions) {
		this.#supabase = options.supabase;
		this.me = options.me;
		this.recipientId = options.recipientId;
		this.conversationId = options.conversationId;
		this.messages = options.initial;
		this.hasOlder = options.hasOlder;
		this.thread = options.conversationId ?? newThread(options.recipientId);
		this.#onCreated = options.onCreated;
	}

	get lastSeq(): number {
		return this.messages.at(-1)?.seq ?? 0;
	}

	/** Messages from the other party I have not read yet. */
	get unreadIncoming(): number {
		let count = 0;
		for (const m of this.messages) if (m.sender_id !== this.me && m.read_at === null) count++;
		return count;
	}

	/**
	 * Restores the device outbox, joins the conversation channel (if the conversation exists)
	 * and catches up whenever the network or the tab comes back. Returns the teardown.
	 */
	connect(): () => void {
		let closed = false;
		const id = this.conversationId;
		const catchUp = () => void this.catchUp();
		if (id) {
			void freshenRealtimeAuth(this.#supabase).then(() => {
				if (closed) return;
				this.#channel = this.#supabase
					.channel(`conversation:${id}`, { config: { private: true, presence: { key: this.me } } })
					.on(
						'broadcast',
						{ event: 'message_created' },
						onHint('message_created', messageCreatedSchema, (m) => this.#onMessageCreated(m.message), catchUp)
					)
					.on(
						'broadcast',
						{ event: 'messages_read' },
						onHint('messages_read', messagesReadSchema, (r) => this.#onMessagesRead(r), catchUp)
					)
					.on('presence', { event: 'sync' }, () => this.#onPresence())
					.subscribe((status) => {
						if (status === 'SUBSCRIBED') {
							this.#subscribed = true;
							this.live = 'live';
							this.#trackedTyping = false;
							void this.#channel?.track({ typing: false });
							void this.catchUp();
						} else if (!closed) {
							this.#subscribed = false;
							this.live = 'reconnecting';
						}
					});
			});
		}
		const stopWatching = whenBack(this.#supabase, () => {
			for (const m of this.outgoing) if (m.status === 'offline') m.status = 'waiting';
			void this.catchUp();
			void this.#pump();
		});
		void this.#restore().then(() => {
			if (!closed) void this.#pump();
		});
		this.#wakeWhenSendingResumes();
		return () => {
			closed = true;
			stopWatching();
			clearTimeout(this.#typingTimer);
			clearTimeout(this.#resumeTimer);
			this.#subscribed = false;
			if (this.#channel) void this.#supabase.removeChannel(this.#channel);
			this.#channel = undefined;
		};
	}

	/** Fetches every message after the newest one held (gap-free: seq is dense per conversation). */
	async catchUp(): Promise<void> {
		if (!this.conversationId) return;
		const result = await messages.after(this.#supabase, this.conversationId, this.lastSeq);
		if (!result.ok) {
			if (result.error.code !== 'offline') this.error = result.error;
			return;
		}
		this.#accept(result.data, true);
	}

	/** The 20 messages before the oldest one shown. */
	async loadOlder(): Promise<void> {
		const oldest = this.messages[0];
		if (!this.conversationId || this.loadingOlder || !this.hasOlder) return;
		this.loadingOlder = true;
		const result = await messages.list(this.#supabase, this.conversationId, oldest?.seq);
		this.loadingOlder = false;
		if (!result.ok) {
			this.error = result.error;
			return;
		}
		this.hasOlder = result.data.length === messages.PAGE_SIZE;
		this.#accept(result.data, false);
	}

	/** Queues a (validated, trimmed) body and shows it at once. */
	send(body: string): void {
		const message: Outgoing = {
			id: crypto.randomUUID(),
			body,
			created_at: isoNow(),
			status: 'waiting',
			error: null
		};
		this.outgoing.push(message);
		const { id, created_at } = message;
		const thread = this.thread;
		this.#store(() =>
			outbox.put({
				id,
				userId: this.me,
				thread,
				recipientId: this.recipientId,
				body,
				created_at,
				status: 'pending',
				error: null
			})
		);
		this.typing(false);
		void this.#pump();
	}

	/** Sends a failed message again; while the rate limit holds, it waits for the window to open. */
	retry(id: string): void {
		const message = this.outgoing.find((m) => m.id === id);
		if (!message) return;
		message.status = 'waiting';
		message.error = null;
		this.#store(() => outbox.setStatus(id, 'pending', null));
		void this.#pump();
	}

	/** Gives up on an unsent message. */
	discard(id: string): void {
		this.outgoing = this.outgoing.filter((m) => m.id !== id);
		this.#store(() => outbox.remove([id]));
	}

	/** The user has read the storage warning. */
	dismissStorageError(): void {
		this.storageError = null;
	}

	/** The page's data was loaded again (the conversation just created, or re-read after a hint). */
	showLoaded(rows: MessageRow[]): void {
		this.#accept(rows, false);
	}

	/** Tells the other party whether I am typing; stops by itself after a pause. */
	typing(active: boolean): void {
		clearTimeout(this.#typingTimer);
		if (active) this.#typingTimer = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
		if (!this.#subscribed || !this.#channel || active === this.#trackedTyping) return;
		this.#trackedTyping = active;
		void this.#channel.track({ typing: active });
	}

	/**
	 * Marks what I received as read (call while the conversation is on screen). Resolves to
	 * whether the database marked something read.
	 */
	async markRead(): Promise<boolean> {
		if (!this.conversationId || this.#marking || this.unreadIncoming === 0) return false;
		this.#marking = true;
		const upTo = this.lastSeq;
		const result = await conversations.markRead(this.#supabase, this.conversationId);
		this.#marking = false;
		if (!result.ok) {
			// Offline: the next catch-up brings us back here. Anything else is worth showing.
			if (result.error.code !== 'offline') this.error = result.error;
			return false;
		}
		const now = isoNow();
		for (const m of this.messages) {
			if (m.sender_id !== this.me && m.read_at === null && m.seq <= upTo) m.read_at = now;
		}
		this.#keepLastSeen();
		return result.data > 0;
	}

	/** Sends waiting messages one at a time, in order, so their seq follows the order written. */
	async #pump(): Promise<void> {
		if (this.#sending) return;
		this.#sending = true;
		try {
			for (let next = this.#nextWaiting(); next; next = this.#nextWaiting()) {
				if (!navigator.onLine) {
					this.#markOffline();
					return;
				}
				// The database would refuse it: hold it (and those after it) until the window opens.
				if (this.#heldByRateLimit()) return;
				// On the device first: a message that left must survive the app closing meanwhile.
				await this.#io;
				const result = await messages.send(this.#supabase, {
					recipientId: this.recipientId,
					body: next.body,
					id: next.id
				});
				const message = this.outgoing.find((m) => m.id === next.id);
				if (result.ok) {
					this.#accept([result.data], false);
					if (!this.conversationId) this.#created(result.data.conversation_id);
				} else if (result.error.code === 'offline') {
					this.#markOffline();
					return;
				} else if (message) {
					message.status = 'failed';
					message.error = result.error;
					const { id, error } = message;
					this.#store(() => outbox.setStatus(id, 'failed', error));
					if (result.error.code === 'SP002') this.archivedBySend = true;
					if (result.error.code === RATE_LIMITED) void this.#learnWhenSendingResumes();
				}
			}
		} finally {
			this.#sending = false;
		}
	}

	#nextWaiting(): Outgoing | undefined {
		return this.outgoing.find((m) => m.status === 'waiting');
	}

	/** The first message created the conversation: its unsent messages and channel move there. */
	#created(conversationId: string): void {
		const from = this.thread;
		this.conversationId = conversationId;
		this.thread = conversationId;
		this.#store(() => outbox.rethread(this.me, from, conversationId));
		this.#onCreated?.(conversationId);
	}

	/** Whether the rate limit's window is still closed; if so, the pump is woken when it opens. */
	#heldByRateLimit(): boolean {
		const resumesAt = this.sendingResumesAt;
		if (resumesAt === null) return false;
		if (resumesAt <= Date.now()) {
			this.sendingResumesAt = null;
			return false;
		}
		this.#wakeWhenSendingResumes();
		return true;
	}

	/** At the end of the rate limit's window: the countdown goes, and what waits is sent. */
	#wakeWhenSendingResumes(): void {
		clearTimeout(this.#resumeTimer);
		if (this.sendingResumesAt === null) return;
		this.#resumeTimer = setTimeout(
			() => {
				this.sendingResumesAt = null;
				void this.#pump();
			},
			Math.max(0, this.sendingResumesAt - Date.now())
		);
	}

	/**
	 * After a rate-limit refusal: asks the database how long its window stays closed (its clock
	 * decides, not this device's), so the chat can count down and hold what is written meanwhile.
	 */
	async #learnWhenSendingResumes(): Promise<void> {
		const wait = await messages.secondsUntilSending(this.#supabase);
		// Unknown (offline, say): the refusal's own sentence still tells the user to wait a moment.
		if (!wait.ok || wait.data <= 0) return;
		// Counted from when the answer arrived, plus a margin: the database measured the wait a
		// little earlier, and a send that arrives before its window opens would be refused again.
		this.sendingResumesAt = Date.now() + wait.data * 1000 + RESUME_MARGIN_MS;
		this.#wakeWhenSendingResumes();
	}

	#markOffline(): void {
		for (const m of this.outgoing) {
			if (m.status === 'waiting') {
				m.status = 'offline';
				m.error = OFFLINE;
			}
		}
	}

	/** Adds server rows, de-duplicated by id, kept in seq order; drops their outgoing copies. */
	#accept(rows: MessageRow[], live: boolean): void {
		if (rows.length === 0) return;
		const merged = mergeMessages(this.messages, rows);
		this.messages = merged.messages;
		const { added } = merged;
		if (live) {
			const incoming = added.findLast((m) => m.sender_id !== this.me);
			if (incoming) this.lastIncoming = incoming;
		}
		const accepted = idsOf(rows);
		const sent = this.outgoing.filter((m) => accepted.has(m.id)).map((m) => m.id);
		if (sent.length > 0) {
			this.outgoing = this.outgoing.filter((m) => !accepted.has(m.id));
			this.#store(() => outbox.remove(sent));
		}
		this.#keepLastSeen();
	}

	#onMessageCreated(message: MessageRow): void {
		if (message.conversation_id !== this.conversationId) return;
		// A gap means an event was missed: fetch the range instead of trusting this one alone.
		if (message.seq > this.lastSeq + 1) void this.catchUp();
		else this.#accept([message], true);
	}

	#onMessagesRead(receipt: MessagesRead): void {
		const readAt = receipt.read_at ?? isoNow();
		const mineWereRead = receipt.reader_id !== this.me;
		for (const m of this.messages) {
			if (m.read_at === null && m.seq <= receipt.up_to_seq && (m.sender_id === this.me) === mineWereRead) {
				m.read_at = readAt;
			}
		}
	}

	#onPresence(): void {
		const state = this.#channel?.presenceState() ?? {};
		this.otherTyping = Object.entries(state).some(
			([key, metas]) =>
				key !== this.me && metas.some((meta) => typingPresenceSchema.safeParse(meta).data?.typing === true)
		);
	}

	/** What this device kept: the last-seen messages, then the unsent ones (pending or failed). */
	async #restore(): Promise<void> {
		const kept = this.conversationId ? await lastSeen.messages(this.me, this.conversationId) : [];
		this.#accept(kept, false);
		this.#keepLastSeen();
		// A conversation's unsent messages, and any written before it existed (an offline first
		// message to this person, from before the conversation was created elsewhere).
		const thread = this.thread;
		const before = newThread(this.recipientId);
		const unsent = [
			...(await outbox.of(this.me, thread)),
			...(thread === before ? [] : await outbox.of(this.me, before))
		];
		const held = idsOf([...this.outgoing, ...this.messages]);
		for (const record of unsent) {
			if (held.has(record.id)) continue;
			this.outgoing.push({
				id: record.id,
				body: record.body,
				created_at: record.created_at,
				status: record.status === 'failed' ? 'failed' : 'waiting',
				error: record.status === 'failed' ? record.error : null
			});
		}
		// Stored by the server before the app was closed: only the device copy was left.
		const stored = unsent.filter((r) => this.messages.some((m) => m.id === r.id)).map((r) => r.id);
		if (stored.length > 0) this.#store(() => outbox.remove(stored));
		if (thread !== before && unsent.some((r) => r.thread === before)) {
			this.#store(() => outbox.rethread(this.me, before, thread));
		}
		// Refused by the rate limit before the app was closed: show how long it still holds.
		if (unsent.some((r) => r.status === 'failed' && r.error?.code === RATE_LIMITED)) {
			void this.#learnWhenSendingResumes();
		}
	}

	/** The newest messages, kept on the device for reading offline. */
	#keepLastSeen(): void {
		const id = this.conversationId;
		if (!id) return;
		const newest = this.messages.slice(-lastSeen.KEPT_MESSAGES);
		this.#store(() => lastSeen.saveMessages(this.me, id, newest));
	}

	/** Queues a device write after the earlier ones; a failure is shown, not hidden. */
	#store(write: () => Promise<void>): void {
		this.#io = this.#io.then(write).catch((err: unknown) => {
			console.error('[chat] device storage failed', err);
			this.storageError = DEVICE_STORAGE_FAILED;
		});
	}
}
