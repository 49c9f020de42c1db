// The push dispatcher: drains private.push_outbox into Web Push requests.
//
// Each batch is three short steps, none holding a transaction across the network (PGlite has a
// single connection): claim due rows (FOR UPDATE SKIP LOCKED + a lease in locked_until), reserve
// each (message, device) pair in private.push_deliveries (its primary key is what guarantees a
// device never gets a message twice, whatever the number of dispatchers), then send and record.
import webpush from 'web-push';
import { conversationUrl, pushPayloadSchema, type PushPayload } from '../../push/payload.ts';
import type { VapidKeys } from './vapid.ts';

/** The slice of Db (db/index.ts: a Postgres pool, or PGlite in the suites) the dispatcher needs. */
export interface PushDb {
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
	listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface PushDispatcherOptions {
	db: PushDb;
	vapid: VapidKeys;
	/** Wait this long after a message before its first push (a reader marks it read meanwhile).
	 * Default: the outbox row's not_before (2 s after the message). */
	graceMs?: number;
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

export const OUTBOX_CHANNEL = 'spotter_push_outbox';

interface Claimed {
	id: number;
	attempts: number;
}

interface Context {
	id: number;
	conversation_id: string;
	message_id: string;
	read: boolean;
	sender_name: string;
	preview: string;
	unread_total: number;
	devices: number;
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
	const graceMs = options.graceMs ?? null;
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

	const listening = db
		.listen(OUTBOX_CHANNEL, () => kick())
		.then((u) => {
			if (stopped) return u();
			unlisten = u;
		})
		.catch((err: unknown) => onError(err, `LISTEN ${OUTBOX_CHANNEL} failed; relying on the sweep`));
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
			do {
				again = false;
				// Workers claim disjoint batches until one comes back short: nothing more is due.
				await Promise.all(
					Array.from({ length: concurrency }, async () => {
						while (!stopped && (await runBatch()) === batchSize);
					})
				);
			} while (again && !stopped);
			const next = await nextDueInMs();
			schedule(next === null ? sweepMs : Math.min(next, sweepMs));
		} catch (err) {
			onError(err, 'dispatch cycle failed; retrying at the next sweep');
			schedule(sweepMs);
		}
	}

	/** Milliseconds until the next undone row may be claimed, by the database's clock. */
	async function nextDueInMs(): Promise<number | null> {
		const { rows } = await db.query<{ ms: number | null }>(
			`select (extract(epoch from min(greatest(${eligibleAt('o')}, coalesce(o.locked_until, '-infinity')))
			         - now()) * 1000)::float8 as ms
			from private.push_outbox o
			where o.done_at is null`,
			[graceMs]
		);
		const ms = rows[0]?.ms;
		return ms === null || ms === undefined ? null : Math.max(0, Math.ceil(ms) + 5);
	}

	/** Claims, sends and records one batch; resolves to the number of rows claimed. */
	async function runBatch(): Promise<number> {
		const { rows: claimed } = await db.query<Claimed>(
			`with due as (
			   select o.id from private.push_outbox o
			   where o.done_at is null
			     and (o.locked_until is null or o.locked_until <= now())
			     and ${eligibleAt('o')} <= now()
			   order by o.id
			   limit $2
			   for update skip locked
			 )
			 update private.push_outbox o
			 set locked_until = now() + $3::float8 * interval '1 millisecond', attempts = o.attempts + 1
			 from due
			 where o.id = due.id
			 returning o.id, o.attempts`,
			[graceMs, batchSize, leaseMs]
		);
		if (claimed.length === 0) return 0;
		const ids = claimed.map((c) => c.id);
		const attemptsOf = new Map(claimed.map((c) => [c.id, c.attempts]));

		const { rows: contexts } = await db.query<Context>(
			`select o.id, m.conversation_id, m.id as message_id, m.read_at is not null as read,
			        p.display_name as sender_name, private.message_preview(m.body) as preview,
			        private.unread_total_for(o.recipient_id) as unread_total,
			        (select count(*) from public.push_subscriptions s where s.user_id = o.recipient_id)::int as devices
			 from private.push_outbox o
			 join public.messages m on m.id = o.message_id
			 join public.profiles p on p.id = m.sender_id
			 where o.id = any($1::bigint[])`,
			[ids]
		);
		const contextOf = new Map(contexts.map((c) => [c.id, c]));
		const unread = contexts.filter((c) => !c.read).map((c) => c.id);

		// Reserve (message, device) pairs; a pair another dispatcher or an earlier attempt already
		// holds is not returned, so it is not sent again.
		const { rows: targets } = unread.length
			? await db.query<Target>(
					`with reserved as (
					   insert into private.push_deliveries (outbox_id, subscription_id)
					   select o.id, s.id
					   from private.push_outbox o
					   join public.push_subscriptions s on s.user_id = o.recipient_id
					   where o.id = any($1::bigint[])
					   order by o.id, s.id
					   on conflict do nothing
					   returning outbox_id, subscription_id
					 )
					 select r.outbox_id, s.id as subscription_id, s.endpoint, s.p256dh, s.auth
					 from reserved r join public.push_subscriptions s on s.id = r.subscription_id`,
					[unread]
				)
			: { rows: [] as Target[] };

		const results = await Promise.all(
			targets.map(async (t) => {
				const context = contextOf.get(t.outbox_id);
				const result = context
					? await send(t, payloadOf(context))
					: ({ kind: 'refused', error: 'message not found' } as const);
				return { target: t, result };
			})
		);

		await recordDeliveries(results);
		await finishOutboxRows(claimed, contextOf, results, attemptsOf);
		return claimed.length;
	}

