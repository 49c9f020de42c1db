// Walkthrough: the app on a small phone, a phone and a desktop, and by keyboard alone — every way
// around visible and reachable, nothing wider than the screen, the messages given the room, and a
// whole exchange without touching the mouse.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import {
	composer,
	messageBubble,
	newTraineeOf,
	newTrainer,
	password,
	send,
	shoot,
	signedIn,
	visit
} from './support';

/** Nothing scrolls sideways: the page is exactly as wide as the screen. */
async function noSidewaysScroll(page: Page) {
	const { scrollWidth, innerWidth } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth
	}));
	expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** Every link of the main navigation is on screen, whole, and at least 44 px tall. */
async function navigationFullyVisible(page: Page, labels: string[]) {
	const nav = page.getByRole('navigation', { name: 'Main' });
	const viewport = page.viewportSize()!;
	for (const label of labels) {
		const link = nav.getByRole('link', { name: new RegExp(`^${label}`) });
		await expect(link).toBeInViewport({ ratio: 1 });
		const box = (await link.boundingBox())!;
		expect(box.x).toBeGreaterThanOrEqual(0);
		expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
		expect(box.height).toBeGreaterThanOrEqual(44);
	}
}

for (const width of [320, 375]) {
	test(`at ${width} px every way around is visible in thumb reach, nothing scrolls sideways, and a conversation gets the screen`, async ({
		browser
	}) => {
		const trainer = await newTrainer('Tess');
		const trainee = await newTraineeOf(trainer, 'Phone');
		const { conversation_id } = await send(trainee.client, trainer.id, 'Morning! Ready when you are.');
		const viewport = { width, height: width === 320 ? 568 : 740 };
		const { context, page } = await signedIn(browser, trainer.email, viewport);

		for (const path of ['/messages', '/trainees', '/settings', `/trainees/${trainee.id}`]) {
			await visit(page, path);
			await expect(page.locator('h1').first()).toBeVisible();
			await noSidewaysScroll(page);
			await navigationFullyVisible(page, ['Messages', 'Trainees', 'Settings']);
			// In thumb reach: the navigation sits in the bottom quarter of the screen.
			const nav = (await page.getByRole('navigation', { name: 'Main' }).boundingBox())!;
			expect(nav.y).toBeGreaterThan(viewport.height * 0.75);
		}
		if (width === 375) await shoot(page, 'phone-navigation');

		// A conversation: its header leads back, and the messages get most of the height.
		await visit(page, `/messages/${conversation_id}`);
		await expect(messageBubble(page, 'Morning! Ready when you are.')).toBeVisible();
		await noSidewaysScroll(page);
		const header = (await page.locator('section.chat > header').boundingBox())!;
		const messages = (await page.getByTestId('message-scroller').boundingBox())!;
		console.log(
			`${width} px: chat header ${header.height} px from the top at ${header.y}, messages ${messages.height} of ${viewport.height} px`
		);
		expect(header.y + header.height).toBeLessThanOrEqual(64);
		expect(messages.height / viewport.height).toBeGreaterThan(0.65);
		// Room to write beside the file tools: "Message…" on one line (at 320 px Send is an icon, still
		// named Send), and a reply goes from there.
		const field = (await composer(page).boundingBox())!;
		console.log(`${width} px: the composer's text field is ${field.width} px wide`);
		expect(field.width).toBeGreaterThanOrEqual(120);
		expect(field.height).toBeLessThanOrEqual(46);
		await composer(page).fill('On my way');
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		await expect(messageBubble(page, 'On my way')).toBeVisible();
		await expect(composer(page)).toHaveValue('');
		await page.getByRole('link', { name: /Back to conversations/ }).click();
		await expect(page).toHaveURL(/\/messages$/);
		await navigationFullyVisible(page, ['Messages', 'Trainees', 'Settings']);
		await context.close();
	});
}

test('at 1280 px the navigation is in the top bar and the conversation keeps most of the screen', async ({
	browser
}) => {
	const trainer = await newTrainer('Wide');
	const trainee = await newTraineeOf(trainer, 'Desk');
	const { conversation_id } = await send(trainee.client, trainer.id, 'Desk check-in');
	const { context, page } = await signedIn(browser, trainer.email);
	await visit(page, `/messages/${conversation_id}`);
	await noSidewaysScroll(page);
	await navigationFullyVisible(page, ['Messages', 'Trainees', 'Settings']);
	const nav = (await page.getByRole('navigation', { name: 'Main' }).boundingBox())!;
	expect(nav.y).toBeLessThan(10);
	const header = (await page.locator('section.chat > header').boundingBox())!;
	console.log(`1280 px: app bar and chat header end ${header.y + header.height} px from the top`);
	expect(header.y + header.height).toBeLessThanOrEqual(113);
	await context.close();
});

