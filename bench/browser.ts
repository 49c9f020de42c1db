// Section 7: what users feel, measured in Debian's Chromium on the production build (the one
// bench/app.ts builds) served by `vite preview`, against a localbase of its own (embedded PGlite,
// demo seed). Two measurements (bench/README.md says how each is taken):
//   7a browser to browser: Enter pressed in one page → the bubble rendered in the other page,
//      with a bare realtime broadcast between the same two pages as the floor;
//   7b cold start: /messages → the first conversation row rendered, and a conversation → its newest
//      message rendered, with an empty cache and with a warm service worker, unthrottled, with 4×
//      CPU slowdown, and as a mid-range phone (4× CPU, 150 ms RTT, 1.6 Mbps down, 750 kbps up);
//   7c photo: Enter pressed on a message with an uploaded photo in one page → its thumbnail loaded
//      in the other page.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { freePort } from '../scripts/free-port.ts';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { nowMs, sleep, summarize } from './lib/stats.ts';
import { mainThreadTime } from './lib/trace.ts';
import { createEmptyDatabase } from './lib/database.ts';
import type { Row } from './report.ts';

export interface BrowserOptions {
	/** Messages sent browser to browser (and broadcasts for the floor). */
	messages: number;
	/** Cold starts per condition. */
	coldStarts: number;
	/** Photos sent browser to browser (7c). */
	photos: number;
	/** Only the phone's condition in 7b (quick mode: the throttled path proves the code runs). */
	phoneOnly?: boolean;
	/** Only 7b (`--only cold`): the cold starts without the exchange of 7a and 7c before them. */
	coldOnly?: boolean;
	/** Only 7a and 7c (browser to browser), no cold starts. */
	liveOnly?: boolean;
	/** Only these conditions in 7b (`--conditions cpu,phone`). */
	conditions?: Condition[];
	/** Logs each cold start's navigation timings beside its landmark (`--timings`). */
	timings?: boolean;
	/** Logs where each cold start's main thread spent the time to its landmark (`--trace`). */
	trace?: boolean;
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

/**
 * `serverUrl`: localbase serves a new database on that Postgres server (as a hosted project's API
 * serves its Postgres), dropped afterwards; without it, embedded PGlite (one process answering
 * every request in turn, as `npm run dev` runs).
 */
export async function browserBenchmarks(
	buildDir: string,
	options: BrowserOptions,
	log: (line: string) => void,
	serverUrl?: string
): Promise<Row[]> {
	const dataDir = await mkdtemp(path.join(os.tmpdir(), 'spotter-bench-browser-'));
	const [apiPort, appPort, mailPort] = [await freePort(), await freePort(), await freePort()];
	const apiUrl = `http://127.0.0.1:${apiPort}`;
	const appUrl = `http://127.0.0.1:${appPort}`;
	const children: ChildProcess[] = [];
	const server = serverUrl ? await createEmptyDatabase(serverUrl, 'browser') : undefined;
	const backend = server ? 'localbase on the Postgres server' : 'localbase on PGlite';
	let browser: Browser | undefined;
	try {
		log(`  (${backend})`);
		children.push(
			start(
				process.execPath,
				['--import', 'tsx', path.join(repo, 'localbase', 'main.ts'), ...(server ? [] : ['--reset'])],
				repo,
				{
					LOCALBASE_PORT: String(apiPort),
					// Its own mail inbox too: `npm run dev` may hold the usual one.
					LOCALBASE_MAIL_PORT: String(mailPort),
					LOCALBASE_DATA_DIR: dataDir,
					DATABASE_URL: server?.url ?? ''
				}
			)
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
		if (!options.coldOnly) {
			log('  7a browser to browser…');
			rows.push(
				...(await browserToBrowser(browser, appUrl, apiUrl, options.messages, options.photos, backend))
			);
		}
		if (!options.liveOnly) {
			log('  7b cold start…');
			const conditions = options.conditions ?? (options.phoneOnly ? ['phone'] : undefined);
			rows.push(
				...(await coldStart(
					browser,
					appUrl,
					options.coldStarts,
					conditions,
					options.timings ? log : undefined,
					options.trace ? log : undefined
				))
			);
		}
		return rows;
	} finally {
		await browser?.close();
		for (const child of children.reverse()) await stop(child);
		await rm(dataDir, { recursive: true, force: true });
		await server?.drop();
	}
}

// ---- 7a ---------------------------------------------------------------------------------------

async function browserToBrowser(
	browser: Browser,
	appUrl: string,
	apiUrl: string,
	n: number,
	photos: number,
	backend: string
): Promise<Row[]> {
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
		const inDocument: number[] = [];
		let unreported = 0;
		for (let i = 0; i < n; i++) {
			const [from, to] = i % 2 === 0 ? [pages[0], pages[1]] : [pages[1], pages[0]];
			const marker = `bench ${i} ${Math.random().toString(36).slice(2, 8)}`;
			const started = nowMs();
			await from.getByRole('textbox', { name: /^Message to / }).fill(marker);
			await from.keyboard.press('Enter');
			const sentAt = await from.evaluate(() => (window as unknown as BenchWindow).__benchEnter);
			const painted = await whenPainted(to, marker, 15_000);
			delivery.push(painted.epoch - sentAt);
			inDocument.push(
				(await to.evaluate((m) => (window as unknown as BenchWindow).__benchInDocument[m], marker)) - sentAt
			);
			if (painted.unreported) unreported++;
			await sleep(Math.max(0, gapMs - (nowMs() - started)));
		}

		// 7c: photos the same way, after the text (the sends so far count against the rate limit).
		const photoSamples: number[] = [];
		const jpeg = await generatedPhoto(pages[0]);
		for (let i = 0; i < photos; i++) {
			const [from, to] = i % 2 === 0 ? [pages[0], pages[1]] : [pages[1], pages[0]];
			const started = nowMs();
			const marker = `photo ${i} ${Math.random().toString(36).slice(2, 8)}`;
			await from.getByTestId('attach-input').setInputFiles({
				name: `bench-${i}.jpg`,
				mimeType: 'image/jpeg',
				buffer: jpeg
			});
			// Sent once uploaded, as a person would: the sample is the delivery, not the upload.
			await from.locator('[data-testid="pending-file"][data-status="uploaded"]').waitFor({ timeout: 60_000 });
			await from.getByRole('textbox', { name: /^Message to / }).fill(marker);
			await from.keyboard.press('Enter');
			const sentAt = await from.evaluate(() => (window as unknown as BenchWindow).__benchEnter);
			const seenAt = await to.waitForFunction(
				(m) => (window as unknown as BenchWindow).__benchPhotoSeen[m],
				marker,
				{ timeout: 30_000, polling: 'raf' }
			);
			photoSamples.push(((await seenAt.jsonValue()) as number) - sentAt);
			await sleep(Math.max(0, gapMs - (nowMs() - started)));
		}

		// The floor: a bare broadcast on a public channel between the same two pages (realtime-js in
		// the page, localbase, no database, no app code).
		const floor = await bareBroadcast(coach.page, alex.page, apiUrl, n);
		const text = summarize(delivery);
		const photo = summarize(photoSamples);
		return [
			{
				section,
				name: `7a Enter in one page → bubble rendered in the other (${n} messages, two Chromium pages, ${backend})`,
				summary: text,
				value: `p99 ${text.p99.toFixed(1)} ms; in the document p50 ${summarize(inDocument).p50.toFixed(1)}, p99 ${summarize(inDocument).p99.toFixed(1)} ms${unreportedNote(unreported)}`,
				target: { text: 'p50 ≤ 25 ms, p99 ≤ 80 ms', pass: text.p50 <= 25 && text.p99 <= 80 }
			},
			{
				section,
				name: `7c photo: Enter in one page → thumbnail loaded in the other (${photos} photos, 1600×1200 JPEG, ${backend})`,
				summary: photo,
				ratio: `${(photo.p50 / text.p50).toFixed(1)}× a text message`
			},
			{
				section,
				name: '  floor: bare broadcast between the same two pages',
				summary: summarize(floor.received),
				value: `p99 ${summarize(floor.received).p99.toFixed(1)} ms; its text rendered p50 ${summarize(floor.rendered).p50.toFixed(1)}, p99 ${summarize(floor.rendered).p99.toFixed(1)} ms${unreportedNote(floor.unreported)}`
			}
		];
	} finally {
		await coach.context.close();
		await alex.context.close();
	}
}

interface BenchWindow {
	__benchEnter: number;
	__benchInDocument: Record<string, number>;
	__benchPhotoSeen: Record<string, number>;
	__benchFloor: Record<string, number>;
	supabase: { createClient: (url: string, key: string) => unknown };
}

/**
 * In the page: when Enter goes down in the composer, and when each bubble's text is first in the
 * document; its first paint is taken by the page's paint clock (`paintClock`), under its text.
 */
async function watchBubbles(page: Page): Promise<void> {
	await page.evaluate(paintClock);
	await page.evaluate(() => {
		const w = window as unknown as BenchWindow & PaintWindow;
		const at = () => performance.timeOrigin + performance.now();
		w.__benchInDocument = {};
		w.__benchPhotoSeen = {};
		const watched = new WeakSet<HTMLImageElement>();
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
				if (!text.startsWith('bench ') || text in w.__benchInDocument) continue;
				w.__benchInDocument[text] = t;
				w.__benchPaint.watch([body], text);
			}
			// A photo counts once its thumbnail has loaded (decoded, with a size), not when its
			// bubble appears.
			for (const bubble of list.querySelectorAll('[data-testid="message"]:not(.pending)')) {
				const text = bubble.querySelector('.body')?.textContent ?? '';
				const img = bubble.querySelector<HTMLImageElement>('[data-testid="attachment-image"] img');
				if (!text.startsWith('photo ') || text in w.__benchPhotoSeen || !img || watched.has(img)) continue;
				watched.add(img);
				const stamp = () => {
					if (img.naturalWidth > 0 && !(text in w.__benchPhotoSeen)) w.__benchPhotoSeen[text] = at();
				};
				if (img.complete) stamp();
				else img.addEventListener('load', stamp, { once: true });
			}
		}).observe(list, { childList: true, subtree: true, characterData: true });
	});
}

