// This device's push subscription: what the browser can do at all, and turning notifications on
// (permission, PushManager, the push_subscriptions row) and off. Results have the one shape of the
// data layer; each problem comes with a sentence for the user.
// Relative imports for values: the push suites import this module outside the app's Vite aliases.
import type { Supabase } from '$lib/supabase/types';
import type { UserError } from '../errors';
import * as pushSubscriptions from '../data/push-subscriptions';
import { failed, ok, type Result } from '../data/result';

/** What this browser offers: push, push only once installed (iOS), or nothing. */
export type PushSupport = 'supported' | 'ios-install' | 'unsupported';

interface BrowserLike {
	navigator: { userAgent: string; maxTouchPoints?: number; standalone?: boolean; serviceWorker?: unknown };
	matchMedia?: (query: string) => { matches: boolean };
	PushManager?: unknown;
	Notification?: unknown;
}

/** iPhone, iPod, or an iPad (which reports itself as a Mac with a touch screen). */
export function isIos(browser: BrowserLike): boolean {
	const { userAgent, maxTouchPoints = 0 } = browser.navigator;
	return /iPad|iPhone|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);
}

/** Running as an installed app (Home Screen on iOS, an installed PWA elsewhere). */
export function isStandalone(browser: BrowserLike): boolean {
	return (
		browser.navigator.standalone === true ||
		browser.matchMedia?.('(display-mode: standalone)').matches === true
	);
}

export function pushSupport(browser: BrowserLike): PushSupport {
	// iOS delivers web push only to web apps added to the Home Screen.
	if (isIos(browser) && !isStandalone(browser)) return 'ios-install';
	if (!browser.navigator.serviceWorker || !browser.PushManager || !browser.Notification) return 'unsupported';
	return 'supported';
}

const problems = {
	unsupported: 'This browser cannot receive notifications.',
	'ios-install':
		'On iPhone and iPad, notifications work once Spotter is on your Home Screen: tap Share, then “Add to Home Screen”, and open Spotter from there.',
	denied:
		'Notifications are blocked for Spotter. Allow them in your browser’s site settings, then try again.',
	dismissed: 'Notifications were not allowed. Press the button again to choose.',
	'subscribe-failed': 'This browser could not set up notifications. Try again later.',
	'save-failed': 'Notifications could not be turned on (the server did not save this device). Try again.'
} as const;

export type PushProblem = keyof typeof problems;

function problem<T>(code: PushProblem, detail?: string): Result<T> {
	const error: UserError = {
		code,
		message: detail ? `${problems[code]} (${detail})` : problems[code],
		retryable: code !== 'unsupported' && code !== 'ios-install'
	};
	return failed(error);
}

interface PushManagerLike {
	getSubscription(): Promise<PushSubscriptionLike | null>;
	subscribe(options: {
		userVisibleOnly: boolean;
		applicationServerKey: Uint8Array<ArrayBuffer>;
	}): Promise<PushSubscriptionLike>;
}

interface PushSubscriptionLike {
	endpoint: string;
	options?: { applicationServerKey?: ArrayBuffer | null };
	/** The keys of a subscription, as PushSubscription.toJSON() gives them. */
	toJSON(): { endpoint?: string; keys?: Record<string, string> };
	unsubscribe(): Promise<boolean>;
}

export interface EnableOptions {
	vapidPublicKey: string;
	registration: { pushManager: PushManagerLike };
	/** Asks for permission; must run inside the button press (browsers refuse it otherwise). */
	requestPermission: () => Promise<NotificationPermission>;
	userAgent?: string;
}

/** Turns notifications on for this device. Call it only from a user's press of a button. */
export async function enablePush(supabase: Supabase, options: EnableOptions): Promise<Result<void>> {
	const permission = await options.requestPermission();
	if (permission === 'denied') return problem('denied');
	if (permission !== 'granted') return problem('dismissed');
	const serverKey = base64UrlToBytes(options.vapidPublicKey);
	const { pushManager } = options.registration;
	let subscription: PushSubscriptionLike;
	try {
		let existing = await pushManager.getSubscription();
		// A subscription made for another server key (keys rotated) cannot receive our pushes.
		const existingKey = existing?.options?.applicationServerKey;
		if (existing && existingKey && !sameBytes(new Uint8Array(existingKey), serverKey)) {
			await existing.unsubscribe();
			existing = null;
		}
		subscription =
			existing ?? (await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey }));
	} catch (err) {
		return problem('subscribe-failed', err instanceof Error ? err.message : String(err));
	}
	const { endpoint, keys } = subscription.toJSON();
	if (!endpoint || !keys?.p256dh || !keys.auth) return problem('subscribe-failed', 'no endpoint or keys');
	const saved = await pushSubscriptions.save(
		supabase,
		{ endpoint, p256dh: keys.p256dh, auth: keys.auth },
		options.userAgent
	);
	return saved.ok ? ok(undefined) : problem('save-failed', saved.error.message);
}

/** Turns notifications off for this device (also before signing out). */
export async function disablePush(
	supabase: Supabase,
	registration: { pushManager: Pick<PushManagerLike, 'getSubscription'> }
): Promise<Result<void>> {
	const subscription = await registration.pushManager.getSubscription();
	if (!subscription) return ok(undefined);
	const removed = await pushSubscriptions.remove(supabase, subscription.endpoint);
	if (!removed.ok) return problem('save-failed', removed.error.message);
	await subscription.unsubscribe();
	return ok(undefined);
}

/** Before signing out: the next user of this browser must not get this user's messages. */
export async function forgetDevice(supabase: Supabase): Promise<Result<void>> {
	if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return ok(undefined);
	const registration = await navigator.serviceWorker.getRegistration();
	if (!registration) return ok(undefined);
	return disablePush(supabase, registration);
}

export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
	const base64 = value
		.replace(/-/g, '+')
		.replace(/_/g, '/')
		.padEnd(Math.ceil(value.length / 4) * 4, '=');
	const binary = atob(base64);
	const bytes = new Uint8Array(new ArrayBuffer(binary.length));
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
