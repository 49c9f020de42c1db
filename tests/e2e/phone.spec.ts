// On a phone (375 × 740, and 320 for the narrowest, a touch screen, no hover): a long press opens a
// message's actions and a conversation row's menu, a finger that moves on (a scroll) opens nothing,
// a short tap still opens the conversation. Real touches through the DevTools protocol
// (Playwright's tap is a tap only), a trainer and trainees of their own. And what a phone's user
// types into the server's page before the app's code has arrived is kept when the app takes over;
// the app takes over without waiting for the Auth client's code.
import { PNG } from 'pngjs';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import {
	clientFor,
	conversations,
	demo,
	newTraineeOf,
	newTrainer,
	openConversation,
	send,
	signIn,
	signedIn,
	tag,
	type Trainer
} from './support';

const phone = { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true };

async function onPhone(browser: Browser, email: string): Promise<Page> {
	const context = await browser.newContext(phone);
	const page = await context.newPage();
	await signIn(page, email);
	return page;
}

/** How many messages of the conversation have this text, as the trainer reads them. */
async function stored(trainer: Trainer, conversationId: string, body: string): Promise<number> {
	const { data } = await trainer.client
		.from('messages')
		.select('body')
		.eq('conversation_id', conversationId)
		.eq('body', body);
	return data?.length ?? 0;
}

/**
 * A trainer's first message to a new trainee, and a phone context of the trainee's, signed in (by
 * `signed`, a page of its own) for a first visit: nothing cached and no service worker, so every
 * request goes through the context's routes.
 */
async function firstVisitOnPhone(browser: Browser, trainerLabel: string, traineeLabel: string) {
	const trainer = await newTrainer(trainerLabel);
	const trainee = await newTraineeOf(trainer, traineeLabel);
	const { conversation_id: conversationId } = await send(trainer.client, trainee.id, `Ready? ${tag()}`);
	const signed = await onPhone(browser, trainee.email);
	const context = await browser.newContext({
		...phone,
		serviceWorkers: 'block',
		storageState: await signed.context().storageState()
	});
	return { trainer, conversationId, signed, context };
}

/** Holds back the app's code (its scripts) in `context` until `release`; `asked`: how many were asked for. */
async function holdAppCode(context: BrowserContext) {
	let release = () => {};
	const held = new Promise<void>((resolve) => (release = resolve));
	const code = { asked: 0, release };
	await context.route('**/_app/immutable/**/*.js', async (route) => {
		code.asked++;
		await held;
		await route.continue().catch(() => {}); // the page that asked may have moved on meanwhile
	});
	return code;
}

/**
 * A finger on the middle of `target`: it goes down, moves `moveBy` pixels down if asked, and stays
 * until `until` holds (for a long press, the menu is open), then lifts.
 */
async function touch(
	target: Locator,
	{ moveBy = 0, until }: { moveBy?: number; until: () => Promise<void> }
) {
	const page = target.page();
	const box = await target.boundingBox();
	if (!box) throw new Error('nothing to touch: the target is not on screen');
	const x = box.x + box.width / 2;
	const y = box.y + box.height / 2;
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
	if (moveBy) {
		// In steps, as a finger scrolls: each one past the slop.
		for (let step = 1; step <= 4; step++) {
			await cdp.send('Input.dispatchTouchEvent', {
				type: 'touchMove',
				touchPoints: [{ x, y: y + (moveBy * step) / 4 }]
			});
		}
	}
	try {
		await until();
	} finally {
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
		await cdp.detach();
	}
}

/** Holds well past the long press's half second, so that a press that was not cancelled would open. */
async function holdPastLongPress(page: Page) {
	await page.waitForTimeout(1_500);
}

/** The pixels of a screenshot that are the yellow of a colour 👍 (a missing-glyph box is grey). */
function yellowPixels(png: Buffer): number {
	const { data, width, height } = PNG.sync.read(png);
	let count = 0;
	for (let i = 0; i < width * height * 4; i += 4) {
		const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
		if (r > 200 && g > 140 && b < 110) count++;
	}
	return count;
}

