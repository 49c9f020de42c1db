// Walkthrough: writing as a person does — typing on while the page changes under the cursor,
// pressing Enter twice in quick succession, sending faster than the rate limit allows, and losing
// the right to write mid-sentence. Every scenario has people of its own (a new trainer and trainee).
import { expect, test } from '@playwright/test';
import {
	composer,
	deviceOutbox,
	messageBubble,
	newTraineeOf,
	newTrainer,
	send,
	shoot,
	signedIn,
	type TestUser,
	visit
} from './support';

/** The bodies the database holds from `sender` in their conversations, in seq order. */
async function storedBodies(reader: TestUser, senderId: string): Promise<string[]> {
	const { data, error } = await reader.client
		.from('messages')
		.select('body, seq')
		.eq('sender_id', senderId)
		.order('seq');
	if (error) throw error;
	return (data ?? []).map((m) => m.body as string);
}

test('a trainer starting a conversation types on while it is created: every Enter sends exactly one message and nothing typed is lost', async ({
	browser
}) => {
	const trainer = await newTrainer('Drew');
	const trainee = await newTraineeOf(trainer, 'Kai');
	const { context, page } = await signedIn(browser, trainer.email);

	// Trainer → Trainees → Message, as a person clicks through.
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trainees' }).click();
	await page.getByRole('link', { name: `Message ${trainee.name}` }).click();
	await expect(page).toHaveURL(new RegExp(`/messages/with/${trainee.id}$`));
	const box = composer(page);
	await box.click();

	// Two Enters 30 ms apart, then typing on while the address becomes the conversation's.
	await page.keyboard.type('Welcome aboard!');
	await page.keyboard.press('Enter');
	await page.waitForTimeout(30);
	await page.keyboard.type('Here is the plan');
	await page.keyboard.press('Enter');
	await page.keyboard.type('Week one: three sessions', { delay: 15 });
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	await page.keyboard.press('Enter');
	await page.keyboard.type('Any questions?', { delay: 15 });
	await page.keyboard.press('Enter');

	const written = ['Welcome aboard!', 'Here is the plan', 'Week one: three sessions', 'Any questions?'];
	for (const body of written) {
		await expect(messageBubble(page, body).getByTestId('receipt')).toHaveAttribute('data-state', /sent|read/);
	}
	await expect(box).toBeFocused();
	await expect(box).toHaveValue('');
	// Once each, in the order written, on screen and in the database; nothing left on the device.
	await page.waitForTimeout(1000);
	await expect(page.getByTestId('message')).toHaveText(written.map((w) => new RegExp(w)));
	expect(await storedBodies(trainee, trainer.id)).toEqual(written);
	expect(await deviceOutbox(page)).toEqual([]);
	// The address is the conversation the database created.
	const { data } = await trainee.client.from('conversations').select('id');
	expect(data).toHaveLength(1);
	expect(page.url()).toContain(data![0].id);
	await shoot(page, 'new-conversation-kept-typing');

	// The other side got them all, once.
	const other = await signedIn(browser, trainee.email);
	await other.page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	for (const body of written) await expect(messageBubble(other.page, body)).toHaveCount(1);
	await other.context.close();
	await context.close();
});

test('moving on to another conversation while the first message is still on its way: it arrives once, and the page stays where the user went', async ({
	browser
}) => {
	const trainer = await newTrainer('Lane');
	const newcomer = await newTraineeOf(trainer, 'Newcomer');
	const regular = await newTraineeOf(trainer, 'Regular');
	await send(regular.client, trainer.id, 'Same time tomorrow?');
	const { context, page } = await signedIn(browser, trainer.email);
	// A slow network: the first message takes a second to be stored.
	await page.route('**/rest/v1/rpc/send_message', async (route) => {
		await new Promise((r) => setTimeout(r, 1000));
		await route.continue();
	});
	await visit(page, `/messages/with/${newcomer.id}`);
	await composer(page).click();
	await page.keyboard.type('Welcome, first session on Monday');
	await page.keyboard.press('Enter');
	await page.getByTestId('conversation-row').filter({ hasText: regular.name }).click();
	await expect(page.getByRole('heading', { level: 1, name: regular.name })).toBeVisible();
	// The first message lands (once) without pulling the user back to it.
	await expect
		.poll(() => storedBodies(newcomer, trainer.id), { timeout: 15_000 })
		.toEqual(['Welcome, first session on Monday']);
	await page.waitForTimeout(1500);
	await expect(page.getByRole('heading', { level: 1, name: regular.name })).toBeVisible();
	expect(new URL(page.url()).pathname).not.toContain(newcomer.id);
	await expect(page.getByTestId('conversation-row').filter({ hasText: newcomer.name })).toContainText(
		'Welcome, first session on Monday'
	);
	await context.close();
});

