// Coach tools in the browser, for a trainer of their own (fresh trainer and trainees, so "Select
// all" means exactly these and the demo data other scenarios rely on is untouched): a broadcast
// arriving in each trainee's conversation with the name filled in, a saved reply inserted with "/",
// and a message scheduled, edited and cancelled.
import { expect, test } from '@playwright/test';
import {
	checkScreen,
	composer,
	messageBubble,
	newTraineeOf,
	newTrainer,
	send,
	signedIn,
	tag,
	visit
} from './support';

const firstName = (displayName: string) => displayName.split(' ')[0];

test('a broadcast to three trainees arrives in each conversation with their first name', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainees = await Promise.all(['Ana', 'Ben', 'Cleo'].map((label) => newTraineeOf(trainer, label)));
	const { page, context } = await signedIn(browser, trainer.email);

	await page.getByRole('link', { name: 'Trainees', exact: true }).click();
	await page.getByRole('link', { name: 'Message several trainees' }).click();
	await expect(page.getByRole('heading', { name: 'Message several trainees' })).toBeVisible();

	const t = tag();
	// Nothing picked: a sentence, and nothing sent.
	await page.getByLabel('Message').fill(`Gym closed Monday, {first_name} ${t}`);
	await page.getByRole('button', { name: /^Send to 0 trainees/ }).click();
	await expect(page.getByRole('alert')).toHaveText('Pick at least one trainee.');

	await page.getByLabel('Select all (3)').check();
	await page.getByRole('button', { name: 'Send to 3 trainees' }).click();
	const outcomes = page.getByTestId('broadcast-outcomes').getByRole('listitem');
	await expect(outcomes).toHaveCount(3);
	for (const trainee of trainees) {
		await expect(outcomes.filter({ hasText: trainee.name })).toContainText('Sent');
	}
	await expect(page.getByTestId('broadcast-summaries').getByRole('listitem').first()).toContainText(
		'3 sent · 0 read'
	);
	expect(await checkScreen(page, 'broadcast')).toEqual([]);

	// Each trainee has it in their own conversation with the trainer, with their name filled in.
	for (const trainee of trainees) {
		const { data, error } = await trainee.client
			.from('messages')
			.select('body, sender_id, conversation_id')
			.like('body', `%${t}`);
		expect(error).toBeNull();
		expect(data).toEqual([
			expect.objectContaining({
				body: `Gym closed Monday, ${firstName(trainee.name)} ${t}`,
				sender_id: trainer.id
			})
		]);
	}
	const conversationIds = new Set<string>();
	for (const trainee of trainees) {
		const { data } = await trainee.client.from('messages').select('conversation_id').like('body', `%${t}`);
		conversationIds.add(data![0].conversation_id as string);
	}
	expect(conversationIds.size).toBe(3);
	await context.close();
});

test('a saved reply is inserted with "/" and the trainee’s first name', async ({ browser }) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Dana');
	const { page, context } = await signedIn(browser, trainer.email);

	await visit(page, '/settings');
	const section = page.getByTestId('saved-replies');
	await section.getByLabel('Name').fill('week');
	await section.getByLabel('Text').fill('How did this week feel, {first_name}?');
	await section.getByRole('button', { name: 'Add saved reply' }).click();
	await expect(section.getByTestId('saved-reply')).toContainText('/week');
	// The same name again: the database's sentence.
	await section.getByLabel('Name').fill('week');
	await section.getByLabel('Text').fill('Another text');
	await section.getByRole('button', { name: 'Add saved reply' }).click();
	await expect(section.getByRole('alert')).toHaveText(
		'You already have a saved reply with that name. Choose another name.'
	);

	await visit(page, `/messages/with/${trainee.id}`);
	const input = composer(page);
	await input.fill('/we');
	const list = page.getByRole('listbox', { name: 'Saved replies' });
	await expect(list.getByRole('option', { name: /week/ })).toHaveAttribute('aria-selected', 'true');
	expect(await checkScreen(page, 'saved-reply-picker')).toEqual([]);
	// Escape closes it; typing again after the slash offers it again.
	await input.press('Escape');
	await expect(list).toBeHidden();
	await input.fill('/wee');
	await expect(list).toBeVisible();
	await input.press('Enter');
	const filled = `How did this week feel, ${firstName(trainee.name)}?`;
	await expect(input).toHaveValue(filled);
	await input.press('Enter');
	await expect(messageBubble(page, filled)).toBeVisible();
	await context.close();
});

