// Where a page's main thread spent a start (`bench/browser.ts --trace`): a Chromium trace
// (Playwright's browser.startTracing) reduced to the renderer main thread that navigated to the
// page, from its navigationStart to a time after it, as each event's own time (its duration less
// the events nested in it), summed by event name, and the time the thread ran no task at all.

interface TraceEvent {
	name: string;
	ph: string;
	ts: number;
	dur?: number;
	pid: number;
	tid: number;
	args?: { data?: { documentLoaderURL?: string }; name?: string };
}

export interface MainThreadTime {
	/** ms from navigationStart to the end of the window. */
	window: number;
	/** ms in no task (waiting: the network, the worker, another process). */
	idle: number;
	/** ms of own time by event name, largest first. */
	byName: [string, number][];
}

/**
 * The main thread of the renderer whose navigationStart names `url`, over `ms` after that start.
 * Undefined when the trace holds no such navigation.
 */
export function mainThreadTime(trace: Buffer | string, url: string, ms: number): MainThreadTime | undefined {
	const { traceEvents } = JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] };
	const start = traceEvents.find(
		(e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL === url
	);
	if (!start) return undefined;
	const from = start.ts;
	const to = from + ms * 1000;
	const slices = traceEvents
		.filter((e) => e.ph === 'X' && e.pid === start.pid && e.tid === start.tid && e.dur !== undefined)
		.filter((e) => e.ts < to && e.ts + e.dur! > from)
		.map((e) => ({ name: e.name, begin: Math.max(e.ts, from), end: Math.min(e.ts + e.dur!, to) }))
		.sort((a, b) => a.begin - b.begin || b.end - a.end);

	// Own time: an event's span less its children's (events nest on one thread).
	const own = new Map<string, number>();
	const open: { name: string; end: number; children: number; begin: number }[] = [];
	let busy = 0;
	const close = (upTo: number) => {
		while (open.length && open[open.length - 1].end <= upTo) {
			const done = open.pop()!;
			own.set(done.name, (own.get(done.name) ?? 0) + (done.end - done.begin - done.children));
			if (open.length) open[open.length - 1].children += done.end - done.begin;
			else busy += done.end - done.begin;
		}
	};
	for (const slice of slices) {
		close(slice.begin);
		open.push({ ...slice, end: Math.min(slice.end, open.at(-1)?.end ?? slice.end), children: 0 });
	}
	close(Infinity);
	return {
		window: (to - from) / 1000,
		idle: (to - from - busy) / 1000,
		byName: [...own.entries()]
			.map(([name, us]) => [name, us / 1000] as [string, number])
			.sort((a, b) => b[1] - a[1])
	};
}
