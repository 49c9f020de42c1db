// Coach tools in the browser, for a trainer of their own (fresh trainer and trainees, so "Select
// all" means exactly these and the demo data other scenarios rely on is untouched): a broadcast
// arriving in each trainee's conversation with the name filled in, a photo broadcast, a saved reply
// inserted with "/", a message scheduled, edited and cancelled (and the trainer's zone, when it is
// not the device's, offered as the device's), and a message and a broadcast sent
// later by the real job (spotter-send-due-messages, every 20 s in localbase) at their time.
import { expect, test, type Page } from '@playwright/test';
import {
	checkScreen,
	composer,
	messageBubble,
	newTraineeOf,
	newTrainer,
	send,
	shoot,
	signedIn,
	tag,
	visit,
	type TestUser
} from './support';

const firstName = (displayName: string) => displayName.split(' ')[0];

/** A small real JPEG, drawn by the browser. */
async function photo(page: Page): Promise<Buffer> {
	const bytes = await page.evaluate(async () => {
		const canvas = new OffscreenCanvas(640, 480);
		const ctx = canvas.getContext('2d')!;
		ctx.fillStyle = '#0f766e';
		ctx.fillRect(0, 0, 640, 480);
		ctx.fillStyle = '#fbbf24';
		ctx.fillRect(160, 120, 320, 240);
		const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
		return [...new Uint8Array(await blob.arrayBuffer())];
	});
	return Buffer.from(bytes);
}

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
	await page.getByLabel('Message', { exact: true }).fill(`Gym closed Monday, {first_name} ${t}`);
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

	// This device is not on Tokyo time: beside the picker, both pages say so and offer its zone.
	await visit(page, '/broadcast');
	await page.getByLabel('Later').check();
	await expect(page.getByLabel('Send at (Asia/Tokyo)')).toBeVisible();
	await expect(page.getByTestId('device-zone-hint')).toContainText(`this device is on ${browserZone} time`);
	await visit(page, '/scheduled');
	const hint = page.getByTestId('device-zone-hint');
	await expect(hint).toContainText(`These times are in Asia/Tokyo`);
	await shoot(page, 'scheduled-device-zone');
	await hint.getByRole('button', { name: `Use ${browserZone}` }).click();
	await expect(page.getByLabel(`Send at (${browserZone})`)).toBeVisible();
	await expect(hint).toHaveCount(0);
	await expect
		.poll(async () => (await trainer.client.from('profiles').select('time_zone').eq('id', trainer.id)).data)
		.toEqual([{ time_zone: browserZone }]);
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

test('a photo broadcast to two trainees shows the photo in both conversations', async ({ browser }) => {
	const trainer = await newTrainer('Coach');
	const trainees = await Promise.all(['Ivo', 'Jun'].map((label) => newTraineeOf(trainer, label)));
	const { page, context } = await signedIn(browser, trainer.email);
	await visit(page, '/broadcast');
	const t = tag();
	await page.getByLabel('Select all (2)').check();
	await page.getByLabel('Message', { exact: true }).fill(`New squat cue, {first_name} ${t}`);
	await page.getByTestId('attach-input').setInputFiles({
		name: 'Squat cue.jpg',
		mimeType: 'image/jpeg',
		buffer: await photo(page)
	});
	await expect(page.getByTestId('pending-file')).toHaveAttribute('data-status', 'uploaded');
	await shoot(page, 'broadcast-photo');
	await page.getByRole('button', { name: 'Send to 2 trainees' }).click();
	const outcomes = page.getByTestId('broadcast-outcomes').getByRole('listitem');
	await expect(outcomes).toHaveCount(2);
	await expect(outcomes.filter({ hasText: 'Sent' })).toHaveCount(2);
	// The form is ready for the next broadcast: no files left over.
	await expect(page.getByTestId('pending-file')).toHaveCount(0);

	// One upload in the broadcast's folder serves both copies.
	const { data: files } = await trainer.client
		.from('message_attachments')
		.select('path, kind, original_name');
	expect(files).toHaveLength(2);
	expect(new Set(files!.map((f) => f.path)).size).toBe(1);
	expect(files![0]).toMatchObject({ kind: 'image', original_name: 'Squat cue.jpg' });
	expect(files![0].path).toMatch(new RegExp(`^${trainer.id}/[0-9a-f-]{36}/Squat-cue\\.jpg$`));

	for (const trainee of trainees) {
		const view = await signedIn(browser, trainee.email);
		await visit(view.page, `/messages/with/${trainer.id}`);
		const bubble = messageBubble(view.page, `New squat cue, ${firstName(trainee.name)} ${t}`);
		await expect(bubble).toBeVisible();
		const image = bubble.getByTestId('attachment-image').locator('img');
		await expect(image).toBeVisible();
		await expect
			.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
			.toBeGreaterThan(0);
		await view.context.close();
	}
	await context.close();
});

