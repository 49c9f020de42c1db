// The signed-in user's inbox: conversation list pages, the unread total for the badge, and the
// live `user:<id>` channel that keeps both current. One instance per signed-in layout.
import type { Supabase } from '$lib/supabase/types';
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { keepJoined, onHint, whenBack, type LiveState } from '$lib/supabase/realtime';
import * as conversations from '$lib/data/conversations';
import * as lastSeen from '$lib/device/last-seen';
import type { UserError } from '$lib/errors';
import type { ConversationRow } from '$lib/schemas/rows';
import {
	conversationChangedSchema,
	profileChangedSchema,
	type ConversationChanged
} from '$lib/schemas/realtime';
import { mergeConversations, newestFirst } from './merge';

export class Inbox {
	conversations = $state<ConversationRow[]>([]);
	unreadTotal = $state(0);
	loaded = $state(false);
	loadingMore = $state(false);
	hasMore = $state(true);
	error = $state<UserError | null>(null);
	live = $state<LiveState>('connecting');
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

	constructor(supabase: Supabase, userId: string) {
		this.#supabase = supabase;
		this.userId = userId;
	}

	/** Joins `user:<id>` and loads the first page after every (re)join. Returns the teardown. */
	connect(): () => void {
		let closed = false;
		void this.#restoreLastSeen();
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
		};
	}

	/** The first page and the unread total from the database, merged into what is shown. */
	async refresh(): Promise<void> {
		const eventsBefore = this.#events;
		const [page, total] = await Promise.all([
			conversations.list(this.#supabase),
			conversations.unreadTotal(this.#supabase)
		]);
		// An event that arrived meanwhile may be newer than this answer: ask again.
		if (this.#events !== eventsBefore) return this.refresh();
		if (!page.ok) {
			// Offline with the list this device last saw: the app's offline notice says enough.
			if (!(page.error.code === 'offline' && this.loaded)) this.error = page.error;
			return;
		}
		this.error = total.ok ? null : total.error;
		if (total.ok) this.unreadTotal = total.data;
		if (!this.loaded || this.#fromDevice) this.hasMore = page.data.length === conversations.PAGE_SIZE;
		this.#fromDevice = false;
		this.#merge(page.data);
		this.loaded = true;
		void lastSeen.saveInbox(this.userId, {
			conversations: this.conversations,
			unreadTotal: this.unreadTotal
		});
	}

	/** Shows the list this device last saw until the database answers (or while offline). */
	async #restoreLastSeen(): Promise<void> {
		const kept = await lastSeen.inbox(this.userId);
		if (!kept || this.loaded) return;
		this.conversations = kept.conversations;
		this.unreadTotal = kept.unreadTotal;
		this.hasMore = false;
		this.#fromDevice = true;
		this.loaded = true;
	}

	/** The next page after the oldest conversation shown (keyset cursor). */
	async loadMore(): Promise<void> {
		const last = this.conversations.at(-1);
		if (this.loadingMore || !this.hasMore || !last?.last_message_at) return;
		this.loadingMore = true;
		const page = await conversations.list(this.#supabase, {
			lastMessageAt: last.last_message_at,
			id: last.id
		});
		this.loadingMore = false;
		if (!page.ok) {
			this.error = page.error;
			return;
		}
		this.hasMore = page.data.length === conversations.PAGE_SIZE;
		this.#merge(page.data);
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

	find(conversationId: string): ConversationRow | undefined {
		return this.conversations.find((c) => c.id === conversationId);
	}

	#merge(rows: ConversationRow[]): void {
		this.conversations = mergeConversations(this.conversations, rows);
	}

	#apply(change: ConversationChanged): void {
		this.#events++;
		this.changes.set(change.conversation_id, change);
		this.unreadTotal = change.unread_total;
		const held = this.find(change.conversation_id);
		if (!held || !held.other_party_name) {
			void this.refresh();
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
							archived_reason: change.archived_reason
						}
					: c
			)
			.sort(newestFirst);
		// The copy kept for offline use follows live changes too, not only full reloads.
		void lastSeen.saveInbox(this.userId, {
			conversations: this.conversations,
			unreadTotal: this.unreadTotal
		});
	}
}

const key = Symbol('inbox');

export function setInbox(inbox: Inbox): Inbox {
	return setContext(key, inbox);
}

export function getInbox(): Inbox {
	return getContext<Inbox>(key);
}
