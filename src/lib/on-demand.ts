// Code a page's first paint does not need, loaded on first use instead of with the page (a
// smaller first download; the service worker keeps every chunk for offline use).

/** `load`, called once; a failed load (offline, the chunk not cached yet) is tried again next time. */
export function loadOnce<M>(load: () => Promise<M>): () => Promise<M> {
	let loading: Promise<M> | undefined;
	return () => {
		loading ??= load().catch((error: unknown) => {
			loading = undefined;
			throw error;
		});
		return loading;
	};
}

/** A module's asynchronous functions. */
export type OnDemand<M> = {
	[K in keyof M as M[K] extends (...args: never[]) => Promise<unknown> ? K : never]: M[K];
};

/**
 * A module's asynchronous functions, callable before it is loaded: the first call loads it. A call
 * whose load fails rejects with the load's error, or, given `notLoaded`, answers what it returns
 * (a data module's calls answer a Result and never throw).
 */
export function onDemand<M extends object>(
	load: () => Promise<M>,
	notLoaded?: (error: unknown) => unknown
): OnDemand<M> {
	const loaded = loadOnce(load);
	return new Proxy({} as OnDemand<M>, {
		get: (_, name) => {
			// Not a promise (`await` asks for `then`), and nothing to show for a symbol (inspection).
			if (typeof name === 'symbol' || name === 'then') return undefined;
			return async (...args: unknown[]) => {
				let module: Record<string, (...a: unknown[]) => unknown>;
				try {
					module = (await loaded()) as typeof module;
				} catch (error) {
					if (!notLoaded) throw error;
					return notLoaded(error);
				}
				return module[name](...args);
			};
		}
	});
}
