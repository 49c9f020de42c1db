// The push dispatcher: drains private.push_outbox into Web Push requests.
//
// The queue is SQL functions of the push migration (private.push_claim, push_reserve, push_record,
// push_finish), each a short statement, none holding a transaction across the network (PGlite has
// a single connection): claim due rows with a lease, reserve each (message, device) pair once (what
// guarantees a device never gets a message twice, whatever the number of dispatchers), then send,
// record each answer and finish each row. This file does the network part and decides retries.
import webpush from 'web-push';
import { conversationUrl, pushPayloadSchema, type PushPayload } from '../../schemas/push-payload.ts';
import type { VapidKeys } from './vapid.ts';

/** The slice of Db (db/index.ts: a Postgres pool, or PGlite in the suites) the dispatcher needs. */
export interface PushDb {
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
	listen(
		channel: string,
		onPayload: (payload: string) => void,
		options?: { onReconnect?: () => void }
	): Promise<() => Promise<void>>;
}

export interface PushDispatcherOptions {
	db: PushDb;
	vapid: VapidKeys;
	/** Safety-net sweep when no NOTIFY arrives (default 30 s). */
	sweepMs?: number;
	/** Rows claimed per batch (default 50) and batches in flight at once (default 4). */
	batchSize?: number;
	concurrency?: number;
	/** How long a claim holds a row before another dispatcher may take it over (default 60 s). */
	leaseMs?: number;
	/** Per-request timeout towards the push service (default 10 s); must stay well below leaseMs. */
	requestTimeoutMs?: number;
	/** Retries of transient failures (5xx, 429, network): exponential from baseMs up to maxMs. */
	backoff?: { baseMs?: number; maxMs?: number; maxAttempts?: number };
	/** Time-to-live the push service keeps an undelivered push (default 1 day). */
	ttlSeconds?: number;
	/** Where failures of the dispatcher itself go (default: console.error). */
	onError?: (error: unknown, context: string) => void;
}

export interface PushDispatcherStats {
	/** Pushes the push service accepted. */
	delivered: number;
	/** Outbox rows skipped because the message was read first. */
	skippedRead: number;
	/** Subscriptions removed because the push service answered 404/410. */
	removedSubscriptions: number;
	/** Sends that failed transiently and were scheduled again. */
	retried: number;
	/** Sends refused for good (other 4xx). */
	failed: number;
}

export interface PushDispatcher {
	/** Stops listening and sweeping; resolves once in-flight batches finished. */
	stop(): Promise<void>;
	/** Runs until no outbox row is left undone (waiting for grace periods and retries). */
	drain(options?: { timeoutMs?: number }): Promise<void>;
	stats(): PushDispatcherStats;
}

/** A claimed outbox row and what its push needs; `outcome` is set when the claim finished it. */
interface Claimed {
	outbox_id: number;
	attempts: number;
	outcome: 'read' | 'no_devices' | 'failed' | null;
	conversation_id: string;
	message_id: string;
	sender_name: string;
	preview: string;
	unread_total: number;
}

interface Target {
	outbox_id: number;
	subscription_id: string;
	endpoint: string;
	p256dh: string;
	auth: string;
}

type SendResult =
	| { kind: 'delivered' }
	| { kind: 'gone'; status: number }
	| { kind: 'transient'; error: string; retryAfterMs?: number }
	| { kind: 'refused'; error: string };

