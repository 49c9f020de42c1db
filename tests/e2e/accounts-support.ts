// What the account scenarios share: fresh confirmed users, the local inbox (Mailpit's API, as
// under `supabase start`), and screenshots with axe at a phone's and a desktop's width.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { expect, type Locator, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { apiUrl, mailUrl } from '../../playwright.config';
import { latestMailTo, linkIn, mailsTo } from '../localbase/mail-support';
import { checkScreen, password, publishableKey, secretKey, tag } from './support';

export { mailUrl };

function client(key: string): SupabaseClient {
	return createClient(apiUrl, key, {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	});
}

export const admin = () => client(secretKey);

export interface Person {
	id: string;
	email: string;
	name: string;
	client: SupabaseClient;
}

/** A new, confirmed account (as an admin creates one), signed in on a client of its own. */
export async function newPerson(role: 'trainer' | 'trainee', label: string): Promise<Person> {
	const t = tag();
	const email = `${label.toLowerCase()}-${t}@spotter.test`;
	const name = `${label} ${t.toUpperCase()}`;
	const created = await admin().auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: { role, display_name: name }
	});
	if (created.error || !created.data.user) throw created.error ?? new Error('no user');
	const own = client(publishableKey);
	const { error } = await own.auth.signInWithPassword({ email, password });
	if (error) throw error;
	return { id: created.data.user.id, email, name, client: own };
}

/** A fresh address nobody has used. */
export function freshEmail(label: string): string {
	return `${label.toLowerCase()}-${tag()}@spotter.test`;
}

/** The link in the newest mail to `address` (waiting for it), as the person would click it. */
export async function emailedLink(address: string, subject?: RegExp): Promise<string> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const mail = await latestMailTo(mailUrl, address, 10_000);
		if (!subject || subject.test(mail.Subject)) return linkIn(mail);
		if (Date.now() > deadline) throw new Error(`no mail to ${address} with subject ${subject}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

export async function mailCount(address: string): Promise<number> {
	return (await mailsTo(mailUrl, address)).length;
}

/**
 * Screenshots of the current screen at 375 and 1280 px (test-results/screens/<name>-<width>.png),
 * with axe at each (unless `axe: false`, for pages that are not the app's); asserts no serious or
 * critical violation, and returns to the first size. `show` is scrolled into view first.
 */
export async function screens(
	page: Page,
	name: string,
	{ show, axe = true }: { show?: Locator; axe?: boolean } = {}
): Promise<void> {
	const size = page.viewportSize();
	const violations: string[] = [];
	for (const width of [375, 1280]) {
		await page.setViewportSize({ width, height: width < 768 ? 740 : 800 });
		await show?.scrollIntoViewIfNeeded();
		if (axe) violations.push(...(await checkScreen(page, name)));
		else await page.screenshot({ path: `test-results/screens/${name}-${width}.png` });
	}
	if (size) await page.setViewportSize(size);
	expect(violations).toEqual([]);
}