test('on a phone, a long press on a message opens its actions: a 👍 from there reaches the other side, in colour', async ({
	browser
}) => {
	const trainer = await newTrainer('Thumb');
	const trainee = await newTraineeOf(trainer, 'Presser');
	const question = `Did the deadlifts feel heavy? ${tag()}`;
	const { conversation_id: conversationId } = await send(trainee.client, trainer.id, question);

	const coach = await onPhone(browser, trainer.email);
	const pupil = await signedIn(browser, trainee.email);
	await openConversation(coach, conversationId);
	await openConversation(pupil.page, conversationId);
	await expect(coach.locator('section.chat[data-live="live"]')).toBeVisible();
	await expect(pupil.page.locator('section.chat[data-live="live"]')).toBeVisible();

	const bubble = coach.getByTestId('message').filter({ hasText: question });
	const text = bubble.locator('p.body');
	const menu = coach.getByRole('menu');

	// On a touch screen the actions button is not shown: the long press is the way in.
	expect((await bubble.getByTestId('message-actions').boundingBox())?.width).toBeLessThan(2);

	// A finger that moves on is scrolling: nothing opens, however long it stays.
	await touch(text, { moveBy: 60, until: () => holdPastLongPress(coach) });
	await expect(menu).toHaveCount(0);

	// A finger that rests opens the menu beside the bubble, with no word selected under it.
	await touch(text, { until: () => expect(menu).toBeVisible() });
	await expect(coach.getByRole('menuitem', { name: 'Reply' })).toBeVisible();
	expect(await coach.evaluate(() => document.getSelection()?.toString() ?? '')).toBe('');
	// Anchored to the message: just above or below it, not over the finger or its reactions.
	const messageBox = await bubble.boundingBox();
	const menuBox = await menu.boundingBox();
	if (!messageBox || !menuBox) throw new Error('the message or its menu is not on screen');
	expect(
		menuBox.y >= messageBox.y + messageBox.height - 1 || menuBox.y + menuBox.height <= messageBox.y + 1
	).toBe(true);

	await coach.getByRole('menuitem', { name: 'React with 👍' }).tap();
	await expect(menu).toHaveCount(0);
	const chip = pupil.page.getByTestId('message').filter({ hasText: question }).getByTestId('reaction');
	await expect(chip).toHaveAttribute('data-emoji', '👍');
	await expect(bubble.getByTestId('reaction')).toHaveAttribute('aria-pressed', 'true');

	// A keyboard on the phone (Tab from the reaction) reaches the actions button, which then shows.
	await bubble.getByTestId('reaction').focus();
	await coach.keyboard.press('Tab');
	const trigger = bubble.getByTestId('message-actions');
	await expect(trigger).toBeFocused();
	expect((await trigger.boundingBox())?.width).toBeGreaterThan(24);
	await coach.keyboard.press('Enter');
	await expect(coach.getByRole('menuitem', { name: 'Reply' })).toBeVisible();
	await coach.keyboard.press('Escape');
	await expect(menu).toHaveCount(0);

	// Drawn by a colour emoji font, not as a box (Debian's Chromium needs fonts-noto-color-emoji).
	const shot = await chip.screenshot({ path: 'test-results/screens/phone-reaction.png' });
	expect(yellowPixels(shot)).toBeGreaterThan(20);

	await coach.context().close();
	await pupil.context.close();
});

test('on a phone, a conversation opens at its newest message even when reactions arrive after the messages', async ({
	browser
}) => {
	const trainer = await newTrainer('Reactor');
	const trainee = await newTraineeOf(trainer, 'Reader');
	let last = { id: '', conversation_id: '', seq: 0 };
	for (let i = 1; i <= 14; i++)
		last = await send(trainer.client, trainee.id, `Set ${i} of the plan ${tag()}`);
	// The trainee reacted to the newest three on another device: each adds a row of chips under its
	// bubble, read after the messages themselves.
	const { data: newest, error } = await trainer.client
		.from('messages')
		.select('id')
		.eq('conversation_id', last.conversation_id)
		.order('seq', { ascending: false })
		.limit(3);
	if (error) throw error;
	for (const { id } of newest ?? []) {
		const reacted = await trainee.client.rpc('toggle_reaction', { message_id: id, emoji: '👍' });
		if (reacted.error) throw reacted.error;
	}

	const page = await onPhone(browser, trainee.email);
	await openConversation(page, last.conversation_id);
	const newestBubble = page.getByTestId('message').last();
	await expect(newestBubble.getByTestId('reaction')).toBeVisible();
	const scroller = page.getByTestId('message-scroller');
	// Once the chips are drawn, the newest message and its reaction are above the composer, in full.
	await expect
		.poll(() => scroller.evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight)))
		.toBeLessThanOrEqual(1);
	const view = await scroller.boundingBox();
	const chip = await newestBubble.getByTestId('reaction').boundingBox();
	if (!view || !chip) throw new Error('the conversation or the reaction is not on screen');
	expect(chip.y + chip.height).toBeLessThanOrEqual(view.y + view.height);
	await page.context().close();
});

