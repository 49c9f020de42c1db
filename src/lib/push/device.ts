// This device's push subscription: enabling (permission, PushManager, a push_subscriptions row
// through supabase-js and RLS), disabling, and what the browser can do at all. Expected failures
// come back as values with a sentence for the user.
import type { SupabaseClient } from '@supabase/supabase-js';

export interface PushProblem {
	code: 'unsupported' | 'ios-install' | 'denied' | 'dismissed' | 'subscribe-failed' | 'save-failed';
	message: string;
}

export type PushResult = { ok: true } | { ok: false; problem: PushProblem };

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
} as const satisfies Record<PushProblem['code'], string>;

function fail(code: PushProblem['code'], detail?: string): PushResult {
	return { ok: false, problem: { code, message: detail ? `${problems[code]} (${detail})` : problems[code] } };
}

/** The keys of a subscription, as PushSubscription.toJSON() gives them. */
export interface SubscriptionJson {
	endpoint?: string;
	keys?: Record<string, string>;
}

/** Stores this device for the signed-in user (RLS: own rows; an endpoint moves to its new user). */
export async function savePushSubscription(
	supabase: SupabaseClient,
	subscription: SubscriptionJson,
	userAgent?: string
): Promise<PushResult> {
	const { endpoint, keys } = subscription;
	if (!endpoint || !keys?.p256dh || !keys.auth) return fail('subscribe-failed', 'no endpoint or keys');
	const { error } = await supabase.from('push_subscriptions').insert({
		endpoint,
		p256dh: keys.p256dh,
		auth: keys.auth,
		user_agent: userAgent?.slice(0, 500) ?? null
	});
	return error ? fail('save-failed', error.message) : { ok: true };
}

export async function deletePushSubscription(
	supabase: SupabaseClient,
	endpoint: string
): Promise<PushResult> {
	const { error } = await supabase.from('push_subscriptions').delete().eq('endpoint', endpoint);
	return error ? fail('save-failed', error.message) : { ok: true };
}

/** Whether the server has this endpoint for the signed-in user. */
export async function isPushSubscriptionSaved(supabase: SupabaseClient, endpoint: string): Promise<boolean> {
	const { data, error } = await supabase.from('push_subscriptions').select('id').eq('endpoint', endpoint);
	if (error) throw new Error(`could not read push_subscriptions: ${error.message}`);
	return (data ?? []).length > 0;
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
	toJSON(): SubscriptionJson;
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
export async function enablePush(supabase: SupabaseClient, options: EnableOptions): Promise<PushResult> {
	const permission = await options.requestPermission();
	if (permission === 'denied') return fail('denied');
	if (permission !== 'granted') return fail('dismissed');
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
		return fail('subscribe-failed', err instanceof Error ? err.message : String(err));
	}
	return savePushSubscription(supabase, subscription.toJSON(), options.userAgent);
}

/** Turns notifications off for this device (also call it before signing out). */
export async function disablePush(
	supabase: SupabaseClient,
	registration: { pushManager: Pick<PushManagerLike, 'getSubscription'> }
): Promise<PushResult> {
	const subscription = await registration.pushManager.getSubscription();
	if (!subscription) return { ok: true };
	const removed = await deletePushSubscription(supabase, subscription.endpoint);
	if (!removed.ok) return removed;
	await subscription.unsubscribe();
	return { ok: true };
}

/** Before signing out: the next user of this browser must not get this user's messages. */
export async function forgetDeviceBeforeSignOut(supabase: SupabaseClient): Promise<PushResult> {
	if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return { ok: true };
	const registration = await navigator.serviceWorker.getRegistration();
	if (!registration) return { ok: true };
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
