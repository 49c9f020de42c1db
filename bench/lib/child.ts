// A benchmark's helper process (localbase, the Web Push service), run apart so that its work does
// not share the measuring process's event loop, and spoken to with typed messages: each message
// the child sends answers the oldest `next()` waiting for its type; `{ type: 'error' }` fails it.
import { fork, type ChildProcess } from 'node:child_process';

type Message = { type: string };

export interface ChildOptions {
	args?: string[];
	env?: NodeJS.ProcessEnv;
	/** Node flags beyond tsx's loader (e.g. --expose-gc). */
	nodeFlags?: string[];
}

export class Child<From extends Message, To extends Message> {
	readonly process: ChildProcess;
	private readonly waiting: ((m: From) => boolean)[] = [];

	/** `name` is how errors refer to it ("localbase child"). */
	constructor(
		readonly name: string,
		script: string,
		options: ChildOptions = {}
	) {
		this.process = fork(script, options.args ?? [], {
			execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
			env: options.env ?? process.env,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		this.process.on('message', (m: From) => {
			const i = this.waiting.findIndex((w) => w(m));
			if (i >= 0) this.waiting.splice(i, 1);
		});
	}

	/** The child's next message of `type`; rejects after `timeoutMs`, on an error message, or if it exits first. */
	next<T extends From['type']>(type: T, timeoutMs: number): Promise<Extract<From, { type: T }>> {
		return new Promise((resolve, reject) => {
			const settle = () => {
				clearTimeout(timer);
				this.process.off('exit', onExit);
				const i = this.waiting.indexOf(waiter);
				if (i >= 0) this.waiting.splice(i, 1);
			};
			const fail = (message: string) => {
				settle();
				reject(new Error(`${this.name}: ${message}`));
			};
			const timer = setTimeout(() => fail(`no "${type}" in ${timeoutMs} ms`), timeoutMs);
			const onExit = (code: number | null) => fail(`exited (${code}) before "${type}"`);
			const waiter = (m: From) => {
				if (m.type === 'error') {
					fail(String((m as Message & { message?: unknown }).message));
				} else if (m.type === type) {
					settle();
					resolve(m as Extract<From, { type: T }>);
				} else {
					return false;
				}
				return true;
			};
			this.process.once('exit', onExit);
			this.waiting.push(waiter);
		});
	}

	send(message: To): void {
		this.process.send(message);
	}

	/** Sends `message` and waits for the answer of type `type`. */
	request<T extends From['type']>(
		message: To,
		type: T,
		timeoutMs = 60_000
	): Promise<Extract<From, { type: T }>> {
		const answer = this.next(type, timeoutMs);
		this.send(message);
		return answer;
	}

	/** Asks the child to stop (`{ type: 'stop' }`), and kills it if it has not exited after `timeoutMs`. */
	async stop(timeoutMs: number): Promise<void> {
		const child = this.process;
		const running = () => child.exitCode === null && child.signalCode === null;
		if (!running()) return;
		const exited = new Promise<void>((r) => child.once('exit', () => r()));
		if (child.connected) child.send({ type: 'stop' });
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
		clearTimeout(timer);
		if (running()) child.kill();
	}
}