test('on a phone, a long press on a conversation row opens its menu without opening the conversation; pinning moves the row to the top; a tap opens it', async ({
	browser
}) => {
	const trainer = await newTrainer('Holder');
	const ana = await newTraineeOf(trainer, 'Ana');
	const ben = await newTraineeOf(trainer, 'Ben');
	await send(ana.client, trainer.id, 'Ana here: sore calves');
	const { conversation_id: benConversation } = await send(ben.client, trainer.id, 'Ben here: rest day?');

	const page = await onPhone(browser, trainer.email);
	const rows = page.getByTestId('conversation-row');
	const row = (name: string) => rows.filter({ hasText: name });
	await expect(rows).toHaveCount(2);
	await expect(rows.first()).toContainText(ben.name);
	const menu = page.getByRole('menu');

	// Scrolling past a row neither opens its menu nor the conversation.
	await touch(row(ana.name).locator('.preview'), { moveBy: 60, until: () => holdPastLongPress(page) });
	await expect(menu).toHaveCount(0);
	await expect(page).toHaveURL(/\/messages$/);

	// A long press opens Ana's menu, and the list stays.
	await touch(row(ana.name).locator('.preview'), { until: () => expect(menu).toBeVisible() });
	await expect(page.getByRole('menuitem', { name: 'Mark as unread' })).toBeVisible();
	await expect(page).toHaveURL(/\/messages$/);
	// On the screen whole: its longest label wraps rather than running off the edge.
	const menuBox = await menu.boundingBox();
	if (!menuBox) throw new Error('the menu is not on screen');
	expect(menuBox.x).toBeGreaterThanOrEqual(0);
	expect(menuBox.x + menuBox.width).toBeLessThanOrEqual(phone.viewport.width);
	await page.getByRole('menuitem', { name: 'Pin to top' }).tap();
	await expect(rows.first()).toContainText(ana.name);
	await expect(row(ana.name)).toHaveAttribute('data-pinned', '');
	await expect(page).toHaveURL(/\/messages$/);

	// A short tap is still a tap: Ben's conversation opens.
	await row(ben.name).tap();
	await expect(page).toHaveURL(new RegExp(`/messages/${benConversation}$`));
	await expect(page.getByTestId('message').filter({ hasText: 'Ben here: rest day?' })).toBeVisible();
	await page.context().close();
});

test('on a phone, what is typed while the page is still loading its code is kept, and sent once the app takes over', async ({
	browser
}) => {
	// The server's page is on screen at once, and the app's code is held back until the text is in,
	// so the typing surely happens before the app is interactive.
	const { trainer, conversationId, signed, context } = await firstVisitOnPhone(browser, 'Early', 'Typist');
	const { release } = await holdAppCode(context);
	const page = await context.newPage();
	await page.goto(`/messages/${conversationId}`, { waitUntil: 'commit' });
	const box = page.getByRole('textbox', { name: /^Message to / });
	await expect(box).toBeVisible();
	const reply = `On my way, five minutes ${tag()}`;
	await box.pressSequentially(reply);
	expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined();

	release();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(box).toHaveValue(reply);
	// The app holds the text as its own: Send is enabled for it and sends it.
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.getByTestId('message').filter({ hasText: reply })).toBeVisible();
	await expect(box).toHaveValue('');
	await expect.poll(() => stored(trainer, conversationId, reply)).toBe(1);
	await context.close();
	await signed.context().close();
});

test('on a phone, what is typed into the sign-in and sign-up forms before the app’s code has arrived is kept when it takes over', async ({
	browser
}) => {
	const context = await browser.newContext({ ...phone, serviceWorkers: 'block' });
	const { release } = await holdAppCode(context);
	const page = await context.newPage();
	const typed = async (label: string, text: string) => {
		await page.getByLabel(label, { exact: true }).pressSequentially(text);
		return text;
	};

	await page.goto('/sign-in', { waitUntil: 'commit' });
	const email = await typed('Email', demo.alex.email);
	await typed('Password', 'not-the-password');
	expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined();
	release();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
	await expect(page.getByLabel('Password', { exact: true })).toHaveValue('not-the-password');

	// A second page, its code held back again (the browser has it cached: the route holds it anyway).
	const again = await holdAppCode(context);
	await page.goto('/sign-up', { waitUntil: 'commit' });
	const name = await typed('Your name', 'Early Bird');
	const address = await typed('Email', `early-${tag()}@spotter.test`);
	expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined();
	again.release();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(page.getByLabel('Your name', { exact: true })).toHaveValue(name);
	await expect(page.getByLabel('Email', { exact: true })).toHaveValue(address);
	await context.close();
});