/** A 1600×1200 JPEG drawn by the browser (a gradient: it compresses like a photo, not like a flat fill). */
async function generatedPhoto(page: Page): Promise<Buffer> {
	const bytes = await page.evaluate(async () => {
		const canvas = new OffscreenCanvas(1600, 1200);
		const ctx = canvas.getContext('2d')!;
		const gradient = ctx.createLinearGradient(0, 0, 1600, 1200);
		gradient.addColorStop(0, '#0f766e');
		gradient.addColorStop(1, '#fbbf24');
		ctx.fillStyle = gradient;
		ctx.fillRect(0, 0, 1600, 1200);
		for (let i = 0; i < 400; i++) {
			ctx.fillStyle = `hsl(${(i * 37) % 360} 60% 50% / 0.5)`;
			ctx.fillRect((i * 97) % 1600, (i * 53) % 1200, 40 + (i % 60), 30 + (i % 45));
		}
		const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
		return [...new Uint8Array(await blob.arrayBuffer())];
	});
	return Buffer.from(bytes);
}

/**
 * The floor of 7a: a bare broadcast between the two pages, received (the callback) and rendered (its
 * text put in a fixed box at the top of the page and painted, by Element Timing as 7a's bubbles).
 */
async function bareBroadcast(
	sender: Page,
	receiver: Page,
	apiUrl: string,
	n: number
): Promise<{ received: number[]; rendered: number[]; unreported: number }> {
	const umd = path.join(repo, 'node_modules/@supabase/supabase-js/dist/umd/supabase.js');
	const topic = `bench-floor-${Math.random().toString(36).slice(2, 8)}`;
	for (const page of [sender, receiver]) {
		await page.evaluate(paintClock);
		await page.addScriptTag({ path: umd });
		await page.evaluate(
			async ({ url, key, topic }) => {
				const w = window as unknown as BenchWindow & PaintWindow & { __benchChannel: unknown };
				w.__benchFloor = {};
				const box = document.createElement('div');
				box.style.cssText = 'position: fixed; top: 0; left: 0; z-index: 2147483647; background: white';
				document.body.append(box);
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
					const line = document.createElement('p');
					line.textContent = `floor ${payload.n}`;
					w.__benchPaint.watch([line], line.textContent);
					box.replaceChildren(line);
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
	const received: number[] = [];
	const rendered: number[] = [];
	let unreported = 0;
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
		received.push(((await seenAt.jsonValue()) as number) - sentAt);
		const painted = await whenPainted(receiver, `floor ${i}`, 15_000);
		rendered.push(painted.epoch - sentAt);
		if (painted.unreported) unreported++;
		await sleep(50);
	}
	return { received, rendered, unreported };
}

/** The page's paint clock (`paintClock`), as the other in-page functions see it. */
interface PaintWindow {
	__benchPaint: {
		/** First paint by identifier, in the page's `performance.now()` time. */
		painted: Record<string, number>;
		/** Identifiers whose paint Element Timing did not report (the frame after them stood in). */
		unreported: string[];
		/** Marks `elements` for Element Timing under `id`; call before any frame can paint them. */
		watch(elements: Element[], id: string): void;
	};
}

/**
 * In the page (by `evaluate` or as an init script; once): when each watched element was first
 * rendered — painted, by Element Timing (`elementtiming` set before any frame can paint it; a text's
 * paint is reported for the block that holds it). Should no paint be reported within 10 s, the end
 * of the first frame after the element was watched stands in, and `unreported` names it.
 */
function paintClock() {
	const w = window as unknown as Partial<PaintWindow>;
	if (w.__benchPaint) return;
	const painted: Record<string, number> = {};
	const unreported: string[] = [];
	new PerformanceObserver((entries) => {
		for (const entry of entries.getEntries() as (PerformanceEntry & {
			identifier: string;
			renderTime: number;
		})[]) {
			if (!(entry.identifier in painted)) painted[entry.identifier] = entry.renderTime || entry.startTime;
		}
	}).observe({ type: 'element', buffered: true });
	w.__benchPaint = {
		painted,
		unreported,
		watch(elements, id) {
			for (const element of elements) element.setAttribute('elementtiming', id);
			requestAnimationFrame(() => {
				const channel = new MessageChannel();
				channel.port1.onmessage = () => {
					const frameDone = performance.now();
					setTimeout(() => {
						if (id in painted) return;
						painted[id] = frameDone;
						unreported.push(id);
					}, 10_000);
				};
				channel.port2.postMessage(null);
			});
		}
	};
}

/** Waits for `id`'s first paint in `page`: ms on the page's clock and since the epoch. */
async function whenPainted(
	page: Page,
	id: string,
	timeout: number
): Promise<{ ms: number; epoch: number; unreported: boolean }> {
	await page.waitForFunction(
		(id) => (window as unknown as PaintWindow).__benchPaint.painted[id] !== undefined,
		id,
		{
			timeout,
			polling: 'raf'
		}
	);
	return page.evaluate((id) => {
		const clock = (window as unknown as PaintWindow).__benchPaint;
		const ms = clock.painted[id];
		return { ms, epoch: performance.timeOrigin + ms, unreported: clock.unreported.includes(id) };
	}, id);
}

/** Said in a row when some samples' paint was not reported and the frame after them stood in. */
function unreportedNote(unreported: number): string {
	return unreported > 0 ? `; ${unreported} without Element Timing (the frame after)` : '';
}

// ---- 7b ---------------------------------------------------------------------------------------

type Condition = 'unthrottled' | 'cpu' | 'phone';

const CONDITIONS: { condition: Condition; label: string }[] = [
	{ condition: 'unthrottled', label: 'unthrottled' },
	{ condition: 'cpu', label: '4× CPU' },
	{ condition: 'phone', label: '4× CPU, 150 ms RTT, 1.6 Mbps' }
];

/** The paint clock's name for a cold start's landmark. */
const LANDMARK = 'bench-landmark';

/** What a cold start waits for: an element, timed in the page from the navigation's start. */
interface Landmark {
	path: string;
	selector: string;
	what: string;
}

async function coldStart(
	browser: Browser,
	appUrl: string,
	runs: number,
	conditions?: Condition[],
	logTimings?: (line: string) => void,
	logTrace?: (line: string) => void
): Promise<Row[]> {
	// Signed in once; every run starts from these cookies in a context of its own.
	const signedIn = await signedInPage(browser, appUrl, 'coach@spotter.test');
	const cookies = await signedIn.context.cookies();
	// The conversation's newest message now (7a has added to it): its bubble is the landmark.
	await signedIn.page.goto(`${appUrl}/messages/${coachAlex}`);
	const newest = await signedIn.page
		.locator('[data-testid="message"][data-id]')
		.last()
		.getAttribute('data-id', { timeout: 30_000 });
	await signedIn.context.close();
	if (!newest) throw new Error('the demo conversation shows no message');
	const landmarks: Landmark[] = [
		{
			path: '/messages',
			selector: '[data-testid="conversation-row"]',
			what: '/messages → first row rendered'
		},
		{
			path: `/messages/${coachAlex}`,
			selector: `[data-testid="message"][data-id="${newest}"]`,
			what: 'a conversation → newest message rendered'
		}
	];

	const rows: Row[] = [];
	for (const landmark of landmarks) {
		for (const { condition, label } of CONDITIONS.filter(
			(c) => !conditions || conditions.includes(c.condition)
		)) {
			const empty: number[] = [];
			const warm: number[] = [];
			const emptyInDocument: number[] = [];
			const warmInDocument: number[] = [];
			let emptyUnreported = 0;
			let warmUnreported = 0;
			for (let run = 0; run < runs; run++) {
				const context = await newContext(browser, { width: 375, height: 740 });
				try {
					await context.addCookies(cookies);
					await context.addInitScript(paintClock);
					await context.addInitScript(landmarkTimer, { selector: landmark.selector, id: LANDMARK });
					// Empty cache: a new context has no HTTP cache, no service worker, no device copy.
					const first = await context.newPage();
					const cold = await timeLandmark(browser, first, appUrl + landmark.path, condition, logTrace);
					empty.push(cold.rendered);
					emptyInDocument.push(cold.inDocument);
					if (cold.unreported) emptyUnreported++;
					if (logTimings) logTimings(`    ${landmark.what}, ${label}, empty: ${await timings(first)}`);
					// Warm service worker: it controls the origin and holds the shell; the device copy
					// of the list (and of the conversation) is there too, as on a phone that has
					// opened Spotter before.
					await first.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
						timeout: 20_000
					});
					await first.close();
					const again = await context.newPage();
					const warmed = await timeLandmark(browser, again, appUrl + landmark.path, condition, logTrace);
					warm.push(warmed.rendered);
					warmInDocument.push(warmed.inDocument);
					if (warmed.unreported) warmUnreported++;
					if (logTimings) logTimings(`    ${landmark.what}, ${label}, warm: ${await timings(again)}`);
				} finally {
					await context.close();
				}
			}
			const emptyTarget =
				condition === 'cpu'
					? { text: '≤ 1,000 ms', limit: 1000 }
					: condition === 'phone'
						? { text: '≤ 2,500 ms', limit: 2500 }
						: undefined;
			const warmTarget = condition === 'cpu' ? { text: '≤ 300 ms', limit: 300 } : undefined;
			const row = (
				cache: string,
				samples: number[],
				inDocument: number[],
				unreported: number,
				target?: { text: string; limit: number }
			): Row => {
				const summary = summarize(samples);
				return {
					section,
					name: `7b cold start ${landmark.what}, ${cache}, ${label}`,
					summary,
					value: `in the document p50 ${summarize(inDocument).p50.toFixed(1)} ms${unreportedNote(unreported)}`,
					...(target && { target: { text: `p50 ${target.text}`, pass: summary.p50 <= target.limit } })
				};
			};
			rows.push(
				row('empty cache', empty, emptyInDocument, emptyUnreported, emptyTarget),
				row('warm service worker', warm, warmInDocument, warmUnreported, warmTarget)
			);
		}
	}
	return rows;
}

