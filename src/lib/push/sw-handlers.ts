// What the service worker does on `push` and `notificationclick`, as plain functions over the
// parts of the worker scope they use (so unit tests can hand them fakes).
//
// Every push shows a notification: Safari on iOS ends subscriptions whose pushes show none, and
// the server already skipped messages that were read (see the dispatcher).
import { notificationTag, pushPayloadSchema, type PushPayload } from '$lib/schemas/push-payload';
import { setBadge } from './badge';

export interface ShownNotification {
	data?: unknown;
}

export interface NotificationScope {
	registration: {
		showNotification(title: string, options: NotificationOptions & Record<string, unknown>): Promise<void>;
		getNotifications?(filter?: { tag?: string }): Promise<ShownNotification[]>;
	};
	navigator?: { setAppBadge?(count?: number): Promise<void>; clearAppBadge?(): Promise<void> };
}

export interface WindowClientLike {
	url: string;
	focused?: boolean;
	focus(): Promise<unknown>;
	navigate?(url: string): Promise<unknown>;
}

export interface ClickScope {
	location: { origin: string };
	clients: {
		matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
		openWindow(url: string): Promise<unknown>;
	};
}

export interface NotificationData {
	url: string;
	conversation_id?: string;
	message_id?: string;
	/** How many messages this notification stands for (it replaces the conversation's earlier one). */
	count: number;
}

const ICON = '/icons/icon-192.png';
const BADGE = '/icons/badge-96.png';

/** Parses a push's data; a push we cannot read still becomes a (generic) notification. */
export function readPayload(data: { json(): unknown } | null | undefined): PushPayload | null {
	if (!data) return null;
	try {
		const parsed = pushPayloadSchema.safeParse(data.json());
		return parsed.success ? parsed.data : null;
	} catch {
		// Not JSON at all: the generic notification below is the answer, not an error.
		return null;
	}
}

export async function handlePush(
	scope: NotificationScope,
	data: { json(): unknown } | null | undefined
): Promise<void> {
	const payload = readPayload(data);
	if (!payload) {
		await scope.registration.showNotification('Spotter', {
			body: 'You have a new message.',
			tag: 'spotter',
			icon: ICON,
			badge: BADGE,
			data: { url: '/messages', count: 1 } satisfies NotificationData
		});
		return;
	}
	const tag = notificationTag(payload.conversation_id);
	const earlier = (await scope.registration.getNotifications?.({ tag })) ?? [];
	const count = earlier.reduce((n, shown) => Math.max(n, countOf(shown.data)), 0) + 1;
	const data_: NotificationData = {
		url: payload.url,
		conversation_id: payload.conversation_id,
		message_id: payload.message_id,
		count
	};
	await Promise.all([
		scope.registration.showNotification(
			count > 1 ? `${payload.sender_name} (${count} new)` : payload.sender_name,
			{
				body: payload.preview,
				tag,
				// A replacement for the same conversation still alerts the user.
				renotify: true,
				icon: ICON,
				badge: BADGE,
				data: data_
			}
		),
		setBadge(scope, payload.unread_total)
	]);
}

function countOf(data: unknown): number {
	const count = (data as Partial<NotificationData> | null | undefined)?.count;
	return typeof count === 'number' && count > 0 ? count : 1;
}

/** Where a click on this notification leads: its conversation, on our own origin only. */
export function targetUrl(data: unknown, origin: string): string {
	const url = (data as Partial<NotificationData> | null | undefined)?.url;
	const target = new URL(typeof url === 'string' ? url : '/messages', origin);
	return target.origin === origin ? target.href : new URL('/messages', origin).href;
}

/** Focuses an open Spotter window on the conversation, or opens one. */
export async function handleNotificationClick(
	scope: ClickScope,
	notification: { data?: unknown; close(): void }
): Promise<void> {
	notification.close();
	const url = targetUrl(notification.data, scope.location.origin);
	const windows = (await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(
		(c) => new URL(c.url).origin === scope.location.origin
	);
	const already = windows.find((c) => c.url === url);
	if (already) {
		await already.focus();
		return;
	}
	const window = windows.find((c) => c.focused) ?? windows[0];
	if (window?.navigate) {
		// Focus first: it must happen while the click still counts as a user gesture.
		await window.focus();
		const navigated = await window.navigate(url).catch(() => null);
		if (navigated) return;
	}
	await scope.clients.openWindow(url);
}
