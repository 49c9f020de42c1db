// Section 7: what users feel, measured in Debian's Chromium on the production build (the one
// bench/app.ts builds) served by `vite preview`, against a localbase of its own (embedded PGlite,
// demo seed). Two measurements (bench/README.md says how each is taken):
//   7a browser to browser: Enter pressed in one page → the bubble rendered in the other page,
//      with a bare realtime broadcast between the same two pages as the floor;
//   7b cold start: /messages → the first conversation row rendered, with an empty cache and with a
//      warm service worker, unthrottled and as a mid-range phone (4× CPU slowdown, 150 ms RTT,
//      1.6 Mbps down, 750 kbps up).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { nowMs, sleep, summarize } from './lib/stats.ts';
import type { Row } from './report.ts';

export interface BrowserOptions {
	/** Messages sent browser to browser (and broadcasts for the floor). */
	messages: number;
	/** Cold starts per condition. */
	coldStarts: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const section = '7 in the browser';
const publishableKey = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
const password = 'spotter-demo';
const coachAlex = '20000000-0000-4000-8000-000000000001';
/** The send rate limit (30 per minute per sender): the exchange alternates senders and paces itself. */
const PER_SENDER_PER_MINUTE = 30;

/** Lighthouse's mobile profile: 4× CPU slowdown, 150 ms RTT, 1.6 Mbps down, 750 kbps up. */
const PHONE = { cpu: 4, latency: 150, down: (1.6 * 1e6) / 8, up: (750 * 1e3) / 8 };

export async function browserBenchmarks(
	buildDir: string,
	options: BrowserOptions,
	log: (line: string) => void
): Promise<Row[]> {
	const dataDir = await mkdtemp(path.join(os.tmpdir(), 'spotter-bench-browser-'));
	const [apiPort, appPort] = [await freePort(), await freePort()];
	const apiUrl = `http://127.0.0.1:${apiPort}`;
	const appUrl = `http://127.0.0.1:${appPort}`;
	const children: ChildProcess[] = [];
	let browser: Browser | undefined;
	try {
		children.push(
			start(process.execPath, ['--import', 'tsx', path.join(repo, 'localbase', 'main.ts'), '--reset'], repo, {
				LOCALBASE_PORT: String(apiPort),
				LOCALBASE_DATA_DIR: dataDir,
				DATABASE_URL: ''
			})
		);
		await waitForUrl(`${apiUrl}/health`, 120_000);
		children.push(
			start(
				process.execPath,
				[
					path.join(repo, 'node_modules/vite/bin/vite.js'),
					'preview',
					'--port',
					String(appPort),
					'--strictPort'
				],
				buildDir,
				{
					PUBLIC_SUPABASE_URL: apiUrl,
					PUBLIC_SUPABASE_PUBLISHABLE_KEY: publishableKey,
					DATABASE_URL: ''
				}
			)
		);
		await waitForUrl(`${appUrl}/sign-in`, 60_000);
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
		});
		const rows: Row[] = [];
		log('  7a browser to browser…');
		rows.push(...(await browserToBrowser(browser, appUrl, apiUrl, options.messages)));
		log('  7b cold start…');
		rows.push(...(await coldStart(browser, appUrl, options.coldStarts)));
		return rows;
	} finally {
		await browser?.close();
		for (const child of children.reverse()) await stop(child);
		await rm(dataDir, { recursive: true, force: true });
	}
}

// ---- 7a ---------------------------------------------------------------------------------------

async function browserToBrowser(browser: Browser, appUrl: string, apiUrl: string, n: number): Promise<Row[]> {
	const coach = await signedInPage(browser, appUrl, 'coach@spotter.test');
	const alex = await signedInPage(browser, appUrl, 'alex@spotter.test');
	try {
		const pages = [coach.page, alex.page];
		for (const page of pages) {
			await page.goto(`${appUrl}/messages/${coachAlex}`);
			await page.locator('section.chat[data-live="live"]').waitFor();
			await watchBubbles(page);
		}
		// Pace the exchange so that neither sender meets the rate limit.
		const perSender = Math.ceil(n / 2);
		const gapMs =
			perSender > PER_SENDER_PER_MINUTE ? Math.ceil(60_000 / PER_SENDER_PER_MINUTE / 2) + 50 : 150;
		const delivery: number[] = [];
		for (let i = 0; i < n; i++) {
			const [from, to] = i % 2 === 0 ? [pages[0], pages[1]] : [pages[1], pages[0]];
			const marker = `bench ${i} ${Math.random().toString(36).slice(2, 8)}`;
			const started = nowMs();
			await from.getByRole('textbox', { name: /^Message to / }).fill(marker);
			await from.keyboard.press('Enter');
			const sentAt = await from.evaluate(() => (window as unknown as BenchWindow).__benchEnter);
			const seenAt = await to.waitForFunction(
				(m) => (window as unknown as BenchWindow).__benchSeen[m],
				marker,
				{ timeout: 15_000, polling: 'raf' }
			);
			delivery.push(((await seenAt.jsonValue()) as number) - sentAt);
			await sleep(Math.max(0, gapMs - (nowMs() - started)));
		}

		// The floor: a bare broadcast on a public channel between the same two pages (realtime-js in
		// the page, localbase, no database, no app code).
		const floor = await bareBroadcast(coach.page, alex.page, apiUrl, n);
		return [
			{
				section,
				name: `7a Enter in one page → bubble rendered in the other (${n} messages, two Chromium pages)`,
				summary: summarize(delivery),
				value: `p99 ${summarize(delivery).p99.toFixed(1)} ms`
			},
			{
				section,
				name: '  floor: bare broadcast between the same two pages',
				summary: summarize(floor),
				value: `p99 ${summarize(floor).p99.toFixed(1)} ms`
			}
		];
	} finally {
		await coach.context.close();
		await alex.context.close();
	}
}

