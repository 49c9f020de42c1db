// The storage-removal worker: drains private.storage_removals (files of deleted messages, uploads
// never attached after a day) through the Storage API with the service key — a plain SQL delete on
// storage.objects is refused on hosted and would leave the file itself. Runs beside the push
// dispatcher (started by startPush); several workers may run at once (claims skip locked rows).
import { createClient } from '@supabase/supabase-js';

export interface RemovalDb {
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** Removes objects of one bucket; an object already gone counts as removed (Storage skips it). */
export interface StorageRemover {
	remove(bucket: string, names: string[]): Promise<{ error: string | null }>;
}

/** The Storage API as the service role sees it: `remove` is DELETE /storage/v1/object/<bucket>. */
export function storageApiRemover(url: string, serviceKey: string): StorageRemover {
	const client = createClient(url, serviceKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
	return {
		async remove(bucket, names) {
			const { error } = await client.storage.from(bucket).remove(names);
			return { error: error ? error.message || String(error) : null };
		}
	};
}

export interface StorageRemovalsOptions {
	db: RemovalDb;
	remover: StorageRemover;
	/** How often to look for due removals (default 60 s). */
	intervalMs?: number;
	batchSize?: number;
	/** Where failures are reported (default console.error). */
	onError?: (message: string) => void;
}

export interface StorageRemovals {
	/** Drains what is due now; resolves to how many objects were removed and how many failed. */
	runOnce(): Promise<{ removed: number; failed: number }>;
	stop(): Promise<void>;
}

interface Claimed {
	id: string;
	bucket_id: string;
	object_name: string;
}

export function startStorageRemovals(options: StorageRemovalsOptions): StorageRemovals {
	const { db, remover } = options;
	const batchSize = options.batchSize ?? 100;
	const report = options.onError ?? ((message: string) => console.error(`[storage-removals] ${message}`));
	let running: Promise<{ removed: number; failed: number }> | undefined;
	let stopped = false;

	async function drain(): Promise<{ removed: number; failed: number }> {
		let removed = 0;
		let failed = 0;
		for (;;) {
			const { rows } = await db.query<Claimed>(
				`select id, bucket_id, object_name from private.storage_removals_claim($1, interval '5 minutes')`,
				[batchSize]
			);
			const byBucket = new Map<string, Claimed[]>();
			for (const row of rows) byBucket.set(row.bucket_id, [...(byBucket.get(row.bucket_id) ?? []), row]);
			for (const [bucket, items] of byBucket) {
				const { error } = await remover.remove(
					bucket,
					items.map((item) => item.object_name)
				);
				const ids = items.map((item) => item.id);
				if (error) report(`removing ${items.length} object(s) from ${bucket} failed: ${error}`);
				await db.query(`select private.storage_removals_finish($1::bigint[], $2::bigint[], $3)`, [
					error ? [] : ids,
					error ? ids : [],
					error
				]);
				if (error) failed += items.length;
				else removed += items.length;
			}
			if (rows.length < batchSize || stopped) return { removed, failed };
		}
	}

	function runOnce(): Promise<{ removed: number; failed: number }> {
		// One drain at a time in this process; a call during one waits for it.
		running ??= drain().finally(() => {
			running = undefined;
		});
		return running;
	}

	const timer = setInterval(() => {
		runOnce().catch((err: unknown) => report(`drain failed: ${(err as Error).message}`));
	}, options.intervalMs ?? 60_000);
	timer.unref();

	return {
		runOnce,
		async stop() {
			stopped = true;
			clearInterval(timer);
			await running?.catch(() => undefined);
		}
	};
}
