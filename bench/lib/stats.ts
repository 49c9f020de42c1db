// Timing and percentiles shared by every benchmark section.

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface Summary {
	n: number;
	p50: number;
	p95: number;
	p99: number;
	min: number;
	max: number;
	mean: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: number[]): Summary {
	const sorted = [...samples].sort((a, b) => a - b);
	const sum = sorted.reduce((a, b) => a + b, 0);
	return {
		n: sorted.length,
		p50: percentile(sorted, 50),
		p95: percentile(sorted, 95),
		p99: percentile(sorted, 99),
		min: sorted[0] ?? Number.NaN,
		max: sorted[sorted.length - 1] ?? Number.NaN,
		mean: sorted.length ? sum / sorted.length : Number.NaN
	};
}

/** A timed step, or one with untimed work before it (keeping the data in the state the step needs). */
export type Variant =
	| ((i: number) => Promise<void>)
	| { before: (i: number) => Promise<void>; run: (i: number) => Promise<void> };

/**
 * Runs each variant `reps` times, interleaved (a, b, a, b…) so that both see the same machine
 * state, after `warmup` untimed rounds. Returns the samples (ms) per variant.
 */
export async function interleave(
	variants: Record<string, Variant>,
	reps: number,
	warmup: number
): Promise<Record<string, number[]>> {
	const names = Object.keys(variants);
	const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
	for (let i = 0; i < warmup + reps; i++) {
		for (const name of names) {
			const variant = variants[name];
			const run = typeof variant === 'function' ? variant : variant.run;
			if (typeof variant !== 'function') await variant.before(i);
			const start = nowMs();
			await run(i);
			if (i >= warmup) samples[name].push(nowMs() - start);
		}
	}
	return samples;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
	const results: T[] = new Array(tasks.length);
	let next = 0;
	const worker = async () => {
		while (next < tasks.length) {
			const i = next++;
			results[i] = await tasks[i]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
	return results;
}
