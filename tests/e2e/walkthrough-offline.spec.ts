// Walkthrough: opening the installed app without a network, on the production build, the way people
// do — after getting around by clicking (no full load of the page they reload), after a push opened
// one conversation with a full load, and on every signed-in address. Each open is one page load:
// nothing reloads itself.
import { expect, test, type Page } from '@playwright/test';
import {
	composer,
	controlledByServiceWorker,
	countLoads,
	deviceOutbox,
	kept,
	messageBubble,
	newTraineeOf,
	newTrainer,
	send,
	shoot,
	signedIn,
	visit
} from './support';

/** Opens `path` offline (a typed address or a bookmark): one load, the app running. */
async function openOffline(page: Page, path: string, loads: { count: number }) {
	const before = loads.count;
	const response = await page.goto(path);
	expect(response?.fromServiceWorker(), `${path} comes from the service worker`).toBe(true);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 5_000 });
	// Long enough for a reload loop to show itself.
	await page.waitForTimeout(1_000);
	expect(loads.count - before, `${path} loads once`).toBe(1);
	expect(new URL(page.url()).pathname).toBe(path);
}

test('a conversation opened by clicking, then reloaded offline, opens from the app shell with what the device last saw', async ({
	browser
}) => {
	const trainer = await newTrainer('Oscar');
	const trainee = await newTraineeOf(trainer, 'Offline');
	const { conversation_id } = await send(trainer.client, trainee.id, 'Rest day tomorrow');
	await send(trainee.client, trainer.id, 'Thanks, will do');

	const { context, page } = await signedIn(browser, trainee.email, { width: 375, height: 740 });
	await controlledByServiceWorker(page);
	// By clicking only: this address never had a full page load.
	await page.getByTestId('conversation-row').first().click();
	await expect(page).toHaveURL(new RegExp(`/messages/${conversation_id}$`));
	await expect(messageBubble(page, 'Thanks, will do')).toBeVisible();

	await context.setOffline(true);
	const loads = countLoads(page);
	const reloaded = await page.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 5_000 });
	await expect(page.getByTestId('offline-notice')).toBeVisible();
	await expect(page.getByRole('heading', { level: 1, name: trainer.name })).toBeVisible();
	await expect(messageBubble(page, 'Rest day tomorrow')).toBeVisible();
	await expect(messageBubble(page, 'Thanks, will do')).toBeVisible();
	await page.waitForTimeout(1_000);
	expect(loads.count).toBe(1);
	await shoot(page, 'offline-conversation-reloaded');

	// Written offline, sent once when back.
	await composer(page).fill('Written in the tunnel');
	await composer(page).press('Enter');
	await expect(messageBubble(page, 'Written in the tunnel').getByTestId('receipt')).toHaveAttribute(
		'data-state',
		'offline'
	);
	await context.setOffline(false);
	await expect(messageBubble(page, 'Written in the tunnel').getByTestId('receipt')).toHaveAttribute(
		'data-state',
		/sent|read/
	);
	await context.close();
});

