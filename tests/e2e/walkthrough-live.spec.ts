// Walkthrough: views that stay current while someone else acts — a trainee joining, a person
// renaming themselves — without a reload. The database announces each change; the app reads again.
import { expect, test } from '@playwright/test';
import { messageBubble, newTraineeOf, newTrainer, send, shoot, signedIn, visit } from './support';

test('the trainer’s Trainees page shows a trainee who just joined with the code, and drops one who left', async ({
	browser
}) => {
	const trainer = await newTrainer('Uma');
	const first = await newTraineeOf(trainer, 'First');
	const { context, page } = await signedIn(browser, trainer.email);
	await visit(page, '/trainees');
	const rows = page.getByTestId('trainee-row');
	await expect(rows).toHaveCount(1);

	const joined = await newTraineeOf(trainer, 'Joined');
	await expect(rows.filter({ hasText: joined.name })).toBeVisible();
	await expect(rows).toHaveCount(2);
	await shoot(page, 'trainee-joined-live');

	// The first one leaves on their own (clears their trainer): gone from the list.
	const left = await first.client.from('profiles').update({ trainer_id: null }).eq('id', first.id);
	expect(left.error).toBeNull();
	await expect(rows.filter({ hasText: first.name })).toHaveCount(0);
	await expect(rows).toHaveCount(1);
	await context.close();
});

test('a rename shows in the other person’s open chat and conversation list without a reload', async ({
	browser
}) => {
	const trainer = await newTrainer('Vic');
	const trainee = await newTraineeOf(trainer, 'Before');
	const { conversation_id } = await send(trainee.client, trainer.id, 'Name change incoming');
	const { context, page } = await signedIn(browser, trainer.email);
	await visit(page, `/messages/${conversation_id}`);
	await expect(messageBubble(page, 'Name change incoming')).toBeVisible();
	await expect(page.getByRole('heading', { level: 1, name: trainee.name })).toBeVisible();
	await page.getByRole('textbox', { name: /^Message to / }).fill('A draft that must survive the rename');

	const renamed = `Renamed ${trainee.name.split(' ')[1]}`;
	const { error } = await trainee.client
		.from('profiles')
		.update({ display_name: renamed })
		.eq('id', trainee.id);
	expect(error).toBeNull();

	await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
	await expect(page.getByTestId('conversation-row').filter({ hasText: renamed })).toBeVisible();
	await expect(page.getByRole('textbox', { name: `Message to ${renamed}` })).toHaveValue(
		'A draft that must survive the rename'
	);
	await expect(messageBubble(page, 'Name change incoming')).toBeVisible();
	await shoot(page, 'rename-live');

	// And the trainee sees the trainer's new name in theirs.
	const other = await signedIn(browser, trainee.email);
	await other.page.getByTestId('conversation-row').first().click();
	await expect(other.page.getByRole('heading', { level: 1, name: trainer.name })).toBeVisible();
	const trainerRenamed = `Coach ${trainer.name.split(' ')[1]}`;
	await trainer.client.from('profiles').update({ display_name: trainerRenamed }).eq('id', trainer.id);
	await expect(other.page.getByRole('heading', { level: 1, name: trainerRenamed })).toBeVisible();
	await other.context.close();
	await context.close();
});
