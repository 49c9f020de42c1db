// Accounts as on a hosted project, end to end with the local inbox: sign-up with confirmation,
// links that are wrong, reused or expired, forgotten and changed passwords, a change of email,
// signing out here or everywhere, leaving with one's data.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { otpExpirySeconds } from '../../playwright.config';
import { admin, emailedLink, freshEmail, mailCount, mailUrl, newPerson, screens } from './accounts-support';
import {
	composer,
	demo,
	messageBubble,
	newTraineeOfCoach,
	password,
	send,
	signIn,
	tag,
	visit
} from './support';

test.describe.configure({ timeout: 120_000 });

async function fillSignUp(
	page: import('@playwright/test').Page,
	name: string,
	email: string,
	pass = password
) {
	await page.getByLabel('Your name').fill(name);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(pass);
}

test('signing up: the inbox gets a link, a wrong or reused link says so, the real one signs in', async ({
	browser
}) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	const email = freshEmail('Robin');
	await visit(page, '/sign-up');
	await expect(page.getByText('6 to 72 characters')).toBeVisible();
	await screens(page, 'sign-up');

	// Over 72 bytes (36 two-byte letters + 1): refused before Auth is asked, the field named.
	await fillSignUp(page, `Robin ${tag()}`, email, 'é'.repeat(36) + 'x');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('alert')).toHaveText(/at most 72 bytes/);
	await expect(page.getByLabel('Password')).toBeFocused();

	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
	await expect(page.getByText(email)).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/sign-up-check-inbox-1280.png' });

	// Asking again at once (this suite allows one mail of a kind every 5 s): the page says to wait.
	await page.getByRole('button', { name: 'Send the link again' }).click();
	await expect(page.getByText(/another email can be sent \d+ seconds? after the last one/)).toBeVisible();
	await expect(page.getByRole('button', { name: /Send the link again \(in \d+ s\)/ })).toBeDisabled();
	expect(await mailCount(email)).toBe(1);
	await screens(page, 'sign-up-resend-wait');

	// Signing in before confirming: told to confirm first, with a way to get the link again.
	await visit(page, '/sign-in');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText(/Confirm your email address first/);
	await expect(page.getByRole('button', { name: /Send the confirmation link again/ })).toBeVisible();

	// The local inbox, as a person sees it.
	const inbox = await context.newPage();
	await inbox.goto(mailUrl);
	await expect(inbox.getByText(email).first()).toBeVisible();
	await screens(inbox, 'inbox', { axe: false });
	await inbox.close();

	const link = await emailedLink(email, /Confirm your email/);
	const url = new URL(link);
	expect(url.pathname).toBe('/auth/confirm');
	expect(url.searchParams.get('type')).toBeTruthy();

	// A wrong link (the token changed): refused, with the offer of a new one.
	const wrong = new URL(link);
	wrong.searchParams.set('token_hash', 'f'.repeat(56));
	await visit(page, wrong.pathname + wrong.search);
	await expect(page).toHaveURL(/\/auth\/error\?reason=expired/);
	await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Send a new link' })).toBeVisible();
	await screens(page, 'link-expired');
	// An incomplete one (no token): said as such.
	await visit(page, '/auth/confirm?type=email');
	await expect(page.getByRole('heading', { name: 'This link is incomplete' })).toBeVisible();

	// The real link signs in and lands on the messages.
	await visit(page, url.pathname + url.search);
	await expect(page).toHaveURL(/\/messages$/);
	await expect(page.getByRole('heading', { name: 'Messages' })).toBeVisible();

	// The same link again: used, so it no longer works (even in this signed-in browser).
	const other = await browser.newContext();
	const second = await other.newPage();
	await visit(second, url.pathname + url.search);
	await expect(second.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
	await other.close();
	await context.close();
});