test('after a full load of one conversation (as from a notification), the list opens offline under its own address, once, and back online everything works', async ({
	browser
}) => {
	const trainer = await newTrainer('Pia');
	const trainee = await newTraineeOf(trainer, 'Pushed');
	const first = await newTraineeOf(trainer, 'Other');
	await send(first.client, trainer.id, 'Earlier conversation');
	const { conversation_id } = await send(trainee.client, trainer.id, 'Can we talk about Friday?');

	const { context, page } = await signedIn(browser, trainer.email, { width: 375, height: 740 });
	await controlledByServiceWorker(page);
	await expect(page.getByTestId('conversation-row')).toHaveCount(2);
	// A notification click opens the conversation with a full page load.
	await visit(page, `/messages/${conversation_id}`);
	await expect(messageBubble(page, 'Can we talk about Friday?')).toBeVisible();

	await context.setOffline(true);
	const loads = countLoads(page);
	await openOffline(page, '/messages', loads);
	await expect(page.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();
	await expect(page.getByTestId('conversation-row')).toHaveCount(2);
	await expect(page.getByTestId('conversation-row').first()).toContainText(trainee.name);
	await expect(composer(page)).toHaveCount(0);
	await shoot(page, 'offline-list-after-full-load');

	// Back online: the list's conversation opens, with its messages.
	await context.setOffline(false);
	await page.getByTestId('conversation-row').filter({ hasText: first.name }).click();
	await expect(messageBubble(page, 'Earlier conversation')).toBeVisible();
	await expect(page.getByText('Conversation not found')).toHaveCount(0);
	await page.getByRole('link', { name: /Back to conversations/ }).click();
	await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
	expect(loads.count).toBe(1);
	await context.close();
});

test('every signed-in address opens offline, even after a full load of another one; a conversation never opened here says so; nothing loops', async ({
	browser
}) => {
	const trainer = await newTrainer('Quill');
	const seen = await newTraineeOf(trainer, 'Seen');
	const unseen = await newTraineeOf(trainer, 'Unseen');
	const fresh = await newTraineeOf(trainer, 'Fresh');
	const seenConversation = (await send(seen.client, trainer.id, 'Opened on this device')).conversation_id;
	const unseenConversation = (await send(unseen.client, trainer.id, 'Never opened here')).conversation_id;

	const { context, page } = await signedIn(browser, trainer.email);
	await controlledByServiceWorker(page);
	// What a person would have done online: the list, one conversation, the trainees, a trainee,
	// a first message screen, settings.
	const addresses = [
		{ path: '/messages', heading: 'Messages' },
		{ path: `/messages/${seenConversation}`, heading: seen.name },
		{ path: '/trainees', heading: 'Trainees' },
		{ path: `/trainees/${fresh.id}`, heading: fresh.name },
		{ path: `/messages/with/${fresh.id}`, heading: fresh.name },
		{ path: '/settings', heading: 'Settings' }
	];
	for (const { path, heading } of addresses) {
		await visit(page, path);
		await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
	}

	await context.setOffline(true);
	const loads = countLoads(page);
	for (const width of [1280, 375]) {
		await page.setViewportSize({ width, height: width < 768 ? 740 : 800 });
		for (const { path, heading } of addresses) {
			await openOffline(page, path, loads);
			await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
			await expect(page.getByTestId('offline-notice')).toBeVisible();
		}
	}
	await expect(page.getByTestId('offline-notice')).toBeVisible();
	await shoot(page, 'offline-settings');

	// Never opened on this device: said plainly, with the way back.
	await openOffline(page, `/messages/${unseenConversation}`, loads);
	await expect(page.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();
	await expect(page.getByText('this conversation has not been opened on this device yet')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Back to messages' })).toBeVisible();
	await shoot(page, 'offline-never-opened');

	// Back online, the same address loads by itself once.
	await context.setOffline(false);
	await expect(messageBubble(page, 'Never opened here')).toBeVisible();
	await context.close();
});

test('before the app’s code has run, Send goes through the service worker: online to the server, which shows it; offline into the device’s outbox, where it waits once the app starts and is sent once when back', async ({
	browser
}) => {
	const trainer = await newTrainer('Tess');
	const trainee = await newTraineeOf(trainer, 'Tunnel');
	const { conversation_id } = await send(trainer.client, trainee.id, 'How was the run?');
	const { context, page } = await signedIn(browser, trainee.email, { width: 375, height: 740 });
	const path = `/messages/${conversation_id}`;
	const storedWith = async (body: string) =>
		(
			await trainer.client
				.from('messages')
				.select('id')
				.eq('conversation_id', conversation_id)
				.eq('body', body)
		).data?.length;
	await kept(page, '/messages');
	await visit(page, path);
	await kept(page, path);

	// Send pressed before any of the app's code has run (scripts off: the page is the one the
	// service worker kept, and its form posts). Online, the form reaches the server through the
	// worker, and the conversation comes back from the server with the message, not as kept.
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
	expect((await page.reload())?.fromServiceWorker()).toBe(true);
	await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
	const online = `Sent through the worker ${Date.now()}`;
	await composer(page).fill(online);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(page).toHaveURL(new RegExp(`${path}$`));
	await expect(messageBubble(page, online)).toBeVisible();
	expect(await storedWith(online)).toBe(1);

	// Then without a network.
	await context.setOffline(true);
	expect((await page.reload())?.fromServiceWorker()).toBe(true);
	const text = `Typed in the tunnel ${Date.now()}`;
	await composer(page).fill(text);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	// Back on the conversation, not on the browser's "no connection" page.
	await expect(page).toHaveURL(new RegExp(`${path}$`));
	await expect(page.getByRole('heading', { level: 1, name: trainer.name })).toBeVisible();

	// The app starts (still offline, in a tab whose scripts run): the message waits on the device,
	// shown as waiting.
	await page.close();
	const app = await context.newPage();
	expect((await app.goto(path))?.fromServiceWorker()).toBe(true);
	await app.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 5_000 });
	const mine = app.getByTestId('message').filter({ hasText: text });
	await expect(mine.getByTestId('receipt')).toHaveAttribute('data-state', 'offline');
	expect(await deviceOutbox(app)).toMatchObject([{ body: text, status: 'pending', thread: conversation_id }]);

	await context.setOffline(false);
	const stored = () => storedWith(text);
	await expect.poll(stored, { timeout: 15_000 }).toBe(1);
	await expect(mine.getByTestId('receipt')).not.toHaveAttribute('data-state', 'offline');
	await expect.poll(async () => (await deviceOutbox(app)).length).toBe(0);
	await app.waitForTimeout(1_000);
	expect(await stored()).toBe(1);
	await context.close();
});
