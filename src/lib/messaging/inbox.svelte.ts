// The signed-in user's inbox: conversation list pages (pinned first, filtered by view and name),
// my triage of them (pin, mute, mark unread), the unread total for the badge, and the live
// `user:<id>` channel that keeps them current. One instance per signed-in layout.
import type { Supabase } from '$lib/supabase/types';
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { keepJoined, onHint, whenBack, type LiveState } from '$lib/supabase/realtime';
import * as conversations from '$lib/data/conversations';
import { WRITE_DELAY_MS } from '$lib/device/basics';
import { lastSeen } from '$lib/device/on-demand';
import { throttle } from '$lib/device/throttle';
import type { UserError } from '$lib/errors';
import type { ConversationRow, ConversationSettings, InboxRow } from '$lib/schemas/rows';
import type { Result } from '$lib/data/result';
import {
	conversationChangedSchema,
	profileChangedSchema,
	type ConversationChanged
} from '$lib/schemas/realtime';
import { mergeConversations, pinnedFirst } from './merge';

/** Which part of my conversations the list shows: active ones, active ones with unread, archived. */
export type InboxView = 'inbox' | 'unread' | 'archived';

/** A row as this device kept it before triage existed gets the neutral triage state. */
function withTriage(row: ConversationRow & Partial<InboxRow>): InboxRow {
	return {
		pinned_at: null,
		muted: false,
		marked_unread: false,
		other_party_last_seen_at: null,
		...row
	};
}

export class Inbox {
	conversations = $state<InboxRow[]>([]);
	/** The list's filter; change it with setFilter. */
	view = $state<InboxView>('inbox');
	name = $state('');
	unreadTotal = $state(0);
	loaded = $state(false);
	loadingMore = $state(false);
	hasMore = $state(true);
	error = $state<UserError | null>(null);
	live = $state<LiveState>('connecting');
	/** The conversation whose other person has it open now, as the chat on screen sees (presence). */
	onlineIn = $state<string | null>(null);
	/** The latest realtime state of each conversation, loaded in the list or not. */
	readonly changes = new SvelteMap<string, ConversationChanged>();

	readonly #supabase: Supabase;
	readonly userId: string;
	/** Counts realtime events, so a database answer overtaken by one is not applied. */
	#events = 0;
	/** What is shown came from this device's last-seen copy, not yet from the database. */
	#fromDevice = false;
	/** Views that re-read when a person they show changes (see onProfileChanged). */
	#profileListeners: ((profileId: string) => void)[] = [];
	/** Told when a message from the other person arrives in a conversation I have not muted. */
	#incomingListeners: ((change: ConversationChanged) => void)[] = [];
	/** Bumped by every filter change, so an answer for an earlier filter is dropped. */
	#generation = 0;
	/** The device copy's writes, a burst of changes at a time (#keep). */
	#kept = throttle(() => this.#writeKept(), WRITE_DELAY_MS);

	constructor(supabase: Supabase, userId: string) {
		this.#supabase = supabase;
		this.userId = userId;
	}

	/** Joins `user:<id>` and loads the first page after every (re)join. Returns the teardown. */
	connect(): () => void {
		let closed = false;
		void this.#restoreLastSeen();
		// The first page is read at once, beside the join: waiting for SUBSCRIBED first put the
		// realtime code's download, the socket and the join before the list on a phone's cold start,
		// one round trip after another. The read after SUBSCRIBED still catches what changed meanwhile.
		// Offline there is nothing to read: the device copy stays (as before, without an error).
		if (navigator.onLine !== false) void this.refresh();
		const link = keepJoined(this.#supabase, `user:${this.userId}`, {
			config: { private: true },
			bind: (channel) =>
				channel
					.on(
						'broadcast',
						{ event: 'conversation_changed' },
						onHint(
							'conversation_changed',
							conversationChangedSchema,
							(change) => this.#apply(change),
							() => void this.refresh()
						)
					)
					.on(
						'broadcast',
						{ event: 'profile_changed' },
						onHint(
							'profile_changed',
							profileChangedSchema,
							(change) => this.#profileChanged(change.profile_id),
							() => void this.refresh()
						)
					),
			onStatus: (status) => {
				if (status === 'SUBSCRIBED') {
					this.live = 'live';
					void this.refresh();
				} else if (!closed) {
					this.live = 'reconnecting';
				}
			},
			// Closed by the server (a token that expired while the device slept): join again.
			rejoinAfterClose: async () => !closed
		});
		const stopWatching = whenBack(this.#supabase, () => void this.refresh());
		return () => {
			closed = true;
			stopWatching();
			link.stop();
			this.#kept.flush();
		};
	}