test('a message and a broadcast scheduled a minute ahead are sent by the job at their time: live in the open chat, then Sent on Send later; what can no longer go shows why', async ({
	browser
}) => {
	// The job runs every 20 seconds: up to a minute of waiting for the time, then up to one period.
	test.setTimeout(300_000);
	const trainer = await newTrainer('Coach');
	const staying = await newTraineeOf(trainer, 'Gus');
	const leaving = await newTraineeOf(trainer, 'Hal');
	// Wall-clock times below are UTC, so the test does not depend on the machine's zone.
	expect(
		(await trainer.client.from('profiles').update({ time_zone: 'UTC' }).eq('id', trainer.id)).error
	).toBeNull();
	// Both have a conversation with the trainer (removing a trainee archives it).
	for (const who of [staying, leaving]) await send(trainer.client, who.id, 'Welcome');

	const trainee = await signedIn(browser, staying.email);
	await visit(trainee.page, `/messages/with/${trainer.id}`);
	await expect(messageBubble(trainee.page, 'Welcome')).toBeVisible();

	const { page, context } = await signedIn(browser, trainer.email);
	const t = tag();
	const sendAt = new Date(Date.now() + 60_000);
	// A datetime-local value with seconds, in UTC.
	const local = sendAt.toISOString().slice(0, 19);
	const single = `Time to train ${t}`;
	const lost = `Still with us? ${t}`;
	const news = `Deload week, {first_name} ${t}`;

	await visit(page, '/broadcast');
	for (const who of [staying, leaving]) await page.getByLabel(who.name).check();
	await page.getByLabel('Message', { exact: true }).fill(news);
	await page.getByLabel('Later').check();
	await page.getByLabel('Send at (UTC)').fill(local);
	await page.getByRole('button', { name: 'Schedule for 2 trainees' }).click();
	await expect(page.getByTestId('broadcast-scheduled')).toContainText('to 2 trainees');
	expect(await checkScreen(page, 'broadcast-later')).toEqual([]);
	await shoot(page, 'broadcast-later');

	await page.getByRole('link', { name: 'See it under Send later' }).click();
	await expect(page.getByRole('heading', { name: 'Send later' })).toBeVisible();
	const schedule = async (who: TestUser, text: string) => {
		await page.getByLabel('To').selectOption({ label: who.name });
		await page.getByLabel('Message', { exact: true }).fill(text);
		await page.getByLabel('Send at (UTC)').fill(local);
		await page.getByRole('button', { name: 'Schedule', exact: true }).click();
		await expect(page.getByTestId('scheduled-row').filter({ hasText: text })).toBeVisible();
	};
	await schedule(staying, single);
	await schedule(leaving, lost);

	const rowOf = (text: string) => page.getByTestId('scheduled-row').filter({ hasText: text });
	const broadcastRow = page.locator('[data-testid="scheduled-row"][data-kind="broadcast"]');
	await expect(broadcastRow).toContainText('Broadcast to 2 trainees');
	await expect(broadcastRow).toContainText(staying.name);
	await expect(broadcastRow).toContainText(leaving.name);
	for (const row of [rowOf(single), rowOf(lost), broadcastRow])
		await expect(row.getByTestId('scheduled-status')).toHaveText('Scheduled');
	expect(await checkScreen(page, 'scheduled-broadcast')).toEqual([]);
	await shoot(page, 'scheduled-waiting');

	// Hal is removed before the time: his message cannot go (the conversation is archived), and
	// the broadcast skips him.
	expect((await trainer.client.rpc('remove_trainee', { trainee_id: leaving.id })).error).toBeNull();

	// At its time the job sends it: it appears in Gus's open chat without a reload.
	const arrived = { timeout: 150_000 };
	await expect(messageBubble(trainee.page, single)).toBeVisible(arrived);
	await expect(messageBubble(trainee.page, `Deload week, ${firstName(staying.name)} ${t}`)).toBeVisible(
		arrived
	);
	// Not before its time (the database's clock).
	const { data: received } = await staying.client
		.from('messages')
		.select('created_at, broadcast_id')
		.like('body', `%${t}`);
	expect(received).toHaveLength(2);
	for (const m of received!)
		expect(Date.parse(m.created_at as string)).toBeGreaterThanOrEqual(sendAt.getTime() - 1000);
	expect(received!.filter((m) => m.broadcast_id !== null)).toHaveLength(1);

	// Send later reads the list again while something is due: no reload needed.
	await expect(rowOf(single).getByTestId('scheduled-status')).toHaveText('Sent', arrived);
	await expect(broadcastRow.getByTestId('scheduled-status')).toHaveText('Sent', arrived);
	await expect(broadcastRow.getByTestId('scheduled-outcomes')).toHaveText(
		`Delivered to 1 trainee. Not sent to ${leaving.name}: no longer your trainee`
	);
	await expect(rowOf(lost).getByTestId('scheduled-status')).toHaveText('Failed', arrived);
	await expect(rowOf(lost).getByTestId('scheduled-failure')).toHaveText(
		'Not sent: This conversation is archived and read-only.'
	);
	// Sent and failed rows offer no edit or cancel.
	await expect(page.getByRole('button', { name: /^(Edit|Cancel message|Cancel broadcast)$/ })).toHaveCount(0);
	expect(await checkScreen(page, 'scheduled-sent')).toEqual([]);
	await broadcastRow.scrollIntoViewIfNeeded();
	await shoot(page, 'scheduled-sent');
	await trainee.context.close();
	await context.close();
});

