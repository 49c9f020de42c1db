// A shared "now" that advances every 30 seconds, so relative times ("5 min. ago") stay true.
class Now {
	current = $state(new Date());

	/** Starts ticking; returns the teardown. */
	tick(): () => void {
		const timer = setInterval(() => (this.current = new Date()), 30_000);
		return () => clearInterval(timer);
	}
}

export const now = new Now();