export function startPushDispatcher(options: PushDispatcherOptions): PushDispatcher {
	const { db, vapid } = options;
	const sweepMs = options.sweepMs ?? 30_000;
	const batchSize = options.batchSize ?? 50;
	const concurrency = options.concurrency ?? 4;
	const leaseMs = options.leaseMs ?? 60_000;
	const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
	const baseMs = options.backoff?.baseMs ?? 2_000;
	const maxMs = options.backoff?.maxMs ?? 10 * 60_000;
	const maxAttempts = options.backoff?.maxAttempts ?? 10;
	const ttlSeconds = options.ttlSeconds ?? 24 * 60 * 60;
	const onError =
		options.onError ?? ((error: unknown, context: string) => console.error(`[push] ${context}:`, error));

	const stats: PushDispatcherStats = {
		delivered: 0,
		skippedRead: 0,
		removedSubscriptions: 0,
		retried: 0,
		failed: 0
	};
	let stopped = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let timerAt = Infinity;
	let running: Promise<void> | undefined;
	let again = false;
	let unlisten: (() => Promise<void>) | undefined;

	// The channel is named once, by the database (private.push_channel), which notifies on it. The
	// adapter re-opens a lost LISTEN by itself; rows queued while it was down are claimed at once
	// when it is back (kick), not at the next sweep. A LISTEN that cannot be set up at all is tried
	// again with backoff, the sweep covering meanwhile.
	let listenAttempts = 0;
	let listenRetry: ReturnType<typeof setTimeout> | undefined;
	let listening: Promise<void> = Promise.resolve();
	function startListening(): void {
		listening = db
			.query<{ channel: string }>('select private.push_channel() as channel')
			.then(({ rows }) => db.listen(rows[0].channel, () => kick(), { onReconnect: () => kick() }))
			.then((u) => {
				if (stopped) return u();
				unlisten = u;
				listenAttempts = 0;
				// Rows queued before the LISTEN was in place (while it was being set up, or while an
				// earlier attempt had failed) notified nobody: claim them now, not at the next sweep.
				kick();
			})
			.catch((err: unknown) => {
				listenAttempts++;
				onError(err, 'LISTEN for the push outbox failed; relying on the sweep until it is back');
				if (stopped) return;
				const delay = Math.min(sweepMs, 500 * 2 ** Math.min(listenAttempts, 10));
				listenRetry = setTimeout(startListening, delay);
			});
	}
	startListening();
	kick();

	function schedule(delayMs: number): void {
		if (stopped) return;
		const at = Date.now() + Math.max(0, delayMs);
		if (timer && timerAt <= at) return;
		clearTimeout(timer);
		timerAt = at;
		timer = setTimeout(
			() => {
				timer = undefined;
				timerAt = Infinity;
				kick();
			},
			Math.max(0, delayMs)
		);
	}

	/** Starts a cycle, or asks the running one to go round again (NOTIFY bursts coalesce). */
	function kick(): Promise<void> {
		if (stopped) return Promise.resolve();
		if (running) {
			again = true;
			return running;
		}
		running = cycle().finally(() => {
			running = undefined;
		});
		return running;
	}

	async function cycle(): Promise<void> {
		try {
			let next: number | null;
			do {
				again = false;
				// Workers claim disjoint batches until one comes back short: nothing more is due.
				await Promise.all(
					Array.from({ length: concurrency }, async () => {
						while (!stopped && (await runBatch()) === batchSize);
					})
				);
				// A kick during this last check may be for a row its answer missed: go round again.
				next = await nextDueInMs();
			} while (again && !stopped);
			schedule(next === null ? sweepMs : Math.min(next, sweepMs));
		} catch (err) {
			onError(err, 'dispatch cycle failed; retrying at the next sweep');
			schedule(sweepMs);
		}
	}

	/** Milliseconds until the next undone row may be claimed, by the database's clock. */
	async function nextDueInMs(): Promise<number | null> {
		const { rows } = await db.query<{ ms: number | null }>('select private.push_ms_until_due() as ms');
		const ms = rows[0]?.ms;
		return ms === null || ms === undefined ? null : Math.max(0, Math.ceil(ms) + 5);
	}

	/** Claims, sends and records one batch; resolves to the number of rows claimed. */
	async function runBatch(): Promise<number> {
		const { rows: claimed } = await db.query<Claimed>(
			"select * from private.push_claim($1::int, $2::float8 * interval '1 millisecond')",
			[batchSize, leaseMs]
		);
		if (claimed.length === 0) return 0;
		stats.skippedRead += claimed.filter((c) => c.outcome === 'read').length;
		const toSend = claimed.filter((c) => c.outcome === null);
		const claimOf = new Map(toSend.map((c) => [c.outbox_id, c]));

		// Reserve (message, device) pairs; a pair another dispatcher or an earlier attempt already
		// holds is not returned, so it is not sent again.
		const { rows: targets } = toSend.length
			? await db.query<Target>('select * from private.push_reserve($1::bigint[])', [
					toSend.map((c) => c.outbox_id)
				])
			: { rows: [] as Target[] };

		const results = await Promise.all(
			targets.map(async (t) => ({ target: t, result: await send(t, payloadOf(claimOf.get(t.outbox_id)!)) }))
		);

		await recordDeliveries(results);
		await finishOutboxRows(toSend, results);
		return claimed.length;
	}

	function payloadOf(c: Claimed): PushPayload {
		return pushPayloadSchema.parse({
			conversation_id: c.conversation_id,
			message_id: c.message_id,
			sender_name: c.sender_name,
			preview: c.preview,
			unread_total: Math.max(0, c.unread_total),
			url: conversationUrl(c.conversation_id)
		});
	}

	// A VAPID token is valid for up to 24 h and names only the push service's origin: signing one
	// per origin and reusing it for an hour saves an ECDSA signature per push.
	const vapidTokens = new Map<string, { header: string; renewAt: number }>();
	function vapidAuthorization(endpoint: string): string {
		const audience = new URL(endpoint).origin;
		const cached = vapidTokens.get(audience);
		if (cached && cached.renewAt > Date.now()) return cached.header;
		const expiration = Math.floor(Date.now() / 1000) + 12 * 60 * 60;
		const { Authorization } = webpush.getVapidHeaders(
			audience,
			vapid.subject,
			vapid.publicKey,
			vapid.privateKey,
			'aes128gcm',
			expiration
		);
		vapidTokens.set(audience, { header: Authorization, renewAt: Date.now() + 60 * 60 * 1000 });
		return Authorization;
	}

	async function send(target: Target, payload: PushPayload): Promise<SendResult> {
		let request: ReturnType<typeof webpush.generateRequestDetails>;
		try {
			request = webpush.generateRequestDetails(
				{ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
				JSON.stringify(payload),
				{
					headers: { Authorization: vapidAuthorization(target.endpoint) },
					TTL: ttlSeconds,
					urgency: 'high',
					// A push still queued at the push service is replaced by a newer one for the same
					// conversation (RFC 8030 topic: at most 32 base64url characters).
					topic: payload.conversation_id.replaceAll('-', '')
				}
			);
		} catch (err) {
			// A malformed key stored for the device: sending can never work.
			return { kind: 'refused', error: `cannot encrypt for this device: ${errorText(err)}` };
		}
		let response: Response;
		try {
			response = await fetch(request.endpoint, {
				method: 'POST',
				headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
				body: request.body ? new Uint8Array(request.body) : undefined,
				signal: AbortSignal.timeout(requestTimeoutMs)
			});
		} catch (err) {
			return { kind: 'transient', error: `network: ${errorText(err)}` };
		}
		const status = response.status;
		// The body only adds detail to an error; a body that cannot be read says so instead.
		const text = await response
			.text()
			.catch((err: unknown) => `(response body unreadable: ${errorText(err)})`);
		if (status >= 200 && status < 300) return { kind: 'delivered' };
		if (status === 404 || status === 410) return { kind: 'gone', status };
		const error = `push service answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
		if (status === 429 || status >= 500) {
			return { kind: 'transient', error, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
		}
		return { kind: 'refused', error };
	}

	async function recordDeliveries(results: { target: Target; result: SendResult }[]): Promise<void> {
		if (results.length === 0) return;
		const { rows } = await db.query<{ removed: number }>(
			'select private.push_record($1::bigint[], $2::uuid[], $3::text[], $4::text[]) as removed',
			[
				results.map((r) => r.target.outbox_id),
				results.map((r) => r.target.subscription_id),
				results.map((r) => r.result.kind),
				results.map((r) => ('error' in r.result ? r.result.error : null))
			]
		);
		const count = (kind: SendResult['kind']) => results.filter((r) => r.result.kind === kind).length;
		stats.delivered += count('delivered');
		stats.retried += count('transient');
		stats.failed += count('refused');
		stats.removedSubscriptions += rows[0].removed;
	}

	async function finishOutboxRows(
		claimed: Claimed[],
		results: { target: Target; result: SendResult }[]
	): Promise<void> {
		if (claimed.length === 0) return;
		const updates = claimed.map((row) => {
			const mine = results.filter((r) => r.target.outbox_id === row.outbox_id).map((r) => r.result);
			const transient = mine.filter((r) => r.kind === 'transient');
			const refused = mine.filter((r) => r.kind === 'refused');
			const done = (outcome: string, error: string | null) => ({ row, outcome, retryMs: 0, error });
			if (transient.length) {
				const last = transient[transient.length - 1] as Extract<SendResult, { kind: 'transient' }>;
				if (row.attempts >= maxAttempts) return done('failed', last.error);
				const backoff = Math.min(maxMs, baseMs * 2 ** (row.attempts - 1));
				const jittered = backoff / 2 + Math.random() * (backoff / 2);
				const retryMs = Math.max(jittered, Math.min(last.retryAfterMs ?? 0, maxMs));
				return { row, outcome: null, retryMs, error: last.error };
			}
			const firstRefusal = refused.length ? (refused[0] as { error: string }).error : null;
			if (refused.length && refused.length === mine.length) return done('failed', firstRefusal);
			return done('sent', firstRefusal);
		});
		await db.query(
			'select private.push_finish($1::bigint[], $2::int[], $3::text[], $4::float8[], $5::text[])',
			[
				updates.map((u) => u.row.outbox_id),
				updates.map((u) => u.row.attempts),
				updates.map((u) => u.outcome),
				updates.map((u) => u.retryMs),
				updates.map((u) => u.error)
			]
		);
	}

	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			clearTimeout(listenRetry);
			timer = undefined;
			await listening;
			await unlisten?.();
			unlisten = undefined;
			await running;
		},
		async drain({ timeoutMs = 60_000 } = {}) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				if (stopped) throw new Error('drain() on a stopped push dispatcher');
				await kick();
				const { rows } = await db.query<{ pending: number }>('select private.push_pending() as pending');
				if (rows[0].pending === 0) return;
				if (Date.now() > deadline) {
					throw new Error(`push outbox not drained within ${timeoutMs} ms (${rows[0].pending} pending)`);
				}
				// Rows leased by another dispatcher finish there; look again soon rather than at lease end.
				const wait = (await nextDueInMs()) ?? 50;
				await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 10), 100)));
			}
		},
		stats: () => ({ ...stats })
	};
}

function retryAfterMs(header: string | null): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const at = Date.parse(header);
	return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function errorText(err: unknown): string {
	if (err instanceof Error) {
		const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
		return `${err.message}${cause}`;
	}
	return String(err);
}
