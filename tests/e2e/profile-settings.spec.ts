// A trainer's view of one trainee (joined, last active, the private note), the last-seen privacy
// setting, and the colour theme; trainer and trainee each in a browser of their own.
import { expect, test } from '@playwright/test';
import { newTraineeOf, newTrainer, signIn, visit } from './support';

test('a trainer keeps a private note on a trainee, and sees when they were last active unless hidden', async ({
	browser
}) => {
	const trainer = await newTrainer('Noter');
	const dana = await newTraineeOf(trainer, 'Dana');
	expect((await dana.client.rpc('touch_last_seen')).error).toBeNull();

	const coach = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await coach.newPage();
	await signIn(page, trainer.email);
	await visit(page, `/trainees/${dana.id}`);
	await expect(page.getByRole('heading', { name: dana.name })).toBeVisible();
	await expect(page.getByTestId('trainee-facts')).toContainText('Joined');
	await expect(page.getByTestId('trainee-facts')).toContainText(/Last active:?\s*now/);
	await expect(page.getByRole('link', { name: 'Message', exact: true })).toHaveAttribute(
		'href',
		`/messages/with/${dana.id}`
	);

	const note = page.getByRole('textbox', { name: 'Private note' });
	await expect(page.getByRole('button', { name: 'Save note' })).toBeDisabled();
	await note.fill('Left knee: no deep squats until March.');
	await page.getByRole('button', { name: 'Save note' }).click();
	await expect(page.getByTestId('note-status')).toHaveText(/^Saved at /);
	// The trainee never reads it, through any API.
	const { data: seenByDana } = await dana.client.from('trainee_notes').select('body');
	expect(seenByDana ?? []).toEqual([]);

	// The trainee, in a browser of their own, hides their last seen.
	const trainee = await browser.newContext({ viewport: { width: 375, height: 740 } });
	const traineePage = await trainee.newPage();
	await signIn(traineePage, dana.email);
	await visit(traineePage, '/settings');
	const hide = traineePage.getByRole('checkbox', { name: 'Hide my last seen' });
	await expect(hide).toBeEnabled();
	await hide.check();
	await expect(traineePage.getByText('Saved. Your last seen is hidden.')).toBeVisible();

	await page.reload();
	// Typed only once the page runs: text typed into the server's HTML before then is not the form's.
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(note).toHaveValue('Left knee: no deep squats until March.');
	await expect(page.getByTestId('trainee-facts')).toContainText(/Last active:?\s*Not shown/);

	// Emptying the note deletes it.
	await note.fill('');
	await page.getByRole('button', { name: 'Save note' }).click();
	await expect(page.getByTestId('note-status')).toHaveText('Note deleted.');
	await coach.close();
	await trainee.close();
});

test('the theme follows the system, or the choice in Settings from the first paint on', async ({
	browser
}) => {
	const trainer = await newTrainer('Themer');
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
	const page = await context.newPage();
	const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
	await signIn(page, trainer.email);
	await visit(page, '/settings');
	expect(await background()).toBe('rgb(255, 255, 255)');
	await page.emulateMedia({ colorScheme: 'dark' });
	expect(await background()).toBe('rgb(15, 23, 42)');

	// Light chosen on a dark system: light at once, and already at the first paint after a reload.
	await page.getByRole('radio', { name: 'Light' }).check();
	expect(await background()).toBe('rgb(255, 255, 255)');
	await page.goto('/settings', { waitUntil: 'commit' });
	await page.waitForSelector('body', { state: 'attached' });
	expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
	expect(await background()).toBe('rgb(255, 255, 255)');
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(page.getByRole('radio', { name: 'Light' })).toBeChecked();

	await page.getByRole('radio', { name: 'Dark' }).check();
	await page.emulateMedia({ colorScheme: 'light' });
	expect(await background()).toBe('rgb(15, 23, 42)');

	// Back to the system's.
	await page.getByRole('radio', { name: 'System' }).check();
	expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
	expect(await background()).toBe('rgb(255, 255, 255)');
	await context.close();
});