test('on a phone, Send works before the app’s code has arrived: the page’s own form sends the message once, and says why when it cannot', async ({
	browser
}) => {
	// The app's code is held back until the end: only the server's page and its form are there.
	const { trainer, conversationId, signed, context } = await firstVisitOnPhone(browser, 'Form', 'Early');
	const code = await holdAppCode(context);
	const page = await context.newPage();
	await page.goto(`/messages/${conversationId}`);
	await expect.poll(() => code.asked).toBeGreaterThan(0);
	const box = page.getByRole('textbox', { name: /^Message to / });
	const sendButton = page.getByRole('button', { name: 'Send', exact: true });

	const reply = `Sent from the page itself ${tag()}`;
	await box.fill(reply);
	const messageId = await page.locator('input[name="message_id"]').inputValue();
	await sendButton.click();
	// Back on the conversation (not on the form's address), with the message in it.
	await expect(page).toHaveURL(new RegExp(`/messages/${conversationId}$`));
	await expect(page.getByTestId('message').filter({ hasText: reply })).toBeVisible();
	await expect(box).toHaveValue('');
	expect(await stored(trainer, conversationId, reply)).toBe(1);
	expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined();

	// The same form posted again (a double tap, a reload that posts again) stores nothing more…
	const origin = new URL(page.url()).origin;
	const again = await page.request.post(`/messages/${conversationId}?/send`, {
		form: { body: reply, message_id: messageId },
		headers: { origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(again.status()).toBe(303);
	expect(await stored(trainer, conversationId, reply)).toBe(1);
	// …and an id the page carried that an earlier message of mine already has is not a way to lose
	// a different text: it is stored as a message of its own.
	const other = `A different text with the same id ${tag()}`;
	await page.request.post(`/messages/${conversationId}?/send`, {
		form: { body: other, message_id: messageId },
		headers: { origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(await stored(trainer, conversationId, other)).toBe(1);

	// From another site (a page there posting this form with my cookies): refused before it is read.
	const forged = `Posted from another site ${tag()}`;
	const crossSite = await page.request.post(`/messages/${conversationId}?/send`, {
		form: { body: forged, message_id: crypto.randomUUID() },
		headers: { origin: 'https://elsewhere.example', accept: 'text/html' },
		maxRedirects: 0
	});
	expect(crossSite.status()).toBe(403);
	expect(await stored(trainer, conversationId, forged)).toBe(0);

	// Someone else's conversation: it does not exist for me, and nothing is stored in it.
	const intruder = `Into someone else’s conversation ${tag()}`;
	const refused = await page.request.post(`/messages/${conversations.coachAlex}?/send`, {
		form: { body: intruder, message_id: crypto.randomUUID() },
		headers: { origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(refused.status()).toBe(404);
	const coach = await clientFor(demo.coach.email);
	const { data: leaked } = await coach.from('messages').select('id').eq('body', intruder);
	expect(leaked).toEqual([]);

	// Too long: the server says why, and the text is still there to shorten.
	const tooLong = `${'x'.repeat(2000)}!`;
	await box.fill(tooLong);
	await sendButton.click();
	const why = page.getByRole('alert').filter({ hasText: /2,000 characters/ });
	await expect(why).toBeVisible();
	await expect(box).toHaveValue(tooLong);
	expect(await stored(trainer, conversationId, tooLong)).toBe(0);
	// Once the app is interactive it keeps both, and the address is the conversation's again (a
	// reload reads it instead of posting the form).
	await expect(page).toHaveURL(/\?\/send$/);
	code.release();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(page).toHaveURL(new RegExp(`/messages/${conversationId}$`));
	await expect(box).toHaveValue(tooLong);
	await expect(why).toBeVisible();
	await context.close();
	await signed.context().close();
});

test('on a phone, a first message to someone is sent before the app’s code has arrived, and the page becomes our conversation', async ({
	browser
}) => {
	const trainer = await newTrainer('First');
	const trainee = await newTraineeOf(trainer, 'Fresh');
	const signed = await onPhone(browser, trainer.email);
	const context = await browser.newContext({
		...phone,
		serviceWorkers: 'block',
		storageState: await signed.context().storageState()
	});
	const code = await holdAppCode(context);
	const page = await context.newPage();
	await page.goto(`/messages/with/${trainee.id}`);
	await expect.poll(() => code.asked).toBeGreaterThan(0);
	const hello = `Welcome aboard ${tag()}`;
	await page.getByRole('textbox', { name: /^Message to / }).fill(hello);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	const conversationId = new URL(page.url()).pathname.split('/')[2];
	await expect(page.getByTestId('message').filter({ hasText: hello })).toBeVisible();
	expect(await stored(trainer, conversationId, hello)).toBe(1);

	// Someone who is not theirs: the database refuses it, nothing is created, and the page (whose
	// load refuses that address too) says why.
	const stranger = await newTrainer('Stranger');
	const refused = await page.request.post(`/messages/with/${stranger.id}?/send`, {
		form: { body: 'Hello from nowhere', message_id: crypto.randomUUID() },
		headers: { origin: new URL(page.url()).origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(refused.status()).toBe(404);
	expect(await refused.text()).toContain('You can only message your own trainer or trainees.');
	const { data: created } = await trainer.client.from('conversations').select('id, trainee_id');
	expect(created).toEqual([{ id: conversationId, trainee_id: trainee.id }]);
	code.release();
	await context.close();
	await signed.context().close();
});

test('on a phone, a conversation is interactive and sends before the Auth client’s code has arrived, which loads right after', async ({
	browser
}) => {
	// auth-js's code, wherever the build put it (the module with GoTrueClient in it), is held back
	// until the test lets it through; everything else arrives as usual.
	const { trainer, conversationId, signed, context } = await firstVisitOnPhone(browser, 'Prompt', 'Swift');
	let release = () => {};
	const held = new Promise<void>((resolve) => (release = resolve));
	const authModules: string[] = [];
	let authDelivered = 0;
	await context.route('**/_app/immutable/**/*.js', async (route) => {
		const response = await route.fetch();
		const body = await response.text();
		if (body.includes('GoTrueClient@')) {
			authModules.push(route.request().url());
			await held;
			authDelivered++;
		}
		await route.fulfill({ response, body });
	});
	const page = await context.newPage();
	await page.goto(`/messages/${conversationId}`);
	// Interactive without it: the page needed only the session's token, which is in the cookie.
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	// …and asked for it once interactive (to refresh the token on time and hear other tabs).
	await expect.poll(() => authModules.length).toBeGreaterThan(0);
	expect(authDelivered).toBe(0);

	const reply = `Sent before Auth arrived ${tag()}`;
	const box = page.getByRole('textbox', { name: /^Message to / });
	await box.fill(reply);
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.getByTestId('message').filter({ hasText: reply })).toBeVisible();
	await expect.poll(() => stored(trainer, conversationId, reply)).toBe(1);

	// Once it arrives, what only Auth does works: signing out of this device.
	release();
	await expect.poll(() => authDelivered).toBeGreaterThan(0);
	await page.getByRole('link', { name: 'Back to conversations' }).click();
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('button', { name: 'Sign out of this device' }).click();
	await expect(page).toHaveURL(/\/sign-in$/);
	await context.close();
	await signed.context().close();
});

test('on the narrowest phone (320 px), offline, the conversation’s header says in full what happens to new messages', async ({
	browser
}) => {
	const trainer = await newTrainer('Narrow');
	const trainee = await newTraineeOf(trainer, 'Narrow');
	const { conversation_id: conversationId } = await send(trainer.client, trainee.id, `Ready? ${tag()}`);
	const context = await browser.newContext({ ...phone, viewport: { width: 320, height: 640 } });
	const page = await context.newPage();
	await signIn(page, trainee.email);
	await openConversation(page, conversationId);
	await context.setOffline(true);
	const status = page
		.getByRole('region', { name: /^Conversation with / })
		.locator('header')
		.getByRole('status');
	await expect(status).toHaveText('Offline: new messages will be sent when you are back.');
	// Wrapped onto a second line rather than cut off with an ellipsis: nothing overflows its box.
	const [overflow, right] = await status.evaluate((el) => [
		el.scrollWidth - el.clientWidth,
		el.getBoundingClientRect().right
	]);
	expect(overflow).toBe(0);
	expect(right).toBeLessThanOrEqual(320);
	await context.setOffline(false);
	await context.close();
});