test('an expired confirmation link offers a new one, which works in another browser', async ({ browser }) => {
	test.setTimeout(otpExpirySeconds * 1000 + 90_000);
	const context = await browser.newContext();
	const page = await context.newPage();
	const email = freshEmail('Kai');
	await visit(page, '/sign-up');
	await fillSignUp(page, `Kai ${tag()}`, email);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
	const link = new URL(await emailedLink(email));

	// This suite's links live otpExpirySeconds (playwright.config.ts).
	await page.waitForTimeout(otpExpirySeconds * 1000 + 1500);
	await visit(page, link.pathname + link.search);
	await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
	await page.getByLabel('The email you signed up with').fill(email);
	await page.getByRole('button', { name: 'Send a new link' }).click();
	await expect(page.getByText('a new link is on its way')).toBeVisible();
	await expect.poll(() => mailCount(email)).toBe(2);

	// Opened on another device: the token hash needs nothing from the browser that signed up.
	const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
	const phonePage = await phone.newPage();
	const fresh = new URL(await emailedLink(email));
	expect(fresh.searchParams.get('token_hash')).not.toBe(link.searchParams.get('token_hash'));
	await visit(phonePage, fresh.pathname + fresh.search);
	await expect(phonePage).toHaveURL(/\/messages$/);
	await phone.close();
	await context.close();
});

test('forgot password: the emailed link lets the person choose a new one, and only the new one signs in', async ({
	browser
}) => {
	const person = await newPerson('trainee', 'Noor');
	const context = await browser.newContext();
	const page = await context.newPage();
	await visit(page, '/sign-in');
	await page.getByRole('link', { name: 'Forgot your password?' }).click();
	await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
	await page.getByLabel('Email').fill(person.email);
	await page.getByRole('button', { name: 'Send me a link' }).click();
	await expect(page.getByText(`If an account uses ${person.email}`)).toBeVisible();
	await screens(page, 'forgot-password');

	const link = new URL(await emailedLink(person.email, /Reset your Spotter password/));
	await visit(page, link.pathname + link.search);
	await expect(page).toHaveURL(/\/auth\/reset-password$/);
	await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
	await screens(page, 'reset-password');
	const newPassword = `new-${tag()}-password`;
	await page.getByLabel('New password').fill(newPassword);
	await page.getByLabel('The same password again').fill('something else');
	await page.getByRole('button', { name: 'Save the new password' }).click();
	await expect(page.getByRole('alert')).toHaveText('The two passwords differ. Type the same password twice.');
	await page.getByLabel('New password').fill(newPassword);
	await page.getByLabel('The same password again').fill(newPassword);
	await page.getByRole('button', { name: 'Save the new password' }).click();
	await expect(page).toHaveURL(/\/messages$/);

	const old = await admin().auth.signInWithPassword({ email: person.email, password });
	expect(old.error?.code).toBe('invalid_credentials');
	const renewed = await admin().auth.signInWithPassword({ email: person.email, password: newPassword });
	expect(renewed.error).toBeNull();
	await context.close();
});

test('changing the email: both addresses get a link, and the change applies once both are opened', async ({
	browser
}) => {
	const person = await newPerson('trainee', 'Ari');
	const next = freshEmail('Ari-new');
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, person.email);
	await visit(page, '/settings');
	await page.getByLabel('New email address').fill(next);
	await page.getByRole('button', { name: 'Change email' }).click();
	await expect(page.getByText(`We sent a confirmation link to ${person.email} and ${next}`)).toBeVisible();
	await screens(page, 'settings-email-change', { show: page.getByRole('button', { name: 'Change email' }) });

	const toOld = new URL(await emailedLink(person.email, /new email/i));
	await visit(page, toOld.pathname + toOld.search);
	await expect(page).toHaveURL(/\/auth\/email-change$/);
	await expect(page.getByRole('heading', { name: 'One address confirmed' })).toBeVisible();
	await screens(page, 'email-change-half');
	expect((await admin().auth.admin.getUserById(person.id)).data.user?.email).toBe(person.email);

	const toNew = new URL(await emailedLink(next, /new email/i));
	await visit(page, toNew.pathname + toNew.search);
	await expect(page).toHaveURL(/\/settings\?email_changed=1$/);
	await expect(page.getByText(`Your email address is now ${next}`)).toBeVisible();
	expect((await admin().auth.admin.getUserById(person.id)).data.user?.email).toBe(next);
	await context.close();
});