	/** The first page and the unread total from the database, merged into what is shown. */
	async refresh(): Promise<void> {
		const eventsBefore = this.#events;
		const generation = this.#generation;
		const [page, total] = await Promise.all([
			conversations.inbox(this.#supabase, this.#filter()),
			conversations.unreadTotal(this.#supabase)
		]);
		if (generation !== this.#generation) return;
		// An event that arrived meanwhile may be newer than this answer: ask again.
		if (this.#events !== eventsBefore) return this.refresh();
		if (!page.ok) {
			// Offline with the list this device last saw: the app's offline notice says enough.
			if (!(page.error.code === 'offline' && this.loaded)) this.error = page.error;
			return;
		}
		this.error = total.ok ? null : total.error;
		if (total.ok) this.unreadTotal = total.data;
		if (!this.loaded || this.#fromDevice) {
			this.hasMore = page.data.length === conversations.PAGE_SIZE;
			// What the device kept may hold conversations the database no longer lists here.
			if (this.#fromDevice) this.conversations = [];
		}
		this.#fromDevice = false;
		this.#merge(page.data);
		this.loaded = true;
		this.#keep();
	}

	/**
	 * Shows another part of the inbox: `view`, and (for trainers) only people whose name contains
	 * `name`. Rows that stop matching while shown (read under "Unread") stay until the filter
	 * changes, so a row does not vanish under the pointer.
	 */
	async setFilter(view: InboxView, name = ''): Promise<void> {
		if (view === this.view && name.trim() === this.name) return;
		this.view = view;
		this.name = name.trim();
		this.#generation++;
		this.conversations = [];
		this.loaded = false;
		this.loadingMore = false;
		this.hasMore = true;
		this.error = null;
		await this.refresh();
	}

	/**
	 * Shows the active inbox's first page as the page's load read it (firstPage), when nothing is
	 * shown yet: the server renders the list into its HTML, and hydration shows the same answer,
	 * instead of the list waiting for the browser's code and a request of its own.
	 */
	seed(rows: InboxRow[]): void {
		if (this.loaded || !this.unfiltered) return;
		this.#merge(rows);
		this.hasMore = rows.length === conversations.PAGE_SIZE;
		this.loaded = true;
	}

	/** Whether the list shows the whole active inbox (the part this device keeps for offline use). */
	get unfiltered(): boolean {
		return this.view === 'inbox' && this.name === '';
	}

	#filter(): conversations.InboxFilter {
		const name = this.name || undefined;
		if (this.view === 'archived') return { archived: true, name };
		return { archived: false, unreadOnly: this.view === 'unread', name };
	}

	/** Whether a conversation not shown could belong in the current view (then the list re-reads). */
	#mightMatch(change: ConversationChanged): boolean {
		if (this.view === 'archived') return change.archived_at !== null;
		if (change.archived_at !== null) return false;
		return this.view !== 'unread' || change.unread_count > 0 || change.marked_unread === true;
	}

	/** The list kept on the device for offline use: the first change at once, a burst together. */
	#keep(): void {
		this.#kept.request();
	}

	#writeKept(): void {
		if (!this.unfiltered) return;
		void lastSeen.saveInbox(this.userId, {
			conversations: this.conversations,
			unreadTotal: this.unreadTotal
		});
	}

	/** Shows the list this device last saw until the database answers (or while offline). */
	async #restoreLastSeen(): Promise<void> {
		const kept = await lastSeen.inbox(this.userId);
		if (!kept || this.loaded || !this.unfiltered) return;
		this.conversations = kept.conversations.map(withTriage).sort(pinnedFirst);
		this.unreadTotal = kept.unreadTotal;
		this.hasMore = false;
		this.#fromDevice = true;
		this.loaded = true;
	}