/**
 * In the page, from the first script (after `paintClock`): when the first element matching
 * `selector` was put in the document, where the paint clock starts watching it and everything in
 * it (its first paint is the landmark), and, for `--timings`, when the app became interactive (the
 * root layout marks `<html data-hydrated>`).
 */
function landmarkTimer({ selector, id }: { selector: string; id: string }) {
	const w = window as unknown as PaintWindow & { __benchInDocument?: number; __benchHydrated?: number };
	const seen = () => {
		const element = document.querySelector(selector);
		if (w.__benchInDocument !== undefined || !element) return false;
		w.__benchInDocument = performance.now();
		w.__benchPaint.watch([element, ...element.querySelectorAll('*')], id);
		return true;
	};
	new MutationObserver((_, observer) => {
		if (seen()) observer.disconnect();
	}).observe(document, { childList: true, subtree: true });
	new MutationObserver((_, observer) => {
		if (document.documentElement?.dataset.hydrated === undefined) return;
		w.__benchHydrated = performance.now();
		observer.disconnect();
	}).observe(document, { attributes: true, attributeFilter: ['data-hydrated'], subtree: true });
}

/**
 * Opens `url` under `condition`; ms from navigation start to the landmark rendered, and to it in the
 * document. With `logTrace`, traced: where the page's main thread spent the time to the landmark
 * goes to `logTrace`.
 */
