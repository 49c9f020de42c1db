// Invitations people can share: a code with a use limit and an expiry the trainer sees, a /join
// link and its QR code that take a new trainee through sign-up (confirmed in the inbox) or an
// existing one through sign-in, withdrawn codes refused, and a bad code kept on the sign-up form.
import { expect, test, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { admin, emailedLink, freshEmail, newPerson, screens } from './accounts-support';
import { demo, password, signIn, signedIn, tag, visit } from './support';

test.describe.configure({ timeout: 120_000 });

/** Creates a code on the coach's Trainees page; returns it and its link as the page shows them. */
async function createCode(page: Page, uses: string, days: string): Promise<{ code: string; link: string }> {
	await visit(page, '/trainees');
	await page.getByLabel('Who can use it').selectOption({ label: uses });
	await page.getByLabel('Valid for').selectOption({ label: days });
	const first = page.getByTestId('invitation-code').first();
	const before = (await first.count()) ? await first.innerText() : null;
	await page.getByRole('button', { name: 'Create invitation code' }).click();
	await expect(first).not.toHaveText(before ?? '');
	const code = await first.innerText();
	const link = await page.getByLabel(`Invitation link for code ${code}`).inputValue();
	return { code, link };
}

test('a link for one trainee: the trainer sees its limit and expiry; a new trainee signs up through it, confirms, and is linked', async ({
	browser
}) => {
	const coach = await signedIn(browser, demo.coach.email);
	const { code, link } = await createCode(coach.page, 'One trainee', '7 days');
	expect(new URL(link).pathname).toBe(`/join/${code}`);
	const row = coach.page.getByTestId('invitation').filter({ hasText: code });
	await expect(row.getByTestId('invitation-usage')).toHaveText('0 of 1 used');
	const inAWeek = new Date(Date.now() + 7 * 86_400_000);
	await expect(row).toContainText(`expires`);
	await expect(row).toContainText(String(inAWeek.getDate()));
	await screens(coach.page, 'trainees-invitations', { show: row });

	const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
	const page = await context.newPage();
	await visit(page, new URL(link).pathname);
	await expect(page.getByRole('heading', { name: 'You are invited to Spotter' })).toBeVisible();
	await screens(page, 'join');
	await page.getByRole('link', { name: 'Create an account' }).click();
	await expect(page.getByLabel('Invitation code from your trainer (optional)')).toHaveValue(code);
	const email = freshEmail('Jules');
	const name = `Jules ${tag()}`;
	await page.getByLabel('Your name').fill(name);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
	await expect(page.getByText('your invitation is used then')).toBeVisible();

	// Not linked until the address is confirmed; then the database links them.
	const user = (await admin().auth.admin.listUsers({ perPage: 1000 })).data.users.find(
		(u) => u.email === email
	);
	expect(user?.user_metadata.invitation_code).toBe(code);
	const confirm = new URL(await emailedLink(email));
	await visit(page, confirm.pathname + confirm.search);
	await expect(page).toHaveURL(/\/messages$/);
	// The trainee sees who their trainer is.
	await expect(page.getByRole('link', { name: `Message your trainer, ${demo.coach.name}` })).toBeVisible();
	await visit(page, '/settings');
	await expect(page.getByTestId('your-trainer')).toContainText(`Your trainer is ${demo.coach.name}.`);

	// The trainer's list has the new trainee, and the code is used up.
	await visit(coach.page, '/trainees');
	await expect(coach.page.getByTestId('trainee-row').filter({ hasText: name })).toBeVisible();
	await expect(
		coach.page.getByTestId('invitation').filter({ hasText: code }).getByTestId('invitation-usage')
	).toHaveText('Used up (1 of 1)');

	// The next person with the same link is told, before creating anything.
	const late = await browser.newContext();
	const latePage = await late.newPage();
	await visit(latePage, `/join/${code}`);
	await expect(latePage.getByRole('alert')).toHaveText(/used as many times as your trainer allowed/);
	await late.close();
	await context.close();
	await coach.context.close();
});

test('a QR code, decoded from its image, takes an existing trainee through sign-in to use the invitation', async ({
	browser
}) => {
	const trainee = await newPerson('trainee', 'Mika');
	const coach = await signedIn(browser, demo.coach.email);
	const { code, link } = await createCode(coach.page, 'Up to 5 trainees', '14 days');

	// The QR library is fetched when a QR code is first asked for, not with the page.
	const scripts: string[] = [];
	coach.page.on('request', (r) => {
		if (r.resourceType() === 'script') scripts.push(r.url());
	});
	await coach.page.getByRole('button', { name: `Show QR code for code ${code}` }).click();
	const image = coach.page.getByTestId('invitation-qr');
	await expect(image).toBeVisible();
	expect(scripts.length).toBeGreaterThan(0);
	await screens(coach.page, 'trainees-invitation-qr', { show: image });

	const src = await image.getAttribute('src');
	expect(src).toMatch(/^data:image\/png;base64,/);
	const png = PNG.sync.read(Buffer.from(src!.split(',')[1], 'base64'));
	const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
	expect(decoded?.data).toBe(link);

	const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
	const page = await phone.newPage();
	await visit(page, new URL(decoded!.data).pathname);
	await page.getByRole('link', { name: 'I have an account: sign in' }).click();
	await expect(page).toHaveURL(new RegExp(`/sign-in\\?redirectTo=%2Fjoin%2F${code}$`));
	await page.getByLabel('Email').fill(trainee.email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(new RegExp(`/join/${code}$`));
	await screens(page, 'join-signed-in');
	await page.getByRole('button', { name: 'Use this invitation' }).click();
	await expect(page).toHaveURL(/\/messages$/);
	await expect(page.getByRole('link', { name: `Message your trainer, ${demo.coach.name}` })).toBeVisible();
	const { data } = await trainee.client.from('profiles').select('trainer_id').eq('id', trainee.id).single();
	expect(data?.trainer_id).toBe(demo.coach.id);
	await phone.close();
	await coach.context.close();
});

test('a withdrawn code is refused, and a code that cannot be used keeps the person on the sign-up form', async ({
	browser
}) => {
	const coach = await signedIn(browser, demo.coach.email);
	const { code } = await createCode(coach.page, 'No limit', '30 days');
	const row = coach.page.getByTestId('invitation').filter({ hasText: code });
	await row.getByRole('button', { name: `Withdraw… code ${code}` }).click();
	await screens(coach.page, 'trainees-withdraw', { show: row });
	await row.getByRole('button', { name: `Withdraw code ${code}` }).click();
	await expect(coach.page.getByTestId('invitation').filter({ hasText: code })).toHaveCount(0);
	await visit(coach.page, '/trainees');
	await expect(coach.page.getByTestId('invitation').filter({ hasText: code })).toHaveCount(0);

	const context = await browser.newContext();
	const page = await context.newPage();
	await visit(page, `/join/${code}`);
	await expect(page.getByRole('alert')).toHaveText(
		'Your trainer withdrew that invitation code. Ask them for a new one.'
	);

	for (const [given, said] of [
		[code, 'Your trainer withdrew that invitation code. Ask them for a new one.'],
		['ZZZZZZZZ', 'That invitation code does not exist. Check it with your trainer.']
	]) {
		const email = freshEmail('Dana');
		await visit(page, '/sign-up');
		await page.getByLabel('Your name').fill(`Dana ${tag()}`);
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill(password);
		await page.getByLabel('Invitation code from your trainer (optional)').fill(given);
		await page.getByRole('button', { name: 'Create account' }).click();
		// Still the form, with what was typed, the reason, and the code field to fix.
		await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
		await expect(page.locator('#code-error')).toHaveText(said);
		await expect(page.getByLabel('Invitation code from your trainer (optional)')).toBeFocused();
		await expect(page.getByLabel('Email')).toHaveValue(email);
		if (given === 'ZZZZZZZZ') await screens(page, 'sign-up-bad-code');
		// And no account was created.
		const users = (await admin().auth.admin.listUsers({ perPage: 1000 })).data.users;
		expect(users.some((u) => u.email === email)).toBe(false);
	}
	await context.close();
	await coach.context.close();
});

test('signing in explains errors in words, and the answer that sets the session cookie is never cached', async ({
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
	await screens(page, 'sign-in-error');
	const signedInAnswer = page.waitForResponse(
		(response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/sign-in'
	);
	await signIn(page, demo.sam.email);
	const answer = await signedInAnswer;
	expect(await answer.headerValue('set-cookie')).toContain('sb-');
	expect(await answer.headerValue('cache-control')).toMatch(/no-store/);
	await context.close();
});