test('sending faster than 30 a minute: the refusal shows at the composer with a countdown from the database, no false storage alarm, Retry waits for it, and nothing is sent again on the next start', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const trainer = await newTrainer('Rhea');
	const trainee = await newTraineeOf(trainer, 'Sprinter');
	await send(trainer.client, trainee.id, 'Ready for the sprint test?');
	const { context, page } = await signedIn(browser, trainee.email);
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error' && /DataCloneError|device storage/.test(m.text())) errors.push(m.text());
	});
	await page.getByTestId('conversation-row').first().click();
	await composer(page).click();

	for (let i = 1; i <= 31; i++) {
		await page.keyboard.type(`Rep ${i}`);
		await page.keyboard.press('Enter');
	}
	const refused = messageBubble(page, 'Rep 31');
	await expect(refused.getByRole('alert')).toContainText('You are sending too fast');
	await expect(page.getByTestId('message').locator('[data-state="sent"], [data-state="read"]')).toHaveCount(
		30
	);

	// No false alarm: the device stored the refusal.
	await expect(page.getByText('This device could not keep your messages')).toHaveCount(0);
	expect(errors).toEqual([]);
	await expect
		.poll(async () => (await deviceOutbox(page)).map((r) => `${r.body}:${r.status}`))
		.toEqual(['Rep 31:failed']);
	// Where the user is looking: at the composer, with the time the database gives.
	const notice = page.getByTestId('rate-limit');
	await expect(notice).toBeVisible();
	await expect(notice).toContainText('at most 30 messages a minute');
	const countdown = page.getByTestId('rate-limit-countdown');
	const seconds = Number(await countdown.getAttribute('data-seconds'));
	expect(seconds).toBeGreaterThan(30);
	expect(seconds).toBeLessThanOrEqual(60);
	await expect.poll(async () => Number(await countdown.getAttribute('data-seconds'))).toBeLessThan(seconds);
	await shoot(page, 'rate-limit-countdown');

	// The next start does not send the refused message behind the user's back.
	await page.reload();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(messageBubble(page, 'Rep 31').getByRole('alert')).toContainText('You are sending too fast');
	await page.waitForTimeout(1500);
	expect(await storedBodies(trainer, trainee.id)).toHaveLength(30);

	// Retry waits for the window instead of being refused again, then sends it once.
	await messageBubble(page, 'Rep 31').getByRole('button', { name: 'Retry' }).click();
	await expect(messageBubble(page, 'Rep 31').getByTestId('receipt')).toHaveAttribute('data-state', 'held');
	await expect(page.getByTestId('rate-limit-countdown')).toBeVisible();
	await page.waitForTimeout(1500);
	expect(await storedBodies(trainer, trainee.id)).toHaveLength(30);
	await expect(messageBubble(page, 'Rep 31').getByTestId('receipt')).toHaveAttribute(
		'data-state',
		/sent|read/,
		{
			timeout: 75_000
		}
	);
	await expect(page.getByTestId('rate-limit')).toHaveCount(0);
	const stored = await storedBodies(trainer, trainee.id);
	expect(stored).toHaveLength(31);
	expect(stored.at(-1)).toBe('Rep 31');
	expect(await deviceOutbox(page)).toEqual([]);
	await context.close();
});

test('a device that really cannot store messages says so once, and the warning can be dismissed', async ({
	browser
}) => {
	const trainer = await newTrainer('Ivy');
	const trainee = await newTraineeOf(trainer, 'Storage');
	await send(trainer.client, trainee.id, 'Hello there');
	const { context, page } = await signedIn(browser, trainee.email);
	await page.getByTestId('conversation-row').first().click();
	await expect(composer(page)).toBeVisible();
	// The device's storage breaks (quota, private mode…): every write to the outbox fails.
	await page.evaluate(() => {
		const put = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
			if (this.name === 'outbox')
				throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
			return put.apply(this, args);
		};
	});
	await composer(page).fill('Sent, but not kept on the device');
	await composer(page).press('Enter');
	const warning = page.getByTestId('storage-error');
	await expect(warning).toContainText('This device could not keep your messages for offline use');
	// The message itself still went out.
	await expect(
		messageBubble(page, 'Sent, but not kept on the device').getByTestId('receipt')
	).toHaveAttribute('data-state', /sent|read/);
	await shoot(page, 'storage-warning');
	await warning.getByRole('button', { name: 'Dismiss' }).click();
	await expect(warning).toHaveCount(0);
	await context.close();
});

test('a draft being written when the conversation is archived stays visible and can be copied', async ({
	browser
}) => {
	const trainer = await newTrainer('Noor');
	const trainee = await newTraineeOf(trainer, 'Drafter');
	const { conversation_id } = await send(trainer.client, trainee.id, 'How was the run?');
	const { context, page } = await signedIn(browser, trainee.email);
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.getByTestId('conversation-row').first().click();
	await expect(page).toHaveURL(new RegExp(`/messages/${conversation_id}$`));
	await expect(page.locator('section.chat[data-live="live"]')).toBeVisible();

	const draft = 'It went well, but my knee hurts after 5 km';
	await composer(page).fill(draft);
	const removed = await trainer.client.rpc('remove_trainee', { trainee_id: trainee.id });
	expect(removed.error).toBeNull();

	await expect(page.getByTestId('archived-banner')).toBeVisible();
	await expect(composer(page)).toHaveCount(0);
	const kept = page.getByTestId('kept-draft');
	await expect(kept.getByRole('textbox', { name: /unsent draft/ })).toHaveValue(draft);
	await kept.getByRole('button', { name: 'Copy draft' }).click();
	await expect(kept.getByRole('status')).toHaveText('Copied.');
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(draft);
	await shoot(page, 'archived-draft-kept');

	// Still there after a reload, until the writer discards it.
	await page.reload();
	await expect(kept.getByRole('textbox', { name: /unsent draft/ })).toHaveValue(draft);
	await kept.getByRole('button', { name: 'Discard draft' }).click();
	await expect(kept).toHaveCount(0);
	await context.close();
});
