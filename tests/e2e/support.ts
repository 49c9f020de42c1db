// What the end-to-end scenarios share: signing in through the UI, the demo data, supabase-js
// clients for setting up data and checking the database, and fresh trainees per scenario.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { apiUrl } from '../../playwright.config';

export const publishableKey = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
/** The well-known local secret key (`supabase start` prints it too): for setting up test users. */
export const secretKey = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';
export const password = 'spotter-demo';

export const demo = {
	coach: { email: 'coach@spotter.test', id: '10000000-0000-4000-8000-000000000001', name: 'Casey Coach' },
	alex: { email: 'alex@spotter.test', id: '10000000-0000-4000-8000-000000000002', name: 'Alex Rivera' },
	sam: { email: 'sam@spotter.test', id: '10000000-0000-4000-8000-000000000003', name: 'Sam Lee' },
	rival: { email: 'rival@spotter.test', id: '10000000-0000-4000-8000-000000000004', name: 'Riley Rival' },
	jordan: { email: 'jordan@spotter.test', id: '10000000-0000-4000-8000-000000000005', name: 'Jordan Kim' },
	solo: { email: 'solo@spotter.test', id: '10000000-0000-4000-8000-000000000006', name: 'Solo Park' }
} as const;

export const conversations = {
	coachAlex: '20000000-0000-4000-8000-000000000001',
	coachSam: '20000000-0000-4000-8000-000000000002',
	rivalJordan: '20000000-0000-4000-8000-000000000003'
} as const;

/** A short unique tag, so each run's messages are told apart from earlier ones. */
export function tag(): string {
	return Math.random().toString(36).slice(2, 8);
}

/** A supabase-js client signed in as `email` (Node needs the ws transport). */
export async function clientFor(email: string): Promise<SupabaseClient> {
	const client = createClient(apiUrl, publishableKey, {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	});
	const { error } = await client.auth.signInWithPassword({ email, password });
	if (error) throw error;
	return client;
}

export interface TestUser {
	id: string;
	email: string;
	name: string;
	client: SupabaseClient;
}

/** A new trainee linked to the demo coach with the invitation code CASEY234. */
export async function newTraineeOfCoach(label = 'Taylor'): Promise<TestUser> {
	const t = tag();
	const email = `${label.toLowerCase()}-${t}@spotter.test`;
	const name = `${label} ${t.toUpperCase()}`;
	const client = createClient(apiUrl, publishableKey, {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	});
	// Created confirmed by an admin, as sign-up now waits for the emailed link.
	const created = await createClient(apiUrl, secretKey, {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	}).auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: { role: 'trainee', display_name: name }
	});
	if (created.error || !created.data.user) throw created.error ?? new Error('createUser returned no user');
	const { data, error } = await client.auth.signInWithPassword({ email, password });
	if (error || !data.user) throw error ?? new Error('sign-in returned no user');
	const redeemed = await client.rpc('redeem_invitation', { code: 'CASEY234' });
	if (redeemed.error) throw redeemed.error;
	return { id: data.user.id, email, name, client };
}

/** Sends a message through the API, as `client`, and returns the stored row. */
export async function send(client: SupabaseClient, recipientId: string, body: string) {
	const { data, error } = await client.rpc('send_message', {
		recipient_id: recipientId,
		body,
		message_id: crypto.randomUUID()
	});
	if (error) throw error;
	return data as { id: string; conversation_id: string; seq: number };
}

/** A new browser context signed in as `email` through the sign-in form. */
export async function signedIn(
	browser: Browser,
	email: string,
	viewport = { width: 1280, height: 800 }
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport });
	const page = await context.newPage();
	await signIn(page, email);
	return { context, page };
}

/**
 * The modules SvelteKit names for preloading in the server's answer for `path` (its Link header),
 * as absolute URLs; asked with the page's cookies, not through the service worker.
 */
export async function preloadList(page: Page, path: string): Promise<Set<string>> {
	const pageUrl = new URL(path, page.url()).href;
	const response = await page.request.get(pageUrl);
	expect(response.ok()).toBe(true);
	return new Set(
		[...(response.headers()['link'] ?? '').matchAll(/<([^>]+)>;\s*rel="modulepreload"/g)].map(
			(m) => new URL(m[1], pageUrl).href
		)
	);
}

/** A full page load, then waits until the app is interactive (hydrated). */
export async function visit(page: Page, path: string): Promise<void> {
	await page.goto(path);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

export async function signIn(page: Page, email: string): Promise<void> {
	await visit(page, '/sign-in');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/messages$/);
	await expect(page.getByRole('heading', { name: 'Messages' })).toBeVisible();
}

/** The unread badge on the Messages nav item (0 when hidden). */
export async function badge(page: Page): Promise<number> {
	// One read that never waits: count() then innerText() would wait forever for a badge that
	// disappeared in between (the total reaching 0), and expect.poll would time out on a page that
	// was right all along.
	const [text] = await page.getByTestId('unread-badge').allInnerTexts();
	return text === undefined ? 0 : Number.parseInt(text.trim(), 10);
}

