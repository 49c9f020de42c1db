import { expect, test } from '@playwright/test';
import { clientFor, composer, conversations, demo, signIn, signedIn, tag, visit } from './support';

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

test('signing in and up explain errors in words; a code at sign-up links the trainee', async ({
	browser
}) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await visit(page, '/messages');
	await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fmessages$/);
	await page.getByLabel('Email').fill(demo.coach.email);
	await page.getByLabel('Password').fill('wrong password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'That email and password do not match. Check them and try again.'
	);

	// A wrong code: the account exists, and the user is told what to do.
	await page.getByRole('link', { name: 'Create an account' }).click();
	const t = tag();
	await page.getByLabel('Your name').fill(`Drew ${t}`);
	await page.getByLabel('Email').fill(`drew-${t}@spotter.test`);
	await page.getByLabel('Password').fill('spotter-demo');
	await page.getByLabel('Invitation code from your trainer (optional)').fill('ZZZZZZZZ');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page).toHaveURL(/\/settings\?invitation_error=SP010$/);
	await expect(
		page.getByText(
			'Your account was created, but the invitation code did not work: That invitation code does not exist or was withdrawn.',
			{ exact: false }
		)
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

	// Sign out, then sign up again with the right code straight away.
	await page.getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/sign-in$/);
	await visit(page, '/sign-up');
	await page.getByLabel('Your name').fill(`Eli ${t}`);
	await page.getByLabel('Email').fill(`eli-${t}@spotter.test`);
	await page.getByLabel('Password').fill('spotter-demo');
	await page.getByLabel('Invitation code from your trainer (optional)').fill('CASEY234');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page).toHaveURL(/\/messages$/);
	await expect(page.getByRole('link', { name: 'Message your trainer' })).toBeVisible();

	// And an existing account signs in where it wanted to go. The answer that sets the session
	// cookie tells every cache between here and the server not to keep it.
	await page.getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('button', { name: 'Sign out' }).click();
	const signedInAnswer = page.waitForResponse(
		(response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/sign-in'
	);
	await signIn(page, demo.sam.email);
	const answer = await signedInAnswer;
	expect(await answer.headerValue('set-cookie')).toContain('sb-');
	expect(await answer.headerValue('cache-control')).toMatch(/no-store/);
	await context.close();
});