	/** The next page after the last conversation shown (keyset cursor: pinned, time, id). */
	async loadMore(): Promise<void> {
		const last = this.conversations.at(-1);
		const after = last && conversations.cursorAfter(last);
		if (this.loadingMore || !this.hasMore || !after) return;
		const generation = this.#generation;
		this.loadingMore = true;
		const page = await conversations.inbox(this.#supabase, { ...this.#filter(), after });
		if (generation !== this.#generation) return;
		this.loadingMore = false;
		if (!page.ok) {
			this.error = page.error;
			return;
		}
		this.hasMore = page.data.length === conversations.PAGE_SIZE;
		this.#merge(page.data);
	}

	// ---- my triage: the database answers with the new state, and its event follows -------------

	/** Pins a conversation to the top of my list, or unpins it. */
	pin(conversationId: string, pinned: boolean): Promise<Result<ConversationSettings>> {
		return this.#triage(conversations.setPinned(this.#supabase, conversationId, pinned));
	}

	/** Mutes a conversation (no push, nothing added to the badge), or unmutes it. */
	mute(conversationId: string, muted: boolean): Promise<Result<ConversationSettings>> {
		return this.#triage(conversations.setMuted(this.#supabase, conversationId, muted));
	}

	/** Marks a conversation unread until I open it again. */
	markUnread(conversationId: string): Promise<Result<ConversationSettings>> {
		return this.#triage(conversations.markUnread(this.#supabase, conversationId));
	}

	async #triage(request: Promise<Result<ConversationSettings>>): Promise<Result<ConversationSettings>> {
		const result = await request;
		if (result.ok) {
			const { conversation_id, pinned_at, muted, marked_unread } = result.data;
			this.conversations = this.conversations
				.map((c) =>
					c.id === conversation_id
						? {
								...c,
								pinned_at,
								muted,
								marked_unread,
								unread_count: marked_unread ? Math.max(c.unread_count, 1) : c.unread_count
							}
						: c
				)
				.sort(pinnedFirst);
			this.#keep();
		}
		return result;
	}

	/**
	 * Calls `listener` for each message from the other person that arrives in a conversation I have
	 * not muted (the tab's sound). Returns the teardown.
	 */
	onIncoming(listener: (change: ConversationChanged) => void): () => void {
		this.#incomingListeners = [...this.#incomingListeners, listener];
		return () => {
			this.#incomingListeners = this.#incomingListeners.filter((l) => l !== listener);
		};
	}

	/**
	 * Calls `listener` with the id of each person whose link, name or picture the database says
	 * changed (a hint: the listener re-reads). Returns the teardown.
	 */
	onProfileChanged(listener: (profileId: string) => void): () => void {
		this.#profileListeners = [...this.#profileListeners, listener];
		return () => {
			this.#profileListeners = this.#profileListeners.filter((l) => l !== listener);
		};
	}

	#profileChanged(profileId: string): void {
		// The list shows names and pictures: read it again.
		void this.refresh();
		for (const listener of this.#profileListeners) listener(profileId);
	}

	/**
	 * What the chat on screen knows of the other person: whether they have the conversation open now
	 * (its presence), and their last seen as it read it from the database since the list was read.
	 * So the row says what the chat's header says.
	 */
	showPresence(conversationId: string, online: boolean, lastSeenAt: string | null): void {
		if (online) this.onlineIn = conversationId;
		else if (this.onlineIn === conversationId) this.onlineIn = null;
		const row = this.find(conversationId);
		const shown = row?.other_party_last_seen_at;
		if (row && lastSeenAt && (!shown || Date.parse(lastSeenAt) > Date.parse(shown))) {
			row.other_party_last_seen_at = lastSeenAt;
		}
	}

	find(conversationId: string): InboxRow | undefined {
		return this.conversations.find((c) => c.id === conversationId);
	}

	#merge(rows: InboxRow[]): void {
		this.conversations = mergeConversations(this.conversations, rows, pinnedFirst);
	}

	#apply(change: ConversationChanged): void {
		this.#events++;
		const held = this.find(change.conversation_id);
		const seqBefore = this.changes.get(change.conversation_id)?.last_message_seq ?? held?.last_message_seq;
		this.changes.set(change.conversation_id, change);
		this.unreadTotal = change.unread_total;
		const arrived =
			change.last_message_sender_id !== null &&
			change.last_message_sender_id !== this.userId &&
			(seqBefore === undefined ? change.unread_count > 0 : change.last_message_seq > seqBefore);
		if (arrived && !(change.muted ?? held?.muted)) {
			for (const listener of this.#incomingListeners) listener(change);
		}
		if (!held || !held.other_party_name) {
			if (this.#mightMatch(change)) void this.refresh();
			return;
		}
		this.conversations = this.conversations
			.map((c) =>
				c.id === change.conversation_id
					? {
							...c,
							last_message_at: change.last_message_at,
							last_message_preview: change.last_message_preview,
							last_message_sender_id: change.last_message_sender_id,
							last_message_seq: change.last_message_seq,
							unread_count: change.unread_count,
							archived_at: change.archived_at,
							archived_reason: change.archived_reason,
							pinned_at: change.pinned_at !== undefined ? change.pinned_at : c.pinned_at,
							muted: change.muted ?? c.muted,
							marked_unread: change.marked_unread ?? c.marked_unread
						}
					: c
			)
			.sort(pinnedFirst);
		// The copy kept for offline use follows live changes too, not only full reloads.
		this.#keep();
	}
}

const key = Symbol('inbox');

/** The active inbox's first page, as the list's first read asks for it (see Inbox.seed). */
export function firstPage(supabase: Supabase): Promise<Result<InboxRow[]>> {
	return conversations.inbox(supabase, { archived: false, unreadOnly: false, name: undefined });
}

export function setInbox(inbox: Inbox): Inbox {
	return setContext(key, inbox);
}

export function getInbox(): Inbox {
	return getContext<Inbox>(key);
}