export function composer(page: Page) {
	return page.getByRole('textbox', { name: /^Message to / });
}

export function messageBubble(page: Page, text: string) {
	return page.getByTestId('message').filter({ hasText: text });
}

/** Waits for the conversation channel to be joined (typing and live updates depend on it). */
export async function openConversation(page: Page, id: string): Promise<void> {
	await visit(page, `/messages/${id}`);
	await expect(composer(page).or(page.getByTestId('archived-banner'))).toBeVisible();
}

/** axe on the current screen: no serious or critical violation. Saves a screenshot beside it. */
export async function checkScreen(page: Page, name: string): Promise<string[]> {
	const width = page.viewportSize()?.width ?? 0;
	await page.screenshot({ path: `test-results/screens/${name}-${width}.png`, fullPage: false });
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
		.analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map(
			(v) => `${name}@${width}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
		);
}

// ---- the walkthrough suite: people of its own, so its scenarios run beside the demo ones --------

/** The local stack's well-known secret key, for the Auth admin API (creating users as an admin). */
const adminApiKey = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

/**
 * A new user (a trainer, or a trainee with no trainer yet), created with a confirmed address by the
 * Auth admin API — whether or not sign-up asks to confirm by email — and signed in.
 */
async function signUpUser(role: 'trainer' | 'trainee', label: string): Promise<TestUser> {
	const t = tag();
	const email = `${label.toLowerCase()}-${t}@walkthrough.test`;
	const name = `${label} ${t.toUpperCase()}`;
	const options = {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	};
	const created = await createClient(apiUrl, adminApiKey, options).auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: { role, display_name: name }
	});
	if (created.error || !created.data.user) throw created.error ?? new Error('createUser returned no user');
	const client = createClient(apiUrl, publishableKey, options);
	const { error } = await client.auth.signInWithPassword({ email, password });
	if (error) throw error;
	return { id: created.data.user.id, email, name, client };
}

export interface Trainer extends TestUser {
	/** An invitation code of this trainer. */
	code: string;
}

/** A new trainer of their own, with an invitation code. */
export async function newTrainer(label = 'Trainer'): Promise<Trainer> {
	const trainer = await signUpUser('trainer', label);
	const { data, error } = await trainer.client.rpc('create_invitation');
	if (error) throw error;
	return { ...trainer, code: (data as { code: string }).code };
}

/** A new trainee linked to `trainer` with the trainer's code. */
export async function newTraineeOf(trainer: Trainer, label = 'Trainee'): Promise<TestUser> {
	const trainee = await signUpUser('trainee', label);
	const { error } = await trainee.client.rpc('redeem_invitation', { code: trainer.code });
	if (error) throw error;
	return trainee;
}

/** Counts full page loads (document loads) of `page` from now on. */
export function countLoads(page: Page): { readonly count: number } {
	const counter = { count: 0 };
	page.on('load', () => counter.count++);
	return counter;
}

/** Screenshots of the current screen at a phone and a desktop width, in test-results/screens/. */
export async function shoot(page: Page, name: string): Promise<void> {
	const original = page.viewportSize() ?? { width: 1280, height: 800 };
	for (const viewport of [
		{ width: 375, height: 740 },
		{ width: 1280, height: 800 }
	]) {
		await page.setViewportSize(viewport);
		await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
		await page.screenshot({ path: `test-results/screens/walkthrough-${name}-${viewport.width}.png` });
	}
	await page.setViewportSize(original);
}

/** What the device outbox holds (IndexedDB "spotter", store "outbox"), read in the page. */
export function deviceOutbox(
	page: Page
): Promise<{ id: string; body: string; status: string; thread: string }[]> {
	return page.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('spotter');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					if (!db.objectStoreNames.contains('outbox')) {
						db.close();
						resolve([]);
						return;
					}
					const request = db.transaction('outbox').objectStore('outbox').getAll();
					request.onsuccess = () => {
						db.close();
						resolve(request.result);
					};
					request.onerror = () => reject(request.error);
				};
			})
	);
}

/** Waits until the service worker controls the page (the app shell is cached by then). */
export async function controlledByServiceWorker(page: Page): Promise<void> {
	await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
		timeout: 15_000
	});
}

/** Waits until the service worker keeps a page for `path` (its copy of the server's answer). */
export async function kept(page: Page, path: string): Promise<void> {
	await controlledByServiceWorker(page);
	await expect
		.poll(
			() =>
				page.evaluate(async (path) => {
					for (const name of await caches.keys()) {
						if (!name.startsWith('spotter-kept-pages-')) continue;
						if (await (await caches.open(name)).match(new URL(path, location.origin).href)) return true;
					}
					return false;
				}, path),
			{ message: `a kept page for ${path}` }
		)
		.toBe(true);
}