async function timeLandmark(
	browser: Browser,
	page: Page,
	url: string,
	condition: Condition,
	logTrace?: (line: string) => void
): Promise<{ rendered: number; inDocument: number; unreported: boolean }> {
	const sessions: CDPSession[] = [];
	if (condition !== 'unthrottled') {
		const cdp = await page.context().newCDPSession(page);
		await throttle(cdp, condition);
		sessions.push(cdp);
		// The service worker fetches for the page from its own target: throttle it too.
		if (condition === 'phone') sessions.push(...(await throttleServiceWorkers(browser)));
	}
	if (logTrace) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
	await page.goto(url, { waitUntil: 'commit' });
	const { ms, unreported } = await whenPainted(page, LANDMARK, 60_000);
	if (logTrace) {
		const spent = mainThreadTime(await browser.stopTracing(), url, ms);
		logTrace(
			spent
				? `      main thread to the landmark (${spent.window.toFixed(0)} ms): idle ${spent.idle.toFixed(0)}, ` +
						spent.byName
							.slice(0, 10)
							.map(([name, own]) => `${name} ${own.toFixed(1)}`)
							.join(', ')
				: '      (no navigation to this address in the trace)'
		);
	}
	for (const session of sessions) await session.detach().catch(() => {});
	const inDocument = await page.evaluate(
		() => (window as unknown as { __benchInDocument: number }).__benchInDocument
	);
	return { rendered: ms, inDocument, unreported };
}