test('a scheduled broadcast is edited and cancelled on Send later', async ({ browser }) => {
	const trainer = await newTrainer('Coach');
	await Promise.all(['Kai', 'Lea'].map((label) => newTraineeOf(trainer, label)));
	const { page, context } = await signedIn(browser, trainer.email);
	await visit(page, '/broadcast');
	const t = tag();
	await page.getByLabel('Select all (2)').check();
	await page.getByLabel('Message', { exact: true }).fill(`Holiday hours ${t}`);
	await page.getByLabel('Later').check();
	// The form offers an hour from now; the database refuses a time already past.
	await page.getByRole('button', { name: 'Schedule for 2 trainees' }).click();
	await expect(page.getByTestId('broadcast-scheduled')).toBeVisible();

	await visit(page, '/scheduled');
	const row = page.locator('[data-testid="scheduled-row"][data-kind="broadcast"]');
	await expect(row).toHaveCount(1);
	// By keyboard: focus goes into the text, back to Edit after saving, to the list's heading once
	// the row is gone.
	await row.getByRole('button', { name: 'Edit' }).focus();
	await page.keyboard.press('Enter');
	const text = row.getByLabel('Message');
	await expect(text).toBeFocused();
	await page.keyboard.press('ControlOrMeta+A');
	await page.keyboard.type(`Holiday hours: closed on the 24th ${t}`);
	await row.getByRole('button', { name: 'Save' }).focus();
	await page.keyboard.press('Enter');
	await expect(row).toContainText(`Holiday hours: closed on the 24th ${t}`);
	await expect(row.getByRole('button', { name: 'Edit' })).toBeFocused();
	await page.keyboard.press('Tab');
	await expect(row.getByRole('button', { name: 'Cancel broadcast' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(row).toHaveCount(0);
	await expect(page.getByRole('heading', { name: 'Your scheduled messages' })).toBeFocused();
	const { data } = await trainer.client.from('scheduled_broadcasts').select('body, status');
	expect(data).toEqual([{ body: `Holiday hours: closed on the 24th ${t}`, status: 'cancelled' }]);
	await context.close();
});
