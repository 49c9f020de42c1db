// Whether the browser believes it is online, as shared state (one listener pair for the app).
export class Network {
	online = $state(true);

	/** Follows the browser's online/offline events. Returns the teardown. */
	watch(): () => void {
		const update = () => {
			this.online = navigator.onLine;
		};
		update();
		window.addEventListener('online', update);
		window.addEventListener('offline', update);
		return () => {
			window.removeEventListener('online', update);
			window.removeEventListener('offline', update);
		};
	}
}

export const network = new Network();
