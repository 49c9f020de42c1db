import { describe, expect, test, vi } from 'vitest';
import { handleNotificationClick, handlePush, targetUrl, type WindowClientLike } from './sw-handlers.ts';

const conversation = '20000000-0000-4000-8000-000000000001';
const payload = {
	conversation_id: conversation,
	message_id: '30000000-0000-4000-8000-000000000001',
	sender_name: 'Casey Coach',
	preview: 'Leg day moved to 7am',
	unread_total: 4,
	url: `/messages/${conversation}`
};
const origin = 'https://spotter.example';

function workerScope(shown: { data?: unknown }[] = []) {
	return {
		registration: {
			showNotification: vi.fn(async () => {}),
			getNotifications: vi.fn(async () => shown)
		},
		navigator: { setAppBadge: vi.fn(async () => {}), clearAppBadge: vi.fn(async () => {}) }
	};
}

const pushData = (value: unknown) => ({ json: () => value });

describe('a push', () => {
	test('shows the sender and preview, tagged by conversation, linking to it', async () => {
		const scope = workerScope();
		await handlePush(scope, pushData(payload));
		expect(scope.registration.showNotification).toHaveBeenCalledWith('Casey Coach', {
			body: 'Leg day moved to 7am',
			tag: `conversation:${conversation}`,
			renotify: true,
			icon: '/icons/icon-192.png',
			badge: '/icons/badge-96.png',
			data: { url: payload.url, conversation_id: conversation, message_id: payload.message_id, count: 1 }
		});
	});

	test('sets the app badge to the unread total, and clears it at zero', async () => {
		const scope = workerScope();
		await handlePush(scope, pushData(payload));
		expect(scope.navigator.setAppBadge).toHaveBeenCalledWith(4);
		await handlePush(scope, pushData({ ...payload, unread_total: 0 }));
		expect(scope.navigator.clearAppBadge).toHaveBeenCalledOnce();
	});

	test('replaces the conversation’s earlier notification and says how many messages it stands for', async () => {
		const scope = workerScope([{ data: { url: payload.url, count: 2 } }]);
		await handlePush(scope, pushData(payload));
		expect(scope.registration.getNotifications).toHaveBeenCalledWith({ tag: `conversation:${conversation}` });
		expect(scope.registration.showNotification).toHaveBeenCalledWith(
			'Casey Coach (3 new)',
			expect.objectContaining({
				tag: `conversation:${conversation}`,
				data: expect.objectContaining({ count: 3 })
			})
		);
	});

	test('that cannot be read still shows a notification (iOS drops subscriptions whose pushes show none)', async () => {
		for (const data of [
			null,
			pushData({ ...payload, url: 'https://evil.example/' }),
			{
				json: () => {
					throw new SyntaxError('not JSON');
				}
			}
		]) {
			const scope = workerScope();
			await handlePush(scope, data);
			expect(scope.registration.showNotification).toHaveBeenCalledWith(
				'Spotter',
				expect.objectContaining({ body: 'You have a new message.', data: { url: '/messages', count: 1 } })
			);
			expect(scope.navigator.setAppBadge).not.toHaveBeenCalled();
		}
	});

	test('works where the Badging API does not exist', async () => {
		const scope = { registration: workerScope().registration };
		await expect(handlePush(scope, pushData(payload))).resolves.toBeUndefined();
		expect(scope.registration.showNotification).toHaveBeenCalledOnce();
	});
});

function windowClient(
	url: string,
	focused = false
): WindowClientLike & { focus: ReturnType<typeof vi.fn>; navigate: ReturnType<typeof vi.fn> } {
	const client = {
		url,
		focused,
		focus: vi.fn(async () => client),
		navigate: vi.fn(async (to: string) => ({ ...client, url: to }))
	};
	return client;
}

function clickScope(windows: WindowClientLike[]) {
	return {
		location: { origin },
		clients: { matchAll: vi.fn(async () => windows), openWindow: vi.fn(async () => null) }
	};
}

const notification = (data: unknown = { url: payload.url, count: 1 }) => ({ data, close: vi.fn() });

describe('a click on a notification', () => {
	test('focuses a window already showing the conversation', async () => {
		const there = windowClient(`${origin}${payload.url}`);
		const elsewhere = windowClient(`${origin}/messages`, true);
		const scope = clickScope([elsewhere, there]);
		const clicked = notification();
		await handleNotificationClick(scope, clicked);
		expect(clicked.close).toHaveBeenCalledOnce();
		expect(there.focus).toHaveBeenCalledOnce();
		expect(elsewhere.navigate).not.toHaveBeenCalled();
		expect(scope.clients.openWindow).not.toHaveBeenCalled();
	});

	test('otherwise focuses an open Spotter window and navigates it to the conversation', async () => {
		const other = windowClient(`${origin}/settings`);
		const focused = windowClient(`${origin}/messages`, true);
		const scope = clickScope([other, focused]);
		await handleNotificationClick(scope, notification());
		expect(focused.focus).toHaveBeenCalledOnce();
		expect(focused.navigate).toHaveBeenCalledWith(`${origin}${payload.url}`);
		expect(other.navigate).not.toHaveBeenCalled();
		expect(scope.clients.openWindow).not.toHaveBeenCalled();
	});

	test('opens a new window when no Spotter window is open (the installed app was closed)', async () => {
		const foreign = windowClient('https://elsewhere.example/');
		const scope = clickScope([foreign]);
		await handleNotificationClick(scope, notification());
		expect(foreign.focus).not.toHaveBeenCalled();
		expect(scope.clients.openWindow).toHaveBeenCalledWith(`${origin}${payload.url}`);
	});

	test('opens a window when the open one cannot be navigated (not controlled by this worker)', async () => {
		const stuck = windowClient(`${origin}/messages`);
		stuck.navigate.mockRejectedValue(new TypeError('not controlled'));
		const scope = clickScope([stuck]);
		await handleNotificationClick(scope, notification());
		expect(scope.clients.openWindow).toHaveBeenCalledWith(`${origin}${payload.url}`);
	});

	test('never leads off our origin', () => {
		expect(targetUrl({ url: 'https://evil.example/phish' }, origin)).toBe(`${origin}/messages`);
		expect(targetUrl({ url: '//evil.example/phish' }, origin)).toBe(`${origin}/messages`);
		expect(targetUrl(undefined, origin)).toBe(`${origin}/messages`);
		expect(targetUrl({ url: payload.url }, origin)).toBe(`${origin}${payload.url}`);
	});
});