interface BenchWindow {
	__benchEnter: number;
	__benchSeen: Record<string, number>;
	__benchFloor: Record<string, number>;
	supabase: { createClient: (url: string, key: string) => unknown };
}

/** In the page: when Enter goes down in the composer, and when each bubble first appears. */
async function watchBubbles(page: Page): Promise<void> {
	await page.evaluate(() => {
		const w = window as unknown as BenchWindow;
		const at = () => performance.timeOrigin + performance.now();
		w.__benchSeen = {};
		document.addEventListener(
			'keydown',
			(e) => {
				if (e.key === 'Enter') w.__benchEnter = at();
			},
			{ capture: true }
		);
		const list = document.querySelector('[data-testid="message-scroller"]')!;
		new MutationObserver(() => {
			const t = at();
			for (const body of list.querySelectorAll('[data-testid="message"]:not(.pending) .body')) {
				const text = body.textContent ?? '';
				if (text.startsWith('bench ') && !(text in w.__benchSeen)) w.__benchSeen[text] = t;
			}
		}).observe(list, { childList: true, subtree: true, characterData: true });
	});
}

async function bareBroadcast(sender: Page, receiver: Page, apiUrl: string, n: number): Promise<number[]> {
	const umd = path.join(repo, 'node_modules/@supabase/supabase-js/dist/umd/supabase.js');
	const topic = `bench-floor-${Math.random().toString(36).slice(2, 8)}`;
	for (const page of [sender, receiver]) {
		await page.addScriptTag({ path: umd });
		await page.evaluate(
			async ({ url, key, topic }) => {
				const w = window as unknown as BenchWindow & { __benchChannel: unknown };
				w.__benchFloor = {};
				const client = w.supabase.createClient(url, key) as {
					channel: (
						t: string,
						o: unknown
					) => {
						on: (type: string, filter: unknown, cb: (m: { payload: { n: string } }) => void) => unknown;
						subscribe: (cb: (status: string) => void) => unknown;
					};
				};
				const channel = client.channel(topic, { config: { broadcast: { self: false } } });
				channel.on('broadcast', { event: 'ping' }, ({ payload }) => {
					w.__benchFloor[payload.n] = performance.timeOrigin + performance.now();
				});
				await new Promise<void>((resolve) =>
					channel.subscribe((status) => {
						if (status === 'SUBSCRIBED') resolve();
					})
				);
				w.__benchChannel = channel;
			},
			{ url: apiUrl, key: publishableKey, topic }
		);
	}
	const samples: number[] = [];
	for (let i = 0; i < n; i++) {
		const sentAt = await sender.evaluate(async (n) => {
			const w = window as unknown as { __benchChannel: { send: (m: unknown) => Promise<unknown> } };
			const at = performance.timeOrigin + performance.now();
			await w.__benchChannel.send({ type: 'broadcast', event: 'ping', payload: { n: String(n) } });
			return at;
		}, i);
		const seenAt = await receiver.waitForFunction(
			(n) => (window as unknown as BenchWindow).__benchFloor[String(n)],
			i,
			{ timeout: 15_000, polling: 'raf' }
		);
		samples.push(((await seenAt.jsonValue()) as number) - sentAt);
		await sleep(50);
	}
	return samples;
}

// ---- 7b ---------------------------------------------------------------------------------------

type Condition = 'unthrottled' | 'phone';

async function coldStart(browser: Browser, appUrl: string, runs: number): Promise<Row[]> {
	// Signed in once; every run starts from these cookies in a context of its own.
	const signedIn = await signedInPage(browser, appUrl, 'coach@spotter.test');
	const cookies = await signedIn.context.cookies();
	await signedIn.context.close();

	const rows: Row[] = [];
	for (const condition of ['unthrottled', 'phone'] as const) {
		const empty: number[] = [];
		const warm: number[] = [];
		for (let run = 0; run < runs; run++) {
			const context = await newContext(browser, { width: 375, height: 740 });
			try {
				await context.addCookies(cookies);
				await context.addInitScript(firstRowTimer);
				// Empty cache: a new context has no HTTP cache, no service worker, no device copy.
				const first = await context.newPage();
				empty.push(await timeFirstRow(browser, first, appUrl, condition));
				// Warm service worker: it controls the origin and holds the shell; the device copy
				// of the list is there too, as on a phone that has opened Spotter before.
				await first.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
					timeout: 20_000
				});
				await first.close();
				const again = await context.newPage();
				warm.push(await timeFirstRow(browser, again, appUrl, condition));
			} finally {
				await context.close();
			}
		}
		const label = condition === 'phone' ? '4× CPU, 150 ms RTT, 1.6 Mbps' : 'unthrottled';
		rows.push(
			{
				section,
				name: `7b cold start /messages → first row, empty cache, ${label}`,
				summary: summarize(empty)
			},
			{
				section,
				name: `7b cold start /messages → first row, warm service worker, ${label}`,
				summary: summarize(warm)
			}
		);
	}
	return rows;
}

