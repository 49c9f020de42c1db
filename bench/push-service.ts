// Child process of the push benchmark: the local Web Push service (web-push-testing's server, as the
// push suite uses it: it checks each push's VAPID token and decrypts the payload) on loopback. It runs
// apart from the dispatcher so that the service's decryption work does not share the dispatcher's
// event loop, as a real push service would not.
import { startLocalPushService, type TestSubscription } from '../tests/push/push-service.ts';

export type ToPushService =
	| { type: 'subscribe'; applicationServerKey: string; count: number }
	| { type: 'received'; clientHashes: string[] }
	| { type: 'stop' };
export type FromPushService =
	| { type: 'ready'; url: string }
	| { type: 'subscribed'; subscriptions: TestSubscription[] }
	| { type: 'received'; total: number }
	| { type: 'error'; message: string }
	| { type: 'stopped' };

const reply = (message: FromPushService) => process.send!(message);
const service = await startLocalPushService();

process.on('message', (message: ToPushService) => {
	void (async () => {
		try {
			if (message.type === 'subscribe') {
				const subscriptions: TestSubscription[] = [];
				for (let i = 0; i < message.count; i++) {
					subscriptions.push(await service.subscribe(message.applicationServerKey));
				}
				reply({ type: 'subscribed', subscriptions });
			} else if (message.type === 'received') {
				let total = 0;
				for (const hash of message.clientHashes) total += (await service.received(hash)).length;
				reply({ type: 'received', total });
			} else if (message.type === 'stop') {
				await service.close();
				reply({ type: 'stopped' });
				process.disconnect();
			}
		} catch (err) {
			reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
		}
	})();
});
// The parent went away without a stop: do not linger.
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready', url: service.url });
