// One open conversation: its history (oldest first, by seq), the messages on their way out,
// the other party's typing, and the live `conversation:<id>` channel. Realtime events are hints
// and the other participant may be an adversary: an event is checked against its schema and the
// conversation, a new message that follows the newest held is shown as it is, and anything that
// contradicts what is held is never shown — the database is read instead. After every (re)join
// the chat reads the database from the oldest message it has not checked there (events and the
// device copy) and replaces what it holds in that range; the device copy follows.
import type { Supabase } from '$lib/supabase/types';
import { keepJoined, onHint, whenBack, type Joined, type LiveState } from '$lib/supabase/realtime';
import type { Attachment } from '$lib/data/attachments';
import { attachmentDrafts } from '$lib/attachments/on-demand';
import type { AttachmentInput, PendingFile } from '$lib/attachments/pending.svelte';
import { SIGNED_URL_SECONDS, urlRefresher, type RefreshUrl } from '$lib/attachments/resign';
import * as conversations from '$lib/data/conversations';
import { failed } from '$lib/data/result';
import * as messages from '$lib/data/messages';
import * as profiles from '$lib/data/profiles';
import { throttle } from '$lib/device/throttle';
import { isQuotaExceeded, KEPT_MESSAGES, newThread, WRITE_DELAY_MS } from '$lib/device/basics';
import { lastSeen, outbox } from '$lib/device/on-demand';
import { onDemand } from '$lib/on-demand';
import type { OutboxFile } from '$lib/device/outbox';
import {
	FILE_MISSING,
	FILE_MISSING_KEPT,
	NEEDS_CONNECTION,
	OFFLINE,
	UNAVAILABLE,
	type UserError
} from '$lib/errors';
import type { ArchivedReason, Message, MessageRow, ReactionSummary } from '$lib/schemas/rows';
import {
	messageCreatedWithStateSchema,
	messageUpdatedSchema,
	reactionsChangedSchema,
	type MessageUpdated,
	type ReactionsChanged
} from '$lib/schemas/message-events';
import {
	accessChangedSchema,
	messagesReadSchema,
	typingPresenceSchema,
	type AccessChanged,
	type MessagesRead
} from '$lib/schemas/realtime';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { uploadingInChat } from './uploading';
import { fillFromDevice, idsOf, isoNow, judgeEvent, mergeMessages, reconcileMessages } from './merge';

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
	/** The message this one replies to. */
	replyToId: string | null;
	/** Files uploading for this message: it is sent once they are all uploaded. */
	files?: PendingFile[];
	/** What send_message is told about its files (kept on the device with it). */
	attachments?: AttachmentInput[];
	/** Its files were uploaded again once already, Storage having removed them before it was sent. */
	uploadedAgain?: boolean;
}

/** The reactions of one message: each emoji with who chose it. */
export type Reactions = ReactionSummary['reactions'];

/** A message as the chat holds it: a stored message with the message-action columns. */
export type ChatMessage = Message;

/** A row from the device copy or an older event: without the action columns, it is none of them. */
export function withState(row: MessageRow | Message): Message {
	return { reply_to_id: null, edited_at: null, deleted_at: null, ...row };
}

/** A file of the message did not upload: the message waits for a retry. */
function uploadFailed(file: PendingFile): UserError {
	return {
		code: 'upload-failed',
		message: `“${file.name}” did not upload${file.error ? `: ${file.error}` : '.'}`,
		retryable: true
	};
}

export interface ChatOptions {
	supabase: Supabase;
	me: string;
	recipientId: string;
	conversationId: string | null;
	/** The newest page, oldest first. */
	initial: Message[];
	hasOlder: boolean;
	/** Called once when the first message creates the conversation. */
	onCreated?: (conversationId: string) => void;
}

/** Where a conversation's unsent messages are kept on the device before it exists. */
export { newThread };

// Read after the first paint (as the chat connects), so loaded on demand: attachments' rows and
// URLs (and a message with files is sent through them), and reactions. Their calls answer a Result;
// when their code cannot be fetched, the network is not there for them either.
const notLoaded = () => failed(OFFLINE);
const attachments = onDemand(() => import('$lib/data/attachments'), notLoaded);
const reactions = onDemand(() => import('$lib/data/reactions'), notLoaded);

/** The rate limit's refusal (the database's SQLSTATE). */
const RATE_LIMITED = 'SP005';
/** Sent this long after the rate limit's window opens, so the send cannot arrive before it does. */
const RESUME_MARGIN_MS = 500;
/** Last seen is kept to the minute (touch_last_seen writes at most once a minute). */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Typing stops showing this long after the last keystroke (plus the trip to the other side): well
 * within a second, as the other person expects, yet longer than the pause between keystrokes.
 */
const TYPING_IDLE_MS = 600;
/** Reactions are read again for this many of the newest messages at each catch-up. */
const REACTIONS_CHECKED = 100;
/** How many of the newest messages a catch-up reads again for read receipts (one page of the read). */
const RECEIPTS_CHECKED = 100;

const DEVICE_STORAGE_FAILED: UserError = {
	code: 'device-storage',
	message:
		'This device could not keep your messages for offline use. Unsent messages are lost if you close Spotter.',
	retryable: false
};