/** In the page, from the first script: when the first conversation row is in the document. */
function firstRowTimer() {
	const w = window as unknown as { __benchFirstRow?: number };
	new MutationObserver((_, observer) => {
		if (document.querySelector('[data-testid="conversation-row"]')) {
			w.__benchFirstRow = performance.now();
			observer.disconnect();
		}
	}).observe(document, { childList: true, subtree: true });
}

/** Opens /messages under `condition`; ms from navigation start to the first row. */
async function timeFirstRow(
	browser: Browser,
	page: Page,
	appUrl: string,
	condition: Condition
): Promise<number> {
	const sessions: CDPSession[] = [];
	if (condition === 'phone') {
		const cdp = await page.context().newCDPSession(page);
		await throttle(cdp);
		sessions.push(cdp);
		// The service worker fetches for the page from its own target: throttle it too.
		sessions.push(...(await throttleServiceWorkers(browser)));
	}
	await page.goto(`${appUrl}/messages`, { waitUntil: 'commit' });
	const at = await page.waitForFunction(
		() => (window as unknown as { __benchFirstRow?: number }).__benchFirstRow,
		undefined,
		{ timeout: 60_000 }
	);
	const ms = (await at.jsonValue()) as number;
	for (const session of sessions) await session.detach().catch(() => {});
	return ms;
}

async function throttle(cdp: CDPSession): Promise<void> {
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpu });
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false,
		latency: PHONE.latency,
		downloadThroughput: PHONE.down,
		uploadThroughput: PHONE.up
	});
}

/**
 * Network throttling for the running service workers. They are targets of their own, which a
 * page's CDP session does not reach; the browser session attaches to each (non-flattened) and
 * sends them the same network conditions.
 */
async function throttleServiceWorkers(browser: Browser): Promise<CDPSession[]> {
	const cdp = await browser.newBrowserCDPSession();
	const { targetInfos } = (await cdp.send('Target.getTargets')) as {
		targetInfos: { targetId: string; type: string }[];
	};
	let id = 0;
	for (const target of targetInfos.filter((t) => t.type === 'service_worker')) {
		const { sessionId } = (await cdp.send('Target.attachToTarget', {
			targetId: target.targetId,
			flatten: false
		})) as { sessionId: string };
		for (const [method, params] of [
			['Network.enable', {}],
			[
				'Network.emulateNetworkConditions',
				{ offline: false, latency: PHONE.latency, downloadThroughput: PHONE.down, uploadThroughput: PHONE.up }
			]
		] as const) {
			await cdp.send('Target.sendMessageToTarget', {
				sessionId,
				message: JSON.stringify({ id: ++id, method, params })
			});
		}
	}
	return [cdp];
}

// ---- helpers ----------------------------------------------------------------------------------

/**
 * tsx compiles this file keeping function names (`__name(fn, "fn")` around inner functions), and
 * the functions handed to page.evaluate carry that call into the page: define it there.
 */
const KEEP_NAMES = { content: 'globalThis.__name = (fn) => fn;' };

async function newContext(
	browser: Browser,
	viewport: { width: number; height: number }
): Promise<BrowserContext> {
	const context = await browser.newContext({ viewport });
	await context.addInitScript(KEEP_NAMES);
	return context;
}

async function signedInPage(
	browser: Browser,
	appUrl: string,
	email: string
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await newContext(browser, { width: 1280, height: 800 });
	const page = await context.newPage();
	await page.goto(`${appUrl}/sign-in`);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL(/\/messages$/);
	return { context, page };
}

/** Children asked to stop: their exit is expected, not a failure to report. */
const stopping = new WeakSet<ChildProcess>();

function start(command: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
	const child = spawn(command, args, {
		cwd,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
	child.on('exit', (code) => {
		if (code && !stopping.has(child))
			console.error(`${path.basename(args[0] ?? command)} exited ${code}: ${stderr}`);
	});
	return child;
}

async function stop(child: ChildProcess): Promise<void> {
	stopping.add(child);
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((r) => child.once('exit', () => r()));
	child.kill('SIGTERM');
	await Promise.race([exited, sleep(5_000)]);
	if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function waitForUrl(url: string, timeoutMs: number): Promise<void> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// Not listening yet: keep waiting until the deadline.
		}
		if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
		await sleep(250);
	}
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}
