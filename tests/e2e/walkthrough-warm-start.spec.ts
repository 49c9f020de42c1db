// Walkthrough: opening the app again on a device that has opened it before. The service worker shows
// the page the server last rendered for that address and that user at once (src/service-worker.ts),
// and the database corrects it within a moment; the copy never outlives the session, never shows
// to another user, and never makes the app reload itself.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import {
	composer,
	controlledByServiceWorker,
	countLoads,
	kept,
	messageBubble,
	newTraineeOf,
	newTrainer,
	send,
	signIn,
	signedIn,
	visit
} from './support';

/**
 * Every text any page of `context` has shown since, and the first conversation row's first text:
 * recorded by a MutationObserver from the first script.
 */
async function recordTexts(context: BrowserContext): Promise<void> {
	await context.addInitScript(() => {
		const w = window as unknown as { __shown: string[]; __firstRow?: string };
		w.__shown = [];
		new MutationObserver((records) => {
			for (const record of records) {
				for (const node of record.addedNodes) if (node.textContent) w.__shown.push(node.textContent);
			}
			// The first row's text once it has any: the parser can hand over a row before its children.
			const text = document.querySelector('[data-testid="conversation-row"]')?.textContent?.trim();
			if (text && w.__firstRow === undefined) w.__firstRow = text;
		}).observe(document, { childList: true, subtree: true, characterData: true });
	});
}

function shown(page: Page): Promise<string> {
	return page.evaluate(() => (window as unknown as { __shown: string[] }).__shown.join('\n'));
}

test('a warm start shows the list the device kept before the server answers, then what arrived since, in one load', async ({
	browser
}) => {
	const trainer = await newTrainer('Warm');
	const trainee = await newTraineeOf(trainer, 'Early');
	const { conversation_id } = await send(trainee.client, trainer.id, 'Before the phone slept');
	const { context, page } = await signedIn(browser, trainer.email, { width: 375, height: 740 });
	await recordTexts(context);
	await kept(page, '/messages');
	await visit(page, `/messages/${conversation_id}`);
	await kept(page, `/messages/${conversation_id}`);
	await page.close();

	// Arrives while the app is closed: the kept pages do not have it.
	await send(trainee.client, trainer.id, 'Arrived while away');

	const warm = await context.newPage();
	const loads = countLoads(warm);
	const response = await warm.goto('/messages');
	expect(response?.fromServiceWorker()).toBe(true);
	// What showed first is the kept page (the server's answer would already hold the new message)…
	await expect
		.poll(() => warm.evaluate(() => (window as unknown as { __firstRow?: string }).__firstRow))
		.toContain('Before the phone slept');
	// …and the database corrects it within a moment.
	await expect(warm.getByTestId('conversation-row').first()).toContainText('Arrived while away');
	await warm.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(warm.locator('html[data-kept-page]')).toHaveCount(0);

	// The conversation: the kept bubbles at once, the new message from the database.
	await warm.goto(`/messages/${conversation_id}`);
	expect(await shown(warm)).toContain('Before the phone slept');
	await expect(messageBubble(warm, 'Arrived while away')).toBeVisible();
	await expect(composer(warm)).toBeVisible();
	// Long enough for a reload loop to show itself: two loads, the two addresses asked for.
	await warm.waitForTimeout(1_500);
	expect(loads.count).toBe(2);
	await context.close();
});

test("no page the server sends, and no copy the device keeps, holds the session's tokens", async ({
	browser
}) => {
	const trainer = await newTrainer('Tokens');
	const trainee = await newTraineeOf(trainer, 'Reader');
	const { conversation_id } = await send(trainee.client, trainer.id, 'Nothing secret in here');
	const { context, page } = await signedIn(browser, trainer.email, { width: 375, height: 740 });
	const addresses = ['/messages', `/messages/${conversation_id}`];
	await kept(page, addresses[0]);
	await visit(page, addresses[1]);
	await kept(page, addresses[1]);

	// The session as the browser holds it: @supabase/ssr's cookie ("base64-" and base64url JSON,
	// split into .0, .1, … when long).
	const chunks = (await context.cookies())
		.filter((c) => /^sb-.+-auth-token(\.\d+)?$/.test(c.name))
		.sort((a, b) => Number(a.name.split('.')[1] ?? 0) - Number(b.name.split('.')[1] ?? 0));
	const stored = chunks.map((c) => c.value).join('');
	const session = JSON.parse(Buffer.from(stored.replace(/^base64-/, ''), 'base64url').toString('utf8'));
	const tokens = [session.access_token, session.refresh_token] as string[];
	expect(tokens.every((token) => typeof token === 'string' && token.length > 8)).toBe(true);

	const served = await Promise.all(addresses.map(async (path) => (await page.request.get(path)).text()));
	// The server data a client-side navigation or invalidation reads (the signed-in user's id is in it).
	const data = await (await page.request.get(`${addresses[1]}/__data.json`)).text();
	expect(data).toContain(trainer.id);
	const keptCopies = await page.evaluate(async () => {
		const texts: string[] = [];
		for (const name of await caches.keys()) {
			if (!name.startsWith('spotter-kept-pages-')) continue;
			const cache = await caches.open(name);
			for (const request of await cache.keys())
				texts.push((await (await cache.match(request))!.text()) ?? '');
		}
		return texts;
	});
	expect(keptCopies.length).toBeGreaterThanOrEqual(2);
	for (const html of [...served, ...keptCopies]) {
		// The real page (signed in, with the conversation), without either token.
		expect(html).toContain('Nothing secret in here');
		for (const token of tokens) expect(html).not.toContain(token);
	}
	for (const token of tokens) expect(data).not.toContain(token);

	// The browser still has its session: a reply from a fresh load is stored.
	await visit(page, addresses[1]);
	await composer(page).fill('Still signed in');
	await composer(page).press('Enter');
	await expect
		.poll(async () => {
			const { data } = await trainee.client
				.from('messages')
				.select('body')
				.eq('conversation_id', conversation_id);
			return (data ?? []).map((m) => m.body);
		})
		.toContain('Still signed in');
	await context.close();
});

