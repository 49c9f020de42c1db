import { expect, test } from '@playwright/test';
import {
	clientFor,
	composer,
	conversations,
	demo,
	messageBubble,
	newTraineeOfCoach,
	openConversation,
	send,
	signedIn,
	tag,
	visit
} from './support';

test('Message on a trainee page opens the existing conversation and sends nothing', async ({ browser }) => {
	const api = await clientFor(demo.coach.email);
	const countMessages = async () =>
		(
			await api
				.from('messages')
				.select('id', { count: 'exact', head: true })
				.eq('conversation_id', conversations.coachAlex)
		).count;
	const before = await countMessages();

	const coach = await signedIn(browser, demo.coach.email);
	await coach.page.getByRole('link', { name: 'Trainees' }).click();
	const row = coach.page.getByTestId('trainee-row').filter({ hasText: demo.alex.name });
	await row.getByRole('link', { name: demo.alex.name, exact: true }).click();
	await expect(coach.page.getByRole('heading', { name: demo.alex.name })).toBeVisible();

	// With a conversation already there, the page says it opens it.
	await coach.page.getByRole('link', { name: 'Open conversation', exact: true }).click();
	await expect(coach.page).toHaveURL(new RegExp(`/messages/${conversations.coachAlex}$`));
	await expect(composer(coach.page)).toHaveValue('');

	// The quick action menu goes to the same place, by keyboard too.
	await coach.page.goBack();
	const more = coach.page.getByRole('button', { name: 'More actions' });
	await more.focus();
	await coach.page.keyboard.press('ArrowDown');
	await expect(coach.page.getByRole('menuitem', { name: 'Message' })).toBeFocused();
	await coach.page.keyboard.press('Enter');
	await expect(coach.page).toHaveURL(new RegExp(`/messages/${conversations.coachAlex}$`));

	// The list's Message action too.
	await coach.page.getByRole('link', { name: 'Trainees' }).click();
	await coach.page.getByRole('link', { name: `Message ${demo.alex.name}` }).click();
	await expect(coach.page).toHaveURL(new RegExp(`/messages/${conversations.coachAlex}$`));

	await coach.page.waitForTimeout(1000);
	expect(await countMessages()).toBe(before);
	await coach.context.close();
});

test('Message for a trainee without a conversation opens an empty composer; the first message creates it', async ({
	browser
}) => {
	const trainee = await newTraineeOfCoach('Quinn');
	const coach = await signedIn(browser, demo.coach.email);
	await visit(coach.page, `/trainees/${trainee.id}`);
	await coach.page.getByRole('link', { name: 'Message', exact: true }).click();
	await expect(coach.page).toHaveURL(new RegExp(`/messages/with/${trainee.id}$`));
	await expect(composer(coach.page)).toHaveValue('');
	await expect(coach.page.getByText('No messages yet. Write the first one below.')).toBeVisible();

	await coach.page.waitForTimeout(1000);
	const { data: none } = await trainee.client.from('conversations').select('id');
	expect(none).toHaveLength(0);

	const t = tag();
	await composer(coach.page).fill(`Welcome to the team ${t}`);
	await composer(coach.page).press('Enter');
	await expect(coach.page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	await expect(messageBubble(coach.page, `Welcome to the team ${t}`)).toHaveCount(1);
	const { data: one } = await trainee.client.from('conversations').select('id');
	expect(one).toHaveLength(1);
	expect(coach.page.url()).toContain(one![0].id);
	await coach.context.close();
});

test('removing a trainee archives the conversation for both sides, live', async ({ browser }) => {
	const trainee = await newTraineeOfCoach('Morgan');
	const { conversation_id } = await send(trainee.client, demo.coach.id, 'Can we move Friday?');

	const coach = await signedIn(browser, demo.coach.email);
	const other = await signedIn(browser, trainee.email);
	await openConversation(other.page, conversation_id);
	await expect(composer(other.page)).toBeVisible();

	await visit(coach.page, `/trainees/${trainee.id}`);
	await coach.page.getByRole('button', { name: 'More actions' }).click();
	await coach.page.getByRole('menuitem', { name: 'Remove trainee…' }).click();
	const dialog = coach.page.getByRole('dialog', { name: `Remove ${trainee.name}?` });
	await expect(dialog).toContainText('Your conversation is archived');
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(dialog).toBeHidden();

	await coach.page.getByRole('button', { name: 'More actions' }).click();
	await coach.page.getByRole('menuitem', { name: 'Remove trainee…' }).click();
	await dialog.getByRole('button', { name: 'Remove trainee' }).click();
	await expect(coach.page).toHaveURL(/\/trainees$/);
	await expect(coach.page.getByTestId('trainee-row').filter({ hasText: trainee.name })).toHaveCount(0);

	// The trainee, still looking at the conversation, sees it become read-only.
	await expect(other.page.getByTestId('archived-banner')).toHaveText(
		`Read-only: you and ${demo.coach.name} are no longer linked.`
	);
	await expect(composer(other.page)).toHaveCount(0);
	await expect(messageBubble(other.page, 'Can we move Friday?')).toBeVisible();

	// The coach's list says so too, and the history is kept.
	await coach.page.getByRole('link', { name: /^Messages/ }).click();
	const row = coach.page.getByTestId('conversation-row').filter({ hasText: trainee.name });
	await expect(row).toContainText('Read-only');
	await row.click();
	await expect(coach.page.getByTestId('archived-banner')).toBeVisible();
	await expect(messageBubble(coach.page, 'Can we move Friday?')).toBeVisible();
	await expect(composer(coach.page)).toHaveCount(0);

	await coach.context.close();
	await other.context.close();
});

test('a trainer creates an invitation code to share', async ({ browser }) => {
	const coach = await signedIn(browser, demo.coach.email);
	await visit(coach.page, '/trainees');
	const codes = coach.page.getByTestId('invitation-code');
	const before = await codes.count();
	await coach.page.getByRole('button', { name: 'Create invitation code' }).click();
	// The new code joins the page of codes already shown (up to 10), none of which goes away.
	await expect(codes).toHaveCount(before + 1);
	await expect(codes.first()).toHaveText(/^[A-HJ-NP-Z2-9]{8}$/);
	await coach.context.close();
});
