// What the end-to-end scenarios share: signing in through the UI, the demo data, supabase-js
// clients for setting up data and checking the database, and fresh trainees per scenario.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { apiUrl } from '../../playwright.config';

export const publishableKey = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
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
	const { data, error } = await client.auth.signUp({
		email,
		password,
		options: { data: { role: 'trainee', display_name: name } }
	});
	if (error || !data.user) throw error ?? new Error('sign-up returned no user');
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