test('a conversation archived since the page was kept opens read-only', async ({ browser }) => {
	const trainer = await newTrainer('Archive');
	const trainee = await newTraineeOf(trainer, 'Leaving');
	const { conversation_id } = await send(trainer.client, trainee.id, 'See you next week');
	const { context, page } = await signedIn(browser, trainee.email, { width: 375, height: 740 });
	// A load the worker answers (one started while it was taking over would go past it).
	await controlledByServiceWorker(page);
	await visit(page, `/messages/${conversation_id}`);
	await kept(page, `/messages/${conversation_id}`);
	await expect(composer(page)).toBeVisible();

	const removed = await trainer.client.rpc('remove_trainee', { trainee_id: trainee.id });
	expect(removed.error).toBeNull();
	await page.close();
	const warm = await context.newPage();
	const response = await warm.goto(`/messages/${conversation_id}`);
	expect(response?.fromServiceWorker()).toBe(true);
	await expect(warm.getByTestId('archived-banner')).toBeVisible();
	await expect(composer(warm)).toHaveCount(0);
	await context.close();
});

test('after signing out, and with the cookies gone, nobody sees the kept pages of the user who left', async ({
	browser
}) => {
	const first = await newTrainer('Leaver');
	const theirs = await newTraineeOf(first, 'Secret');
	await send(theirs.client, first.id, 'Only for the first trainer');
	const second = await newTrainer('Next');
	const mine = await newTraineeOf(second, 'Public');
	await send(mine.client, second.id, 'For the second trainer');

	const { context, page } = await signedIn(browser, first.email, { width: 375, height: 740 });
	await recordTexts(context);
	await kept(page, '/messages');
	await expect(page.getByTestId('conversation-row').first()).toContainText('Only for the first trainer');

	// Signed out through the app, then the next person signs in on this device.
	await visit(page, '/settings');
	await page.getByRole('button', { name: 'Sign out of this device' }).click();
	await expect(page).toHaveURL(/\/sign-in$/);
	await signIn(page, second.email);
	await page.close();
	const next = await context.newPage();
	const loads = countLoads(next);
	await visit(next, '/messages');
	await expect(next.getByTestId('conversation-row').first()).toContainText('For the second trainer');
	await next.waitForTimeout(1_000);
	expect(await shown(next)).not.toContain('Only for the first trainer');
	expect(await shown(next)).not.toContain(theirs.name);
	expect(loads.count).toBe(1);

	// Without signing out: the cookies cleared (the second trainer's page is kept now), then a start.
	await kept(next, '/messages');
	await context.clearCookies();
	const signedOut = await context.newPage();
	const outLoads = countLoads(signedOut);
	await signedOut.goto('/messages');
	await expect(signedOut).toHaveURL(/\/sign-in\?redirectTo=%2Fmessages$/);
	await signedOut.waitForTimeout(1_000);
	expect(await shown(signedOut)).not.toContain('For the second trainer');
	expect(outLoads.count).toBe(1);

	// The first trainer again, on a device whose kept page is the second trainer's.
	await signIn(signedOut, first.email);
	const again = await context.newPage();
	await visit(again, '/messages');
	await expect(again.getByTestId('conversation-row').first()).toContainText('Only for the first trainer');
	expect(await shown(again)).not.toContain('For the second trainer');
	await context.close();
});

test('a session ended on another device ends a warm start on the sign-in page', async ({ browser }) => {
	const trainer = await newTrainer('Revoked');
	const trainee = await newTraineeOf(trainer, 'Watcher');
	await send(trainee.client, trainer.id, 'Still signed in?');
	const { context, page } = await signedIn(browser, trainer.email, { width: 375, height: 740 });
	await kept(page, '/messages');
	await page.close();

	// Every session of the user ends (as "Sign out of all devices" elsewhere does).
	const { error } = await trainer.client.auth.signOut({ scope: 'global' });
	expect(error).toBeNull();

	const warm = await context.newPage();
	const loads = countLoads(warm);
	await warm.goto('/messages');
	await expect(warm).toHaveURL(/\/sign-in\?.*ended=1/);
	await expect(warm.getByTestId('sign-in-notice')).toHaveText(/You were signed out/);
	await warm.waitForTimeout(1_000);
	// The kept page, then (when the app finds the session gone before the server's answer
	// does) the sign-in page: no more.
	expect(loads.count).toBeLessThanOrEqual(2);
	// The server said so for that address: the page is not kept any more.
	const stillKept = await warm.evaluate(async () => {
		for (const name of await caches.keys()) {
			if (name.startsWith('spotter-kept-pages-') && (await (await caches.open(name)).keys()).length > 0)
				return true;
		}
		return false;
	});
	expect(stillKept).toBe(false);
	await context.close();
});