test('changing the password needs the current one', async ({ browser }) => {
	const person = await newPerson('trainer', 'Lee');
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, person.email);
	await visit(page, '/settings');
	const newPassword = `changed-${tag()}`;
	await page.getByLabel('Current password').fill('not my password');
	await page.getByLabel('New password').fill(newPassword);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByRole('alert')).toHaveText('That is not your current password.');
	await page.getByLabel('Current password').fill(password);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByText('Your password was changed.')).toBeVisible();
	await screens(page, 'settings-password-changed', {
		show: page.getByRole('button', { name: 'Change password' })
	});
	expect(
		(await admin().auth.signInWithPassword({ email: person.email, password: newPassword })).error
	).toBeNull();
	await context.close();
});

test('signing out of this device leaves the others signed in; of all devices, the others are told', async ({
	browser
}) => {
	const person = await newTraineeOfCoach('Sky');
	const here = await browser.newContext();
	const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
	const tablet = await browser.newContext();
	const [herePage, phonePage, tabletPage] = await Promise.all([
		here.newPage(),
		phone.newPage(),
		tablet.newPage()
	]);
	for (const page of [herePage, phonePage, tabletPage]) await signIn(page, person.email);

	await visit(herePage, '/settings');
	await screens(herePage, 'settings-sign-out', {
		show: herePage.getByRole('button', { name: 'Sign out of all devices' })
	});
	await herePage.getByRole('button', { name: 'Sign out of this device' }).click();
	await expect(herePage).toHaveURL(/\/sign-in$/);
	await expect(herePage.getByTestId('sign-in-notice')).toHaveCount(0);
	// The phone is still signed in.
	await visit(phonePage, '/settings');
	await expect(phonePage.getByRole('heading', { name: 'Settings' })).toBeVisible();

	// The phone has the conversation open when every device is signed out.
	await visit(phonePage, `/messages/with/${demo.coach.id}`);
	await expect(composer(phonePage)).toBeVisible();
	await signIn(herePage, person.email);
	await visit(herePage, '/settings');
	await herePage.getByRole('button', { name: 'Sign out of all devices' }).click();
	await expect(herePage).toHaveURL(/\/sign-in$/);

	// The phone, still showing the app, tries to send: told it was signed out, not "read-only".
	await composer(phonePage).fill(`are you there ${tag()}`);
	await composer(phonePage).press('Enter');
	await expect(phonePage).toHaveURL(/\/sign-in\?ended=1/);
	await expect(phonePage.getByTestId('sign-in-notice')).toHaveText(/You were signed out/);
	await expect(phonePage.getByText('read-only')).toHaveCount(0);
	await screens(phonePage, 'signed-out-elsewhere');

	// The tablet, opening the app again, is told too (the server checks the session).
	await tabletPage.reload();
	await expect(tabletPage).toHaveURL(/\/sign-in\?.*ended=1/);
	await expect(tabletPage.getByTestId('sign-in-notice')).toHaveText(/You were signed out/);
	await Promise.all([here.close(), phone.close(), tablet.close()]);
});