	function payloadOf(c: Context): PushPayload {
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
		const pick = (kind: SendResult['kind']) => results.filter((r) => r.result.kind === kind);
		const delivered = pick('delivered');
		const transient = pick('transient');
		const refused = pick('refused');
		const gone = pick('gone');
		if (delivered.length) {
			await db.query(
				`update private.push_deliveries d set delivered_at = now()
				 from unnest($1::bigint[], $2::uuid[]) as u (outbox_id, subscription_id)
				 where d.outbox_id = u.outbox_id and d.subscription_id = u.subscription_id`,
				[delivered.map((r) => r.target.outbox_id), delivered.map((r) => r.target.subscription_id)]
			);
			// Skip rows another dispatcher is touching right now: the timestamp is informational,
			// and waiting on it could deadlock two dispatchers delivering to the same devices.
			await db.query(
				`update public.push_subscriptions s set last_success_at = now()
				 from (select id from public.push_subscriptions where id = any($1::uuid[])
				       order by id for no key update skip locked) l
				 where s.id = l.id`,
				[[...new Set(delivered.map((r) => r.target.subscription_id))]]
			);
			stats.delivered += delivered.length;
		}
		if (transient.length) {
			// Release the reservation so the retry sends to this device.
			await db.query(
				`delete from private.push_deliveries d
				 using unnest($1::bigint[], $2::uuid[]) as u (outbox_id, subscription_id)
				 where d.outbox_id = u.outbox_id and d.subscription_id = u.subscription_id`,
				[transient.map((r) => r.target.outbox_id), transient.map((r) => r.target.subscription_id)]
			);
			stats.retried += transient.length;
		}
		if (refused.length) {
			await db.query(
				`update private.push_deliveries d set error = u.error
				 from unnest($1::bigint[], $2::uuid[], $3::text[]) as u (outbox_id, subscription_id, error)
				 where d.outbox_id = u.outbox_id and d.subscription_id = u.subscription_id`,
				[
					refused.map((r) => r.target.outbox_id),
					refused.map((r) => r.target.subscription_id),
					refused.map((r) => (r.result as { error: string }).error)
				]
			);
			stats.failed += refused.length;
		}
		if (gone.length) {
			const { rows } = await db.query<{ id: string }>(
				'delete from public.push_subscriptions where id = any($1::uuid[]) returning id',
				[[...new Set(gone.map((r) => r.target.subscription_id))]]
			);
			stats.removedSubscriptions += rows.length;
		}
	}

	async function finishOutboxRows(
		claimed: Claimed[],
		contextOf: Map<number, Context>,
		results: { target: Target; result: SendResult }[],
		attemptsOf: Map<number, number>
	): Promise<void> {
		const updates = claimed.map((row) => {
			const context = contextOf.get(row.id);
			const mine = results.filter((r) => r.target.outbox_id === row.id).map((r) => r.result);
			const transient = mine.filter((r) => r.kind === 'transient');
			const refused = mine.filter((r) => r.kind === 'refused');
			const attempts = attemptsOf.get(row.id) ?? row.attempts;
			if (!context) {
				return {
					id: row.id,
					attempts,
					done: true,
					outcome: 'failed',
					retryMs: 0,
					error: 'message not found'
				};
			}
			if (context.read) {
				stats.skippedRead++;
				return { id: row.id, attempts, done: true, outcome: 'read', retryMs: 0, error: null };
			}
			if (transient.length) {
				const last = transient[transient.length - 1] as Extract<SendResult, { kind: 'transient' }>;
				if (attempts >= maxAttempts) {
					return { id: row.id, attempts, done: true, outcome: 'failed', retryMs: 0, error: last.error };
				}
				const backoff = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
				const jittered = backoff / 2 + Math.random() * (backoff / 2);
				const retryMs = Math.max(jittered, Math.min(last.retryAfterMs ?? 0, maxMs));
				return { id: row.id, attempts, done: false, outcome: null, retryMs, error: last.error };
			}
			if (refused.length && refused.length === mine.length) {
				const error = (refused[0] as { error: string }).error;
				return { id: row.id, attempts, done: true, outcome: 'failed', retryMs: 0, error };
			}
			return {
				id: row.id,
				attempts,
				done: true,
				outcome: context.devices === 0 ? 'no_devices' : 'sent',
				retryMs: 0,
				error: refused.length ? (refused[0] as { error: string }).error : null
			};
		});
		// attempts fences the update: a dispatcher whose lease ran out and was taken over does not
		// overwrite the newer holder's bookkeeping.
		await db.query(
			`update private.push_outbox o
			 set done_at = case when u.done then now() end,
			     outcome = u.outcome,
			     not_before = case when u.done then o.not_before
			                       else now() + u.retry_ms * interval '1 millisecond' end,
			     locked_until = null,
			     last_error = u.error
			 from unnest($1::bigint[], $2::int[], $3::boolean[], $4::text[], $5::float8[], $6::text[])
			   as u (id, attempts, done, outcome, retry_ms, error)
			 where o.id = u.id and o.attempts = u.attempts and o.done_at is null`,
			[
				updates.map((u) => u.id),
				updates.map((u) => u.attempts),
				updates.map((u) => u.done),
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
				const { rows } = await db.query<{ pending: number }>(
					'select count(*)::int as pending from private.push_outbox where done_at is null'
				);
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

/** SQL for when a row may next be claimed: the dispatcher's grace for a first attempt, if set. */
function eligibleAt(alias: string): string {
	return `(case when ${alias}.attempts = 0 and $1::float8 is not null
	              then ${alias}.created_at + $1::float8 * interval '1 millisecond'
	              else ${alias}.not_before end)`;
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