test('a scheduled message shows as scheduled, can be edited and cancelled', async ({ browser }) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Eli');
	const { page, context } = await signedIn(browser, trainer.email);

	await page.getByRole('link', { name: 'Trainees', exact: true }).click();
	await page.getByRole('link', { name: 'Send later' }).click();
	await expect(page.getByRole('heading', { name: 'Send later' })).toBeVisible();
	// The trainer had no time zone: the browser's is stored on the profile.
	const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
	await expect
		.poll(async () => (await trainer.client.from('profiles').select('time_zone').eq('id', trainer.id)).data)
		.toEqual([{ time_zone: browserZone }]);
	await expect(page.getByLabel(`Send at (${browserZone})`)).toBeVisible();

	const t = tag();
	await page.getByLabel('To').selectOption({ label: trainee.name });
	await page.getByLabel('Message', { exact: true }).fill(`Check-in tomorrow ${t}`);
	await page.getByRole('button', { name: 'Schedule' }).click();
	// The trainer's only scheduled message (while it is edited its text is in a textarea, so the row
	// is not found by its text).
	const row = page.getByTestId('scheduled-row');
	await expect(row).toHaveCount(1);
	await expect(row).toContainText(`Check-in tomorrow ${t}`);
	await expect(row.getByTestId('scheduled-status')).toHaveText('Scheduled');
	expect(await checkScreen(page, 'scheduled')).toEqual([]);

	await row.getByRole('button', { name: 'Edit' }).click();
	await row.getByLabel('Message').fill(`Check-in on Friday ${t}`);
	await row.getByRole('button', { name: 'Save' }).click();
	await expect(row).toContainText(`Check-in on Friday ${t}`);

	await row.getByRole('button', { name: 'Cancel message' }).click();
	await expect(row).toHaveCount(0);
	const { data } = await trainer.client
		.from('scheduled_messages')
		.select('body, status')
		.like('body', `%${t}`);
	expect(data).toEqual([{ body: `Check-in on Friday ${t}`, status: 'cancelled' }]);
	// The trainee never got it.
	const received = await trainee.client.from('messages').select('id').like('body', `%${t}`);
	expect(received.data).toEqual([]);

	// Settings changes the zone; a name that is not one is refused in a sentence.
	await visit(page, '/settings');
	const setting = page.getByTestId('time-zone-setting');
	await expect(setting.getByLabel(/Scheduled messages are sent/)).toHaveValue(browserZone);
	await setting.getByLabel(/Scheduled messages are sent/).fill('Mars/Olympus');
	await setting.getByRole('button', { name: 'Save time zone' }).click();
	await expect(setting.getByRole('status')).toHaveText(
		'That is not a time zone we know. Pick one from the list.'
	);
	await setting.getByLabel(/Scheduled messages are sent/).fill('Asia/Tokyo');
	await setting.getByRole('button', { name: 'Save time zone' }).click();
	await expect(setting.getByRole('status')).toHaveText('Saved.');
	await expect
		.poll(async () => (await trainer.client.from('profiles').select('time_zone').eq('id', trainer.id)).data)
		.toEqual([{ time_zone: 'Asia/Tokyo' }]);
	await context.close();
});

test('a trainee gets a sentence, not the coach tools, and no saved replies in the composer', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Fay');
	await send(trainer.client, trainee.id, 'Welcome');
	const { page, context } = await signedIn(browser, trainee.email);
	for (const path of ['/broadcast', '/scheduled']) {
		await visit(page, path);
		await expect(page.getByText('Only trainers can use this page.')).toBeVisible();
	}
	await visit(page, `/messages/with/${trainer.id}`);
	await composer(page).fill('/');
	await expect(messageBubble(page, 'Welcome')).toBeVisible();
	await expect(page.getByTestId('saved-reply-picker')).toHaveCount(0);
	await context.close();
});