test('deleting the account: stated plainly, the password asked again, the other side keeps the history as “Deleted user”', async ({
	browser
}) => {
	const person = await newTraineeOfCoach('Quinn');
	const coach = await newPerson('trainer', 'unused'); // a bystander: deleting one account touches no other
	const said = `before I go ${tag()}`;
	await send(person.client, demo.coach.id, said);

	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, person.email);
	// A draft left on this device.
	await visit(page, `/messages/with/${demo.coach.id}`);
	await expect(messageBubble(page, said)).toBeVisible();
	await composer(page).fill('a draft that must not outlive the account');
	await visit(page, '/settings');
	expect(
		await page.evaluate((id) => Object.keys(localStorage).filter((k) => k.includes(id)).length, person.id)
	).toBeGreaterThan(0);

	await page.getByRole('button', { name: 'Delete my account…' }).click();
	await expect(page.getByText('Deleting your account cannot be undone. When you confirm:')).toBeVisible();
	await expect(page.getByText('with your messages shown as from “Deleted user”')).toBeVisible();
	await screens(page, 'settings-delete-account', {
		show: page.getByRole('button', { name: 'Delete my account for good' })
	});
	await page.getByLabel('Your password, to confirm').fill('wrong password');
	await page.getByRole('button', { name: 'Delete my account for good' }).click();
	await expect(page.getByRole('alert')).toHaveText('That is not your current password.');
	await page.getByLabel('Your password, to confirm').fill(password);
	await page.getByRole('button', { name: 'Delete my account for good' }).click();
	await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
	await expect(page.getByTestId('sign-in-notice')).toHaveText(/Your account was deleted/);
	await screens(page, 'account-deleted');
	expect(
		await page.evaluate((id) => Object.keys(localStorage).filter((k) => k.includes(id)).length, person.id)
	).toBe(0);
	expect((await admin().auth.admin.getUserById(person.id)).error?.status).toBe(404);
	expect((await admin().auth.admin.getUserById(coach.id)).data.user?.id).toBe(coach.id);

	// The coach still has the history, read-only, from a "Deleted user".
	const coachContext = await browser.newContext();
	const coachPage = await coachContext.newPage();
	await signIn(coachPage, demo.coach.email);
	// The conversation is archived with the account: it has left the active list for the Archived view.
	await expect(coachPage.getByTestId('conversation-row').first()).toBeVisible();
	await expect(coachPage.getByTestId('conversation-row').filter({ hasText: said })).toHaveCount(0);
	await coachPage.getByRole('button', { name: 'Archived', exact: true }).click();
	await expect(coachPage.getByTestId('conversation-row').filter({ hasText: said })).toContainText(
		'Deleted user'
	);
	await coachPage.getByTestId('conversation-row').filter({ hasText: said }).click();
	await expect(coachPage.getByRole('heading', { name: 'Deleted user' })).toBeVisible();
	await expect(messageBubble(coachPage, said)).toBeVisible();
	await expect(composer(coachPage)).toHaveCount(0);
	await screens(coachPage, 'conversation-with-deleted-user');
	await coachContext.close();
	await context.close();
});

test('the export downloads my profile and every message I can read, as JSON', async ({ browser }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, demo.alex.email);
	await visit(page, '/settings');
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: 'Download my data' }).click()
	]);
	expect(download.suggestedFilename()).toMatch(/^spotter-export-\d{4}-\d{2}-\d{2}\.json$/);
	const file = JSON.parse(await readFile((await download.path())!, 'utf8'));
	expect(file.format).toBe('spotter-export/1');
	expect(file.profile).toMatchObject({
		id: demo.alex.id,
		display_name: demo.alex.name,
		trainer_id: demo.coach.id
	});
	expect(file.account.email).toBe(demo.alex.email);
	const withCoach = file.conversations.find((c: { with: { id: string } }) => c.with.id === demo.coach.id);
	// The seeded history is 80 messages; other scenarios may have added some since.
	expect(withCoach.messages.length).toBeGreaterThanOrEqual(80);
	const seqs = withCoach.messages.map((m: { seq: number }) => m.seq);
	expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
	expect(new Set(seqs).size).toBe(seqs.length);
	expect(seqs.at(-1)).toBe(1);
	expect(withCoach.messages.some((m: { from_me: boolean }) => m.from_me)).toBe(true);
	await context.close();
});