/** The browser's storage for Spotter is full: a file waits in memory only. */
function deviceFull(file: PendingFile): UserError {
	return {
		code: 'device-storage-full',
		message: `This device’s storage is full, so “${file.name}” waits only while Spotter stays open: it is lost if you close or reload the app before it is sent. Free some space, or keep Spotter open until it is sent.`,
		retryable: false
	};
}

export class Chat {
	messages = $state<Message[]>([]);
	/** Reactions by message id, as the database last answered (messages without any are absent). */
	reactions = new SvelteMap<string, Reactions>();
	/** Originals of replies that are not among the messages held, by id (null: gone or hidden). */
	originals = new SvelteMap<string, Message | null>();
	/** Whether the other person has this conversation open now (presence on its channel). */
	otherOnline = $state(false);
	/** When the other person was last active, from the database; null when unknown or hidden. */
	otherLastSeen = $state<string | null>(null);
	outgoing = $state<Outgoing[]>([]);
	conversationId = $state<string | null>(null);
	hasOlder = $state(false);
	loadingOlder = $state(false);
	otherTyping = $state(false);
	live = $state<LiveState>('connecting');
	/** A failure not tied to one message (loading history, marking read). */
	error = $state<UserError | null>(null);
	/** The newest message from the other party that arrived while the chat was open. */
	lastIncoming = $state<Message | null>(null);
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
	/**
	 * Why the conversation is archived, as read from the database after its channel said access
	 * changed or was closed; null when not archived or not read.
	 */
	archived = $state<ArchivedReason | null>(null);
	/** The files of the messages held, by message id (messages without files are absent). */
	attachments = new SvelteMap<string, Attachment[]>();
	/** Signed URLs of those files and their posters, by object path. */
	mediaUrls = new SvelteMap<string, string>();
	/** A photo, video or voice note failed to load: its URL may have expired, ask for a fresh one. */
	readonly refreshUrl: RefreshUrl = urlRefresher(
		async (paths) => {
			const signed = await attachments.signedUrls(this.#supabase, paths);
			return signed.ok ? signed.data : null;
		},
		(path, url) => this.mediaUrls.set(path, url),
		SIGNED_URL_SECONDS * 1000
	);

	readonly me: string;
	readonly recipientId: string;
	readonly #supabase: Supabase;
	/** Outbox writes, one after another, so a message is stored before it is sent or removed. */
	#io: Promise<void> = Promise.resolve();
	/**
	 * Writes of the device copy of the conversation (what opens offline), in their own queue: a
	 * send waits for its outbox row only, not behind the copy rewritten after every arrival.
	 */
	#copyIo: Promise<void> = Promise.resolve();
	/** The device copy's writes, a burst of changes at a time (#keepLastSeen). */
	#copy = throttle(() => this.#writeLastSeen(), WRITE_DELAY_MS);
	readonly #onCreated?: (conversationId: string) => void;
	#link: Joined | undefined;
	#subscribed = false;
	// Bookkeeping of the receive path (never rendered; SvelteSet only because this is a runes module).
	/** Ids held from realtime events or the device copy, not yet confirmed by a database read. */
	#unverified = new SvelteSet<string>();
	/** My messages shown from an event or the device before the send's answer: their outbox rows stay until confirmed. */
	#unconfirmedSent = new SvelteSet<string>();
	/** Ids of messages accepted from events while a catch-up read runs (newer than its answer). */
	#arrivedDuringRead: SvelteSet<string> | undefined;
	#catchingUp: Promise<void> | undefined;
	#catchUpAgain = false;
	#trackedTyping = false;
	#typingTimer: ReturnType<typeof setTimeout> | undefined;
	/** A message was sent while typing and nothing was typed since: typing ends with its request. */
	#typingEndsWithSend = false;
	#sending = false;
	#marking = false;
	/** Messages whose files were asked for already (never rendered). */
	#filesAskedFor = new SvelteSet<string>();
	/** Uploaded files of my sent messages, kept (their previews) until the stored ones are read. */
	#sentFiles = new SvelteMap<string, PendingFile[]>();
	/** Files of unsent messages whose copy the device holds, or is writing (`#keepFiles`). */
	#keptFiles = new WeakSet<PendingFile>();
	/** Wakes the pump when the rate limit's window opens. */
	#resumeTimer: ReturnType<typeof setTimeout> | undefined;
	/** Reads again after a catch-up the server could not answer (503); the attempts so far. */
	#catchUpRetry: ReturnType<typeof setTimeout> | undefined;
	#catchUpFailures = 0;
	/** When touch() last asked the database to record my activity (0: never, or it failed). */
	#touchedAt = 0;
	#closed = false;

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
		this.#closed = false;
		const id = this.conversationId;
		if (id) {
			const catchUp = () => void this.catchUp();
			this.#link = keepJoined(this.#supabase, `conversation:${id}`, {
				config: { private: true, presence: { key: this.me } },
				bind: (channel) =>
					channel
						.on(
							'broadcast',
							{ event: 'message_created' },
							onHint(
								'message_created',
								messageCreatedWithStateSchema,
								({ message }) =>
									this.#onMessageCreated({
										...message,
										reply_to_id: message.reply_to_id ?? null,
										edited_at: message.edited_at ?? null,
										deleted_at: message.deleted_at ?? null
									}),
								catchUp
							)
						)
						.on(
							'broadcast',
							{ event: 'messages_read' },
							onHint('messages_read', messagesReadSchema, (r) => this.#onMessagesRead(r), catchUp)
						)
						.on(
							'broadcast',
							{ event: 'access_changed' },
							onHint(
								'access_changed',
								accessChangedSchema,
								(c) => this.#onAccessChanged(c),
								() => void this.#readAccess()
							)
						)
						.on(
							'broadcast',
							{ event: 'message_updated' },
							onHint('message_updated', messageUpdatedSchema, (u) => this.#onMessageUpdated(u), catchUp)
						)
						.on(
							'broadcast',
							{ event: 'reactions_changed' },
							onHint(
								'reactions_changed',
								reactionsChangedSchema,
								(r) => this.#onReactionsChanged(r),
								() => void this.#readReactions(this.#newestIds())
							)
						)
						.on('presence', { event: 'sync' }, () => this.#onPresence()),
				onStatus: (status, channel) => {
					if (status === 'SUBSCRIBED') {
						this.#subscribed = true;
						this.live = 'live';
						this.#trackedTyping = false;
						void channel.track({ typing: false });
						void this.catchUp();
						void this.touch();
						void this.#readLastSeen();
						return;
					}
					if (closed) return;
					this.#subscribed = false;
					this.otherOnline = false;
					this.live = 'reconnecting';
					// Refused or closed by the server: maybe the conversation was archived meanwhile.
					if (status === 'CHANNEL_ERROR') void this.#readAccess();
				},
				// Closed by the server (access, session or token ended): join again only while it is active.
				rejoinAfterClose: async () => !closed && (await this.#readAccess()) !== true
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
			this.#closed = true;
			// Leaving the chat: what its device copy still waits for is written now.
			this.#copy.flush();
			// The outbox flush may upload these from the device now (to the same keys: idempotent).
			for (const m of this.outgoing) uploadingInChat.delete(m.id);
			stopWatching();
			clearTimeout(this.#typingTimer);
			clearTimeout(this.#resumeTimer);
			clearTimeout(this.#catchUpRetry);
			this.#subscribed = false;
			this.otherOnline = false;
			this.#link?.stop();
			this.#link = undefined;
		};
	}

	/**
	 * Records that I am active: my "last seen". The database keeps one time a minute, so a call
	 * within a minute of the last recorded one asks nothing: every send calls this, and the request
	 * would otherwise queue beside the message's own on its way to the database.
	 */
	async touch(): Promise<void> {
		if (!navigator.onLine || Date.now() - this.#touchedAt < TOUCH_INTERVAL_MS) return;
		this.#touchedAt = Date.now();
		// Best effort: last seen is a courtesy, and a failure here must not disturb the chat.
		const result = await profiles.touchLastSeen(this.#supabase);
		if (result.ok) return;
		this.#touchedAt = 0;
		if (result.error.code !== 'offline') console.warn('[chat] last seen not recorded', result.error);
	}

	/** The other person's last seen, as the database shows it to me (hidden when either of us hides it). */
	async #readLastSeen(): Promise<void> {
		const result = await profiles.lastSeen(this.#supabase, this.recipientId);
		if (result.ok) this.otherLastSeen = result.data;
	}

	/**
	 * Reads the database from the oldest message not yet checked there (events, the device copy,
	 * my messages still without a read receipt) or else after the newest held, and replaces what
	 * is held in that range with its answer: gap-free (seq is dense) and the database's word. Calls
	 * while one runs are folded into one more read after it.
	 */
	catchUp(): Promise<void> {
		if (!this.conversationId) return Promise.resolve();
		if (this.#catchingUp) {
			this.#catchUpAgain = true;
			return this.#catchingUp;
		}
		this.#catchingUp = (async () => {
			do {
				this.#catchUpAgain = false;
				await this.#readDatabase();
			} while (this.#catchUpAgain);
		})().finally(() => {
			this.#catchingUp = undefined;
		});
		return this.#catchingUp;
	}

	async #readDatabase(): Promise<void> {
		const id = this.conversationId;
		if (!id) return;
		let from = this.lastSeq + 1;
		for (const m of this.messages) if (this.#unverified.has(m.id)) from = Math.min(from, m.seq);
		// Read receipts on my newest messages change in the database: read those again too.
		for (const m of this.messages.slice(-RECEIPTS_CHECKED)) {
			if (m.sender_id === this.me && m.read_at === null) from = Math.min(from, m.seq);
		}
		const arrived = new SvelteSet<string>();
		this.#arrivedDuringRead = arrived;
		const result = await messages.since(this.#supabase, id, from);
		this.#arrivedDuringRead = undefined;
		if (!result.ok) {
			if (result.error.code !== 'offline') this.error = result.error;
			// The server answered but lost its database for a moment: no event or rejoin may follow
			// to read again (the socket stayed up), so read again by ourselves, backing off.
			if (result.error.code === UNAVAILABLE.code) this.#retryCatchUp();
			return;
		}
		clearTimeout(this.#catchUpRetry);
		this.#catchUpFailures = 0;
		if (this.error?.code === UNAVAILABLE.code) this.error = null;
		if (id !== this.conversationId) return;
		// What was asked for, not the whole page: older history stays for scrolling up to load.
		const rows = result.data.rows.filter((m) => m.seq >= from);
		const reconciled = reconcileMessages(this.messages, rows, from, this.me, arrived);
		this.messages = reconciled.messages;
		for (const m of [...rows, ...reconciled.dropped]) this.#unverified.delete(m.id);
		if (reconciled.dropped.length > 0) {
			console.warn(
				`[chat] ${reconciled.dropped.length} held message(s) the database does not have were removed`
			);
		}
		const incoming = reconciled.added.findLast((m) => m.sender_id !== this.me);
		if (incoming) this.lastIncoming = incoming;
		this.#dropSent(idsOf(rows));
		this.#keepLastSeen();
		// Reactions change anywhere in the history: what was missed while away is read for the newest.
		void this.#readReactions(this.#newestIds());
		void this.#readOriginals();
	}

	/** One more catch-up after 1 s, 2 s, 4 s… up to 30 s between attempts, while the chat is open. */
	#retryCatchUp(): void {
		if (this.#closed) return;
		clearTimeout(this.#catchUpRetry);
		const delay = Math.min(30_000, 1000 * 2 ** this.#catchUpFailures++);
		this.#catchUpRetry = setTimeout(() => void this.catchUp(), delay);
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
		this.hasOlder = messages.hasOlder(result.data);
		this.#accept(result.data, false);
		void this.#readReactions(result.data.map((m) => m.id));
	}

	/**
	 * Loads history until the message `id` is held (a reply's original, a search hit). Resolves to
	 * whether it is held: false when it is not in this conversation or the history could not load.
	 */
	async reveal(id: string): Promise<boolean> {
		if (this.messages.some((m) => m.id === id)) return true;
		let target = this.originals.get(id);
		if (target === undefined) {
			const read = await messages.get(this.#supabase, id);
			if (!read.ok) {
				this.error = read.error;
				return false;
			}
			target = read.data;
		}
		if (!target || target.conversation_id !== this.conversationId) return false;
		while (!this.messages.some((m) => m.id === id) && this.hasOlder) {
			if (this.loadingOlder) await new Promise((resolve) => setTimeout(resolve, 50));
			else {
				const before = this.messages[0]?.seq;
				await this.loadOlder();
				if (this.messages[0]?.seq === before) return false;
			}
		}
		return this.messages.some((m) => m.id === id);
	}

	/** The original a reply quotes: held, or read for the quote; undefined while it is being read. */
	original(id: string): Message | null | undefined {
		return this.messages.find((m) => m.id === id) ?? this.originals.get(id);
	}

	/** Changes the text of my message; resolves to why not (the database's sentence), or null. */
	async edit(id: string, body: string): Promise<UserError | null> {
		if (!navigator.onLine) return NEEDS_CONNECTION;
		const result = await messages.edit(this.#supabase, id, body);
		if (!result.ok) return result.error.code === 'offline' ? NEEDS_CONNECTION : result.error;
		this.#replace(result.data);
		return null;
	}

	/** Deletes my message for everyone; resolves to why not, or null. */
	async remove(id: string): Promise<UserError | null> {
		if (!navigator.onLine) return NEEDS_CONNECTION;
		const result = await messages.remove(this.#supabase, id);
		if (!result.ok) return result.error.code === 'offline' ? NEEDS_CONNECTION : result.error;
		this.#replace(result.data);
		return null;
	}

	/** Adds my reaction with `emoji`, or takes it back; resolves to why not, or null. */
	async react(id: string, emoji: string): Promise<UserError | null> {
		if (!navigator.onLine) return NEEDS_CONNECTION;
		const result = await reactions.toggle(this.#supabase, id, emoji);
		if (!result.ok) return result.error.code === 'offline' ? NEEDS_CONNECTION : result.error;
		this.#setReactions(result.data.message_id, result.data.reactions);
		return null;
	}

	/** The database's copy of a message replaces the one held (and a quote of it). */
	#replace(row: Message): void {
		const index = this.messages.findIndex((m) => m.id === row.id);
		if (index >= 0) this.messages[index] = row;
		if (this.originals.has(row.id)) this.originals.set(row.id, row);
		if (row.deleted_at) this.reactions.delete(row.id);
		this.#unverified.delete(row.id);
		this.#keepLastSeen();
	}

	#setReactions(messageId: string, list: Reactions): void {
		if (list.length === 0) this.reactions.delete(messageId);
		else this.reactions.set(messageId, list);
	}

	/** Ids of the newest messages held, whose reactions a catch-up reads again. */
	#newestIds(): string[] {
		return this.messages.slice(-REACTIONS_CHECKED).map((m) => m.id);
	}

	/** Reads the reactions of these messages from the database and shows them. */
	async #readReactions(ids: string[]): Promise<void> {
		if (ids.length === 0) return;
		const result = await reactions.forMessages(this.#supabase, ids);
		if (!result.ok) {
			if (result.error.code !== 'offline') this.error = result.error;
			return;
		}
		for (const id of ids) {
			this.#setReactions(id, result.data.find((r) => r.message_id === id)?.reactions ?? []);
		}
	}

	/** Reads the originals quoted by held replies that are not held themselves. */
	async #readOriginals(): Promise<void> {
		const held = idsOf(this.messages);
		const missing: string[] = [];
		for (const m of this.messages) {
			const id = m.reply_to_id;
			if (id && !held.has(id) && !this.originals.has(id) && !missing.includes(id)) missing.push(id);
		}
		for (const id of missing) {
			const read = await messages.get(this.#supabase, id);
			if (read.ok) this.originals.set(id, read.data);
		}
	}

	/**
	 * A message was edited or deleted. The event may come from an adversary and must never rewrite
	 * history by itself: the row is read again from the database, and only its answer is shown.
	 */
	#onMessageUpdated(update: MessageUpdated): void {
		const { id, conversation_id } = update.message;
		if (conversation_id !== this.conversationId) {
			console.error('[chat] message_updated for another conversation; ignored');
			return;
		}
		if (!this.messages.some((m) => m.id === id) && !this.originals.has(id)) return;
		void messages.get(this.#supabase, id).then((read) => {
			if (!read.ok) {
				if (read.error.code !== 'offline') this.error = read.error;
				return;
			}
			if (read.data && read.data.conversation_id === this.conversationId) this.#replace(read.data);
		});
	}

	/** Reactions changed: a hint to read that message's reactions from the database. */
	#onReactionsChanged(change: ReactionsChanged): void {
		if (change.conversation_id !== this.conversationId) {
			console.error('[chat] reactions_changed for another conversation; ignored');
			return;
		}
		if (!this.messages.some((m) => m.id === change.message_id)) return;
		void this.#readReactions([change.message_id]);
	}

	/**
	 * Queues a (validated, trimmed) body, replying to `replyToId` if given, and shows it at once;
	 * with files, under the id they are uploading for, sent once they are uploaded (the body may
	 * then be empty).
	 */
	send(
		body: string,
		replyToId: string | null = null,
		attached?: { messageId: string; files: PendingFile[] }
	): void {
		const files = attached?.files.length ? attached.files : undefined;
		const message: Outgoing = {
			id: files ? attached!.messageId : crypto.randomUUID(),
			body,
			created_at: isoNow(),
			status: 'waiting',
			error: null,
			replyToId,
			files,
			attachments: files?.map((f) => f.input())
		};
		const { id, created_at } = message;
		// Asked for now rather than after the earlier device writes: a new message's row depends on
		// none of them, and the browser stores it while the page draws the bubble (the send waits
		// for it). The queue still reports its failure, in its turn.
		const stored = outbox.put({
			id,
			userId: this.me,
			thread: this.thread,
			recipientId: this.recipientId,
			body,
			created_at,
			status: 'pending',
			error: null,
			replyToId,
			attachments: message.attachments
		});
		stored.catch(() => undefined);
		this.#store(() => stored);
		this.outgoing.push(message);
		if (files) this.#keepFiles(id, files);
		// "Typing" ends with the message, told once its request is answered (at the latest after a
		// pause): told at once, the presence update and the other page's handling of it ran beside
		// the message itself and delayed it (bench/README.md, 7a).
		clearTimeout(this.#typingTimer);
		this.#typingTimer = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
		this.#typingEndsWithSend = true;
		void this.#pump();
	}

	/**
	 * Keeps the message's files on the device until it is stored, so a reload or closing the app
	 * loses none: each once prepared (the re-encoded photo, the video's poster are what goes). Files
	 * already uploaded are kept only once the message has to wait (`uploadedToo`: offline, refused):
	 * Storage removes an upload no message references after a day, and a message held longer uploads
	 * them again; a send that goes through at once writes no copy of a big video for nothing. A full
	 * disk is said, and the file waits in memory.
	 */
	#keepFiles(id: string, files: PendingFile[], uploadedToo = false): void {
		uploadingInChat.add(id);
		for (const [position, file] of files.entries()) {
			if (this.#keptFiles.has(file) || (file.status === 'uploaded' && !uploadedToo)) continue;
			this.#keptFiles.add(file);
			void file.forOutbox(position).then((kept) => {
				if (kept) this.#store(() => outbox.putFile(kept), deviceFull(file));
			});
		}
	}

	/** Sends a failed message again; while the rate limit holds, it waits for the window to open. */
	retry(id: string): void {
		const message = this.outgoing.find((m) => m.id === id);
		if (!message) return;
		message.status = 'waiting';
		message.error = null;
		message.uploadedAgain = false;
		for (const file of message.files ?? []) file.retry();
		this.#store(() => outbox.setStatus(id, 'pending', null));
		void this.#pump();
	}

	/** Gives up on an unsent message. */
	discard(id: string): void {
		for (const file of this.outgoing.find((m) => m.id === id)?.files ?? []) file.dispose();
		uploadingInChat.delete(id);
		this.outgoing = this.outgoing.filter((m) => m.id !== id);
		this.#store(() => outbox.remove([id]));
	}

	/** Reads the files of the messages held (those the page loaded with: call once in the browser). */
	showFiles(): void {
		void this.#loadFiles(this.messages);
	}

	/** The user has read the storage warning. */
	dismissStorageError(): void {
		this.storageError = null;
	}

	/** The page's data was loaded again (the conversation just created, or re-read after a hint). */
	showLoaded(rows: Message[]): void {
		this.#accept(rows, false);
	}

	/** Tells the other party whether I am typing; stops by itself after a pause. */
	typing(active: boolean): void {
		this.#typingEndsWithSend = false;
		clearTimeout(this.#typingTimer);
		if (active) this.#typingTimer = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
		const channel = this.#link?.channel();
		if (!this.#subscribed || !channel || active === this.#trackedTyping) return;
		this.#trackedTyping = active;
		void channel.track({ typing: active });
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
				// Its files first: a message never points at an object that is not there.
				if (next.files) {
					await Promise.all(next.files.map((f) => f.settled()));
					const failed = next.files.find((f) => f.status !== 'uploaded');
					if (failed) {
						next.status = 'failed';
						next.error = uploadFailed(failed);
						continue;
					}
					// Their meta (dimensions, poster) is known only now. A message restored from the
					// device holds only the files that were not uploaded before: the rest stay as kept.
					const files = next.files;
					next.attachments = (next.attachments ?? files.map((f) => f.input())).map(
						(a) => files.find((f) => f.path === a.path)?.input() ?? a
					);
					const { id, attachments: inputs } = next;
					this.#store(() => outbox.filesUploaded(id, inputs ?? []));
					// Its files' state on the device first: a restart must not upload them again.
					await this.#io;
				}
				// The text does not wait for the device to confirm its row (asked for in send(), before
				// this): the request and the write race. Whenever the app closes, the message is on the
				// server, on the device, or — closed before either finished — in neither, exactly as
				// when it closes before the row is written; a retry of a message both hold is
				// idempotent. Waiting cost the send a rendering frame and more (bench/README.md, 7a).
				const content = {
					recipientId: this.recipientId,
					body: next.body,
					id: next.id,
					replyToId: next.replyToId
				};
				const result = next.attachments
					? await attachments.send(this.#supabase, { ...content, attachments: next.attachments })
					: await messages.send(this.#supabase, content);
				if (this.#typingEndsWithSend) this.typing(false);
				const message = this.outgoing.find((m) => m.id === next.id);
				if (result.ok) {
					// Sent without files: nothing to ask the database for.
					if (!next.attachments) this.#filesAskedFor.add(next.id);
					this.#accept([result.data], false);
					if (!this.conversationId) this.#created(result.data.conversation_id);
				} else if (result.error.code === 'offline') {
					this.#markOffline();
					return;
				} else if (message && result.error.code === FILE_MISSING && (await this.#uploadAgain(message))) {
					// It waits for its files again, and goes once they are back in Storage.
					continue;
				} else if (message) {
					message.status = 'failed';
					message.error =
						result.error.code === FILE_MISSING && this.#holdsFiles(message)
							? FILE_MISSING_KEPT
							: result.error;
					if (message.files) this.#keepFiles(message.id, message.files, true);
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

	/**
	 * Storage removed a file of the message before it was sent (an upload no message references goes
	 * after a day): once per try, its files are uploaded again, from this chat's copies or the
	 * device's. False when that cannot bring every file back.
	 */
	async #uploadAgain(message: Outgoing): Promise<boolean> {
		if (message.uploadedAgain || !message.attachments) return false;
		message.uploadedAgain = true;
		const held = message.files ?? [];
		const missing = message.attachments.filter((a) => !held.some((f) => f.path === a.path));
		const kept = missing.length > 0 ? await outbox.filesOf(message.id) : [];
		if (!missing.every((a) => kept.some((f) => f.path === a.path))) return false;
		const { PendingFile, storageTarget } = await attachmentDrafts();
		const target = kept.length > 0 ? storageTarget(this.#supabase) : null;
		const files = message.attachments.map((a) => {
			const file = held.find((f) => f.path === a.path);
			if (file) {
				file.uploadAgain();
				return file;
			}
			const restored = PendingFile.restore(
				kept.find((f) => f.path === a.path)!,
				target!
			);
			this.#keptFiles.add(restored);
			return restored;
		});
		message.files = files;
		uploadingInChat.add(message.id);
		const { id } = message;
		this.#store(async () => void (await outbox.filesRemoved(id)));
		return true;
	}

	/** The device's copies of a held message's files, to be uploaded again from there. */
	async #restoreFiles(kept: OutboxFile[]): Promise<PendingFile[]> {
		const { PendingFile, storageTarget } = await attachmentDrafts();
		const target = storageTarget(this.#supabase);
		return kept.map((f) => PendingFile.restore(f, target));
	}

	/** Whether every file of the message is in this chat's hands (to upload again on a retry). */
	#holdsFiles(message: Outgoing): boolean {
		return !!message.attachments?.every((a) => message.files?.some((f) => f.path === a.path));
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
				if (m.files) this.#keepFiles(m.id, m.files, true);
			}
		}
	}

	/** Adds server rows, de-duplicated by id, kept in seq order; drops their outgoing copies. */
	#accept(rows: Message[], live: boolean): void {
		if (rows.length === 0) return;
		const merged = mergeMessages(this.messages, rows);
		this.messages = merged.messages;
		const { added } = merged;
		if (live) {
			const incoming = added.findLast((m) => m.sender_id !== this.me);
			if (incoming) this.lastIncoming = incoming;
		}
		for (const m of rows) this.#unverified.delete(m.id);
		this.#dropSent(idsOf(rows));
		this.#keepLastSeen();
		void this.#readOriginals();
		void this.#loadFiles(rows);
	}

	/**
	 * Reads the files of messages not asked about yet, and signed URLs to show them: one query and
	 * one signing per batch of messages, whatever their number.
	 */
	async #loadFiles(rows: (MessageRow & { attachment_count?: number })[]): Promise<void> {
		// A message the database says was sent without files has none to ask for (most of them).
		const ids = rows
			.filter((m) => m.attachment_count !== 0)
			.map((m) => m.id)
			.filter((id) => !this.#filesAskedFor.has(id));
		if (ids.length === 0) return;
		for (const id of ids) this.#filesAskedFor.add(id);
		const found = await attachments.forMessages(this.#supabase, ids);
		if (!found.ok) {
			// Offline or refused: asked again at the next read of these messages.
			for (const id of ids) this.#filesAskedFor.delete(id);
			if (found.error.code !== 'offline') this.error = found.error;
			return;
		}
		for (const [id, files] of found.data) this.attachments.set(id, files);
		const paths = [...found.data.values()]
			.flat()
			.flatMap((a) => [a.path, ...(a.meta.poster_path ? [a.meta.poster_path] : [])]);
		const urls = await attachments.signedUrls(this.#supabase, paths);
		if (urls.ok) for (const [path, url] of urls.data) this.mediaUrls.set(path, url);
		else if (urls.error.code !== 'offline') this.error = urls.error;
		// My own files were shown from the device while they uploaded; the stored copies take over.
		for (const id of found.data.keys()) this.#sentFiles.get(id)?.forEach((f) => f.dispose());
		for (const id of found.data.keys()) this.#sentFiles.delete(id);
	}

	/** The database has these messages: their outgoing copies and device outbox rows go. */
	#dropSent(stored: Set<string>): void {
		const sent = this.outgoing.filter((m) => stored.has(m.id)).map((m) => m.id);
		for (const id of this.#unconfirmedSent) {
			if (stored.has(id)) {
				sent.push(id);
				this.#unconfirmedSent.delete(id);
			}
		}
		if (sent.length === 0) return;
		for (const m of this.outgoing) if (stored.has(m.id) && m.files) this.#sentFiles.set(m.id, m.files);
		for (const id of sent) uploadingInChat.delete(id);
		this.outgoing = this.outgoing.filter((m) => !stored.has(m.id));
		this.#store(() => outbox.remove(sent));
	}

	#onMessageCreated(message: Message): void {
		const parties = [this.me, this.recipientId];
		if (message.conversation_id !== this.conversationId || !parties.includes(message.sender_id ?? '')) {
			console.error(
				'[chat] message_created for another conversation or sender; reading the database instead'
			);
			void this.catchUp();
			return;
		}
		switch (judgeEvent(this.messages, message)) {
			case 'held':
				return;
			case 'new':
				return this.#acceptEvent(message);
			case 'gap':
				// Events were missed: read the range instead of trusting this one alone.
				void this.catchUp();
				return;
			case 'conflict':
				console.error('[chat] message_created contradicts a message held; reading the database instead');
				void this.catchUp();
				return;
		}
	}

	/** Shows a consistent new message from an event at once; the next catch-up checks it. */
	#acceptEvent(message: Message): void {
		this.messages = [...this.messages, message];
		this.#unverified.add(message.id);
		this.#arrivedDuringRead?.add(message.id);
		if (message.sender_id !== this.me) this.lastIncoming = message;
		// My own message, echoed before the send's answer: it is stored, so its bubble stops being
		// "on its way". The id is mine and random and the body must match, so no one else can do this.
		const mine = this.outgoing.find((m) => m.id === message.id && m.body === message.body);
		if (mine && message.sender_id === this.me) {
			if (mine.files) this.#sentFiles.set(mine.id, mine.files);
			uploadingInChat.delete(mine.id);
			this.outgoing = this.outgoing.filter((m) => m !== mine);
			this.#unconfirmedSent.add(message.id);
		}
		this.#keepLastSeen();
		void this.#readOriginals();
		void this.#loadFiles([message]);
	}

	/** A read receipt is a hint: the ticks come from the database's rows, read now. */
	#onMessagesRead(receipt: MessagesRead): void {
		if (receipt.conversation_id !== this.conversationId) {
			console.error('[chat] messages_read for another conversation; reading the database instead');
		}
		void this.catchUp();
	}

	/** The conversation's access changed (archived or restored): what the database says decides. */
	#onAccessChanged(change: AccessChanged): void {
		if (change.conversation_id !== this.conversationId) {
			console.error('[chat] access_changed for another conversation; reading the database instead');
		}
		void this.#readAccess();
	}

	/**
	 * Reads whether the conversation is archived (or hidden from me) and sets `archived`. Resolves
	 * to that, or undefined when the database could not be asked.
	 */
	async #readAccess(): Promise<boolean | undefined> {
		const id = this.conversationId;
		if (!id) return undefined;
		const result = await conversations.get(this.#supabase, id);
		if (!result.ok) return undefined;
		const row = result.data;
		this.archived = row === null ? 'unlinked' : (row.archived_reason ?? null);
		if (this.archived !== null) {
			// Read-only now: leave the channel at once, whoever else is still on it.
			this.#subscribed = false;
			this.#link?.stop();
			this.#link = undefined;
		}
		return this.archived !== null;
	}

	#onPresence(): void {
		const state = this.#link?.channel()?.presenceState() ?? {};
		const wasOnline = this.otherOnline;
		this.otherOnline = Object.keys(state).some((key) => key !== this.me);
		// They just left: their last seen is now the record to show.
		if (wasOnline && !this.otherOnline) void this.#readLastSeen();
		this.otherTyping = Object.entries(state).some(
			([key, metas]) =>
				key !== this.me && metas.some((meta) => typingPresenceSchema.safeParse(meta).data?.typing === true)
		);
	}

	/** What this device kept: the last-seen messages, then the unsent ones (pending or failed). */
	async #restore(): Promise<void> {
		const kept = this.conversationId ? await lastSeen.messages(this.me, this.conversationId) : [];
		this.#acceptFromDevice(kept);
		// The device copy may be what the page opened with (offline): whatever of it is held is
		// checked at the next catch-up (the newest page is read in full anyway).
		const heldIds = idsOf(this.messages);
		for (const m of kept) if (heldIds.has(m.id)) this.#unverified.add(m.id);
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
			// Its files as the device kept them, uploaded again from there (to the same keys).
			const kept = record.attachments && !record.filesUploaded ? await outbox.filesOf(record.id) : [];
			const files = kept.length > 0 ? await this.#restoreFiles(kept) : undefined;
			for (const file of files ?? []) this.#keptFiles.add(file);
			if (files) uploadingInChat.add(record.id);
			this.outgoing.push({
				id: record.id,
				body: record.body,
				created_at: record.created_at,
				status: record.status === 'failed' ? 'failed' : 'waiting',
				error: record.status === 'failed' ? record.error : null,
				replyToId: record.replyToId ?? null,
				files,
				attachments: record.attachments
			});
		}
		// Stored by the server before the app was closed: only the device copy was left. A message
		// held only from the device copy is removed from the outbox once the database confirms it.
		const stored: string[] = [];
		for (const record of unsent) {
			if (!this.messages.some((m) => m.id === record.id)) continue;
			if (this.#unverified.has(record.id)) this.#unconfirmedSent.add(record.id);
			else stored.push(record.id);
		}
		if (stored.length > 0) this.#store(() => outbox.remove(stored));
		if (thread !== before && unsent.some((r) => r.thread === before)) {
			this.#store(() => outbox.rethread(this.me, before, thread));
		}
		// Refused by the rate limit before the app was closed: show how long it still holds.
		if (unsent.some((r) => r.status === 'failed' && r.error?.code === RATE_LIMITED)) {
			void this.#learnWhenSendingResumes();
		}
	}

	/** The device's copy fills in what the database's answer did not bring (the app opened offline). */
	#acceptFromDevice(kept: MessageRow[]): void {
		if (!this.conversationId) return;
		this.messages = fillFromDevice(this.messages, kept.map(withState), this.conversationId);
	}

	/**
	 * The newest messages, kept on the device for reading offline: the first change at once, the
	 * changes of a burst together (WRITE_DELAY_MS).
	 */
	#keepLastSeen(): void {
		this.#copy.request();
	}

	#writeLastSeen(): void {
		const id = this.conversationId;
		if (!id) return;
		const newest = this.messages.slice(-KEPT_MESSAGES);
		this.#store(() => lastSeen.saveMessages(this.me, id, newest), undefined, 'copy');
	}

	/**
	 * Queues a device write after the earlier ones; a failure is shown, not hidden (`whenFull`: what
	 * to say when the browser's storage is full instead).
	 */
	#store(write: () => Promise<void>, whenFull?: UserError, queue: 'outbox' | 'copy' = 'outbox'): void {
		const done = (queue === 'outbox' ? this.#io : this.#copyIo).then(write).catch((err: unknown) => {
			console.error('[chat] device storage failed', err);
			this.storageError = whenFull && isQuotaExceeded(err) ? whenFull : DEVICE_STORAGE_FAILED;
		});
		if (queue === 'outbox') this.#io = done;
		else this.#copyIo = done;
	}
}
