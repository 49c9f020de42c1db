// VAPID: the key pair that identifies this server to push services. Production reads it from the
// environment; development generates one once (localbase/push-keys.ts).
import webpush from 'web-push';

export interface VapidKeys {
	/** base64url, uncompressed P-256 point; the browser subscribes with it. */
	publicKey: string;
	privateKey: string;
	/** `mailto:` or `https:` contact for push services. */
	subject: string;
}

/** The keys from VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT, or undefined if unset. */
export function vapidFromEnv(env: Record<string, string | undefined> = process.env): VapidKeys | undefined {
	const publicKey = env.VAPID_PUBLIC_KEY?.trim();
	const privateKey = env.VAPID_PRIVATE_KEY?.trim();
	if (!publicKey && !privateKey) return undefined;
	if (!publicKey || !privateKey) {
		throw new Error('Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (or neither in development).');
	}
	const keys = { publicKey, privateKey, subject: env.VAPID_SUBJECT?.trim() || '' };
	if (!keys.subject) throw new Error('VAPID_SUBJECT must be set (mailto:you@example.com or an https URL).');
	assertVapidKeys(keys);
	return keys;
}

/** Throws a readable error when a key or the subject is malformed (web-push checks the format). */
export function assertVapidKeys(keys: VapidKeys): void {
	webpush.getVapidHeaders('https://push.invalid', keys.subject, keys.publicKey, keys.privateKey, 'aes128gcm');
}

export function generateVapidKeys(subject: string): VapidKeys {
	return { ...webpush.generateVAPIDKeys(), subject };
}
