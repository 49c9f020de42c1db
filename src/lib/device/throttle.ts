// A device copy's writes, thinned out: an arriving message changes the list and the chat several
// times within moments (the event, the database's answer, the read receipt), and each write clones
// the copy on the main thread, in the way of drawing the next bubble. Written by hand (a dozen
// lines): the libraries' throttles either lack `flush`, which leaving a chat needs, or would add
// more to a page already over its JavaScript budget than this does.

export interface Throttled {
	/** Writes now if nothing was written within the interval; else once it ends, with what is then current. */
	request(): void;
	/** Writes at once what is still waiting (leaving the page), and forgets the timer. */
	flush(): void;
}

export function throttle(write: () => void, intervalMs: number): Throttled {
	let timer: ReturnType<typeof setTimeout> | undefined;
	let waiting = false;
	const request = () => {
		if (timer !== undefined) {
			waiting = true;
			return;
		}
		write();
		timer = setTimeout(() => {
			timer = undefined;
			if (!waiting) return;
			waiting = false;
			request();
		}, intervalMs);
	};
	return {
		request,
		flush() {
			clearTimeout(timer);
			timer = undefined;
			if (!waiting) return;
			waiting = false;
			write();
		}
	};
}
