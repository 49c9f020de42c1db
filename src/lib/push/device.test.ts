import { describe, expect, test } from 'vitest';
import { base64UrlToBytes, enablePush, pushSupport } from './device.ts';

const iphoneSafari =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const ipadSafari =
	'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const chrome =
	'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

function browser(userAgent: string, { standalone = false, maxTouchPoints = 0, push = true } = {}) {
	return {
		navigator: { userAgent, maxTouchPoints, serviceWorker: push ? {} : undefined },
		matchMedia: (query: string) => ({ matches: standalone && query === '(display-mode: standalone)' }),
		PushManager: push ? {} : undefined,
		Notification: push ? {} : undefined
	};
}

describe('push support', () => {
	test('iPhone Safari outside the Home Screen app is asked to install first', () => {
		expect(pushSupport(browser(iphoneSafari, { push: false }))).toBe('ios-install');
	});

	test('an iPad (which calls itself a Mac with a touch screen) is too', () => {
		expect(pushSupport(browser(ipadSafari, { maxTouchPoints: 5 }))).toBe('ios-install');
	});

	test('the installed iOS app can subscribe', () => {
		expect(pushSupport(browser(iphoneSafari, { standalone: true }))).toBe('supported');
	});

	test('desktop Safari on a Mac and Chrome can subscribe; a browser without the Push API cannot', () => {
		expect(pushSupport(browser(ipadSafari))).toBe('supported');
		expect(pushSupport(browser(chrome))).toBe('supported');
		expect(pushSupport(browser(chrome, { push: false }))).toBe('unsupported');
	});
});

describe('enabling push', () => {
	const registration = {
		pushManager: {
			getSubscription: async () => null,
			subscribe: async () => {
				throw new Error('must not subscribe without permission');
			}
		}
	};
	const noClient = {} as never;

	test('stops with a sentence for the user when permission is denied or dismissed', async () => {
		for (const [permission, code] of [
			['denied', 'denied'],
			['default', 'dismissed']
		] as const) {
			const result = await enablePush(noClient, {
				vapidPublicKey: 'AQAB',
				registration,
				requestPermission: async () => permission
			});
			expect(result).toMatchObject({ ok: false, error: { code } });
			if (!result.ok) expect(result.error.message).toMatch(/\.$/);
		}
	});

	test('reports a browser that fails to subscribe as a value, not an exception', async () => {
		const result = await enablePush(noClient, {
			vapidPublicKey: 'AQAB',
			registration,
			requestPermission: async () => 'granted'
		});
		expect(result).toMatchObject({ ok: false, error: { code: 'subscribe-failed' } });
	});

	test('decodes the base64url VAPID key the browser subscribes with', () => {
		expect([...base64UrlToBytes('_-8')]).toEqual([0xff, 0xef]);
	});
});
