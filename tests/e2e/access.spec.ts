import { expect, test } from '@playwright/test';
import { newPerson } from './accounts-support';
import { clientFor, composer, conversations, demo, signIn, signedIn, visit } from './support';

test('alex cannot open sam’s conversation by URL', async ({ browser }) => {
	const alex = await signedIn(browser, demo.alex.email);
	await visit(alex.page, `/messages/${conversations.coachSam}`);
	await expect(alex.page.getByRole('heading', { name: 'Not found' })).toBeVisible();
	await expect(alex.page.getByText('Conversation not found.')).toBeVisible();
	await expect(alex.page.getByText('Starting Monday')).toHaveCount(0);

	// Trainees have no trainee pages either.
	await expect(alex.page.getByRole('link', { name: 'Trainees' })).toHaveCount(0);
	await visit(alex.page, '/trainees');
	await expect(alex.page.getByText('Only trainers have trainees.')).toBeVisible();
	await alex.context.close();
});

test('solo sees no conversations and cannot start one', async ({ browser }) => {
	const solo = await signedIn(browser, demo.solo.email);
	await expect(solo.page.getByText('No conversations yet.')).toBeVisible();
	await expect(solo.page.getByText(/You have no trainer yet/)).toBeVisible();
	await expect(solo.page.getByRole('link', { name: 'Message your trainer' })).toHaveCount(0);

	await visit(solo.page, `/messages/with/${demo.coach.id}`);
	await expect(solo.page.getByText('You can only message your own trainer or trainees.')).toBeVisible();
	await expect(composer(solo.page)).toHaveCount(0);

	// The database refuses too, whatever the client does.
	const api = await clientFor(demo.solo.email);
	const { error } = await api.rpc('send_message', {
		recipient_id: demo.coach.id,
		body: 'hello?',
		message_id: crypto.randomUUID()
	});
	expect(error?.code).toBe('SP001');
	await solo.context.close();
});

// Signing in with a wrong password, a code at sign-up and the cache headers of signing in are in
// accounts-invitations.spec.ts (sign-up now waits for the emailed link).
test('a trainee without a trainer uses a code in Settings and can then message the trainer', async ({
	browser
}) => {
	const person = await newPerson('trainee', 'Drew');
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, person.email);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	await page.getByLabel('Invitation code').fill('ZZZZZZZZ');
	await page.getByRole('button', { name: 'Use code' }).click();
	await expect(
		page.getByText('That invitation code does not exist. Check it with your trainer.')
	).toBeVisible();
	await page.getByLabel('Invitation code').fill('casey234');
	await page.getByRole('button', { name: 'Use code' }).click();
	await expect(page.getByText('You are now linked to your trainer.')).toBeVisible();
	await page.getByRole('link', { name: /^Messages/ }).click();
	await page.getByRole('link', { name: 'Message your trainer' }).click();
	// The same route a trainer uses for a trainee: a conversation with this person, not yet begun.
	await expect(page).toHaveURL(new RegExp(`/messages/with/${demo.coach.id}$`));
	await expect(page.getByRole('heading', { name: demo.coach.name })).toBeVisible();
	await expect(composer(page)).toBeVisible();

	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('button', { name: 'Sign out of this device' }).click();
	await expect(page).toHaveURL(/\/sign-in$/);
	await context.close();
});