/** Signs in with the keyboard alone: the form's fields in order, Enter to submit. */
async function signInByKeyboard(
	browser: Browser,
	email: string
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	await visit(page, '/sign-in');
	const field = page.getByLabel('Email');
	for (let i = 0; i < 6 && !(await field.evaluate((el) => el === document.activeElement)); i++) {
		await page.keyboard.press('Tab');
	}
	await expect(field).toBeFocused();
	await page.keyboard.type(email);
	await page.keyboard.press('Tab');
	await page.keyboard.type(password);
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/messages$/);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	return { context, page };
}

/** From the top of the list: the skip link, then the newest conversation, opened with Enter. */
async function openNewestByKeyboard(page: Page) {
	// As a person would, once the list is there.
	await expect(page.getByTestId('conversation-row').first()).toBeVisible();
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: 'Skip to main content' });
	await expect(skip).toBeFocused();
	await expect(skip).toBeVisible();
	await page.keyboard.press('Enter');
	// Past the list's own controls (views, the name filter), a few steps, to the newest conversation.
	const newest = page.getByTestId('conversation-row').first();
	for (let step = 0; step < 8; step++) {
		await page.keyboard.press('Tab');
		if (await newest.evaluate((row) => row === document.activeElement)) break;
	}
	await expect(newest).toBeFocused();
	await page.keyboard.press('Enter');
	// Opening a conversation puts the cursor in its composer.
	await expect(composer(page)).toBeFocused();
}

test('keyboard only: sign in, skip to the list, open a conversation with Enter (the cursor lands in the composer), skip past the list, and hold a whole exchange', async ({
	browser
}) => {
	const trainer = await newTrainer('Keys');
	const trainee = await newTraineeOf(trainer, 'Typist');
	const others = [await newTraineeOf(trainer, 'Row'), await newTraineeOf(trainer, 'Row')];
	for (const other of others) await send(other.client, trainer.id, 'Another conversation');
	await send(trainee.client, trainer.id, 'Can I swap Tuesday for Wednesday?');

	const { context, page } = await signInByKeyboard(browser, trainer.email);
	await openNewestByKeyboard(page);
	await expect(messageBubble(page, 'Can I swap Tuesday for Wednesday?')).toBeVisible();
	await page.keyboard.type('Sure, Wednesday works.');
	await page.keyboard.press('Enter');
	await expect(messageBubble(page, 'Sure, Wednesday works.').getByTestId('receipt')).toHaveAttribute(
		'data-state',
		/sent|read/
	);
	await expect(composer(page)).toBeFocused();
	await shoot(page, 'keyboard-composer-focused');

	// Back up on the list (Shift+Tab through the composer's tools, the rows and their menus), the skip link above it all goes straight to
	// the message box again, past every row.
	const toBox = page.getByRole('link', { name: 'Skip to the message box' });
	for (let i = 0; i < 30 && !(await toBox.evaluate((el) => el === document.activeElement)); i++) {
		await page.keyboard.press('Shift+Tab');
	}
	await expect(toBox).toBeFocused();
	await expect(toBox).toBeVisible();
	await page.keyboard.press('Enter');
	await expect(composer(page)).toBeFocused();

	// The trainee answers by keyboard too; the trainer sees it without touching anything.
	const other = await signInByKeyboard(browser, trainee.email);
	await openNewestByKeyboard(other.page);
	await expect(messageBubble(other.page, 'Sure, Wednesday works.')).toBeVisible();
	await other.page.keyboard.type('Great, see you then!');
	await other.page.keyboard.press('Enter');
	await expect(messageBubble(page, 'Great, see you then!')).toBeVisible();
	await other.context.close();
	await context.close();
});

test('a conversation on a phone has a top-level heading (axe: no violations at all)', async ({ browser }) => {
	const trainer = await newTrainer('Axe');
	const trainee = await newTraineeOf(trainer, 'Heading');
	const { conversation_id } = await send(trainee.client, trainer.id, 'Heading check');
	const { context, page } = await signedIn(browser, trainer.email, { width: 375, height: 740 });
	await visit(page, `/messages/${conversation_id}`);
	await expect(messageBubble(page, 'Heading check')).toBeVisible();
	await expect(page.getByRole('heading', { level: 1, name: trainee.name })).toBeVisible();
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
		.analyze();
	expect(
		results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
	).toEqual([]);
	await context.close();
});