/** The renderer's tasks and what ran in them (`--trace`). */
const TRACE_CATEGORIES = [
	'toplevel',
	'blink',
	'blink.user_timing',
	'loading',
	'devtools.timeline',
	'disabled-by-default-devtools.timeline',
	'v8',
	'v8.execute',
	'disabled-by-default-v8.compile'
];

/**
 * The page's navigation timings (ms from its start), the landmark and when the app was hydrated,
 * for `--timings` (waits for the hydration first).
 */
async function timings(page: Page): Promise<string> {
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 60_000 });
	return page.evaluate((id) => {
		const [n] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
		const w = window as unknown as PaintWindow & { __benchInDocument?: number; __benchHydrated?: number };
		const at = (value: number | undefined) => value?.toFixed(0);
		const landmark = `in the document ${at(w.__benchInDocument)}, rendered ${at(w.__benchPaint.painted[id])}${
			w.__benchPaint.unreported.includes(id) ? ' (no Element Timing: the frame after it)' : ''
		}`;
		if (!n) return `${landmark}, hydrated ${at(w.__benchHydrated)}`;
		return [
			`worker ${at(n.workerStart)}`,
			`request ${at(n.requestStart)}`,
			`first byte ${at(n.responseStart)}`,
			`last byte ${at(n.responseEnd)}`,
			`interactive ${at(n.domInteractive)}`,
			landmark,
			`loaded ${at(n.domContentLoadedEventEnd)}`,
			`hydrated ${at(w.__benchHydrated)}`
		].join(', ');
	}, LANDMARK);
}

