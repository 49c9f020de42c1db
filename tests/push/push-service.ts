// A real Web Push service on loopback for the push suite: web-push-testing's server (it checks
// VAPID, decrypts each push with the subscription's private key and keeps the plaintext), bound to
// 127.0.0.1 on an ephemeral port, with a hook to answer chosen pushes with an error status.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Express {
	post(path: string, handler: (req: RequestLike, res: ResponseLike, next: () => void) => void): void;
}
interface RequestLike {
	params: Record<string, string>;
}
interface ResponseLike {
	status(code: number): { send(body: unknown): void };
}
interface TestingServer {
	_app: Express & http.RequestListener;
	setRequestHandlers(): void;
}
interface ApiModel {
	notifyUrl: string;
}

const TestingServerClass = require('web-push-testing/src/server.js') as new (
	model: ApiModel,
	port: number
) => TestingServer;
const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as {
	PushApiModel: new () => ApiModel;
};

export interface TestSubscription {
	endpoint: string;
	keys: { p256dh: string; auth: string };
	clientHash: string;
}

export interface LocalPushService {
	url: string;
	/** What a browser's PushManager.subscribe() would return, for this VAPID public key. */
	subscribe(applicationServerKey: string): Promise<TestSubscription>;
	/** Decrypted payloads the device received, oldest first. */
	received(clientHash: string): Promise<string[]>;
	/** Every POST to the device's endpoint, whatever it was answered. */
	attempts(clientHash: string): number;
	/** The device unsubscribed: its endpoint answers 410 from now on. */
	expire(clientHash: string): Promise<void>;
	/** Answer the device's next pushes with these statuses (then behave normally again). */
	failNext(clientHash: string, statuses: number[]): void;
	/** Hold the device's next push until the returned function is called (a slow push service). */
	holdNext(clientHash: string): () => void;
	close(): Promise<void>;
}

export async function startLocalPushService(): Promise<LocalPushService> {
	const model = new PushApiModel();
	const testing = new TestingServerClass(model, 0);
	const attempts = new Map<string, number>();
	const faults = new Map<string, number[]>();
	const holds = new Map<string, Promise<void>>();
	// Registered before the package's own handlers, so it sees (and may answer) every push first.
	testing._app.post('/notify/:clientHash', (req, res, next) => {
		const hash = req.params.clientHash;
		attempts.set(hash, (attempts.get(hash) ?? 0) + 1);
		const status = faults.get(hash)?.shift();
		const hold = holds.get(hash) ?? Promise.resolve();
		holds.delete(hash);
		void hold.then(() => {
			if (status === undefined) return next();
			res.status(status).send({ error: { message: `injected ${status}` } });
		});
	});
	testing.setRequestHandlers();
	const server = http.createServer(testing._app);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	model.notifyUrl = `${url}/notify/`;

	async function post<T>(path: string, body: unknown): Promise<T> {
		const response = await fetch(`${url}${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`push service ${path} answered ${response.status}: ${text}`);
		const json = response.headers.get('content-type')?.includes('application/json');
		return (json ? JSON.parse(text) : undefined) as T;
	}

	return {
		url,
		subscribe: async (applicationServerKey) =>
			(
				await post<{ data: TestSubscription }>('/subscribe', {
					userVisibleOnly: 'true',
					applicationServerKey
				})
			).data,
		received: async (clientHash) =>
			(await post<{ data: { messages: string[] } }>('/get-notifications', { clientHash })).data.messages,
		attempts: (clientHash) => attempts.get(clientHash) ?? 0,
		expire: async (clientHash) => {
			await post(`/expire-subscription/${clientHash}`, {});
		},
		failNext: (clientHash, statuses) => faults.set(clientHash, [...statuses]),
		holdNext: (clientHash) => {
			let release!: () => void;
			holds.set(clientHash, new Promise<void>((resolve) => (release = resolve)));
			return release;
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}