async function throttle(cdp: CDPSession, condition: 'cpu' | 'phone'): Promise<void> {
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpu });
	if (condition === 'cpu') return;
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

// `npx tsx bench/browser.ts [--quick] [--only cold|live] [--conditions cpu,phone] [--runs N] [--timings]
// [--trace]
// [--app-at <revision>]`: section 7 alone (or only 7b, some of its conditions, N runs each, with each
// run's navigation timings), on a fresh build of the working tree or of a committed revision.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const { measurePageJs } = await import('./app.ts');
	const { modes } = await import('./modes.ts');
	const { renderTable } = await import('./report.ts');
	const argument = (name: string) => {
		const at = process.argv.indexOf(name);
		return at === -1 ? undefined : process.argv[at + 1];
	};
	const runs = argument('--runs');
	const conditions = argument('--conditions')?.split(',');
	for (const c of conditions ?? []) {
		if (!CONDITIONS.some(({ condition }) => condition === c))
			throw new Error(`no condition ${c}: unthrottled, cpu or phone`);
	}
	const options: BrowserOptions = {
		...modes[process.argv.includes('--quick') ? 'quick' : 'full'].browser,
		...(argument('--only') === 'cold' && { coldOnly: true }),
		...(argument('--only') === 'live' && { liveOnly: true }),
		...(runs && { coldStarts: Number(runs) }),
		...(conditions && { conditions: conditions as Condition[] }),
		...(process.argv.includes('--timings') && { timings: true }),
		...(process.argv.includes('--trace') && { trace: true })
	};
	let rows: Row[] = [];
	const loadAverage = () =>
		os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' / ');
	const atStart = loadAverage();
	const revision = argument('--app-at');
	await measurePageJs(
		(line) => console.log(line),
		revision ? { revision } : 'worktree',
		async (dir) => {
			rows = await browserBenchmarks(
				dir,
				options,
				(line) => console.log(line),
				process.env.DATABASE_URL || undefined
			);
		}
	);
	console.log(renderTable(rows));
	console.log(`load average ${atStart} at start, ${loadAverage()} at the end`);
	process.exit(0);
}
