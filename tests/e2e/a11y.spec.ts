// axe on every screen at a phone and a desktop width, in the light and the dark theme; a
// screenshot of each lands in test-results/screens/ (named <theme>-<screen>-<width>.png).
import { expect, test, type Page } from '@playwright/test';
import { checkScreen as checkOne, conversations, demo, newTraineeOfCoach, signIn, visit } from './support';

for (const scheme of ['light', 'dark'] as const)
	for (const width of [375, 1280]) {
		test(`every screen has no serious or critical axe violation at ${width}px in the ${scheme} theme`, async ({
			browser
		}) => {
			// About twenty screens, each with axe: longer than one scenario's default.
			test.setTimeout(240_000);
			const viewport = { width, height: width < 768 ? 740 : 800 };
			const fresh = await newTraineeOfCoach('Avery');
			const violations: string[] = [];
			const checkScreen = (page: Page, name: string) => checkOne(page, `${scheme}-${name}`);
			const checkChat = checkScreen;

			const context = await browser.newContext({ viewport, colorScheme: scheme });
			const page = await context.newPage();
			await visit(page, '/sign-in');
			violations.push(...(await checkScreen(page, 'sign-in')));
			await visit(page, '/sign-up');
			violations.push(...(await checkScreen(page, 'sign-up')));

			await signIn(page, demo.coach.email);
			await expect(page.getByTestId('conversation-row').first()).toBeVisible();
			violations.push(...(await checkScreen(page, 'messages')));
			// The row menu (loaded after the first paint) and the other views of the list.
			await page.getByTestId('conversation-menu').first().click();
			await expect(page.getByRole('menu')).toBeVisible();
			violations.push(...(await checkScreen(page, 'messages-row-menu')));
			await page.keyboard.press('Escape');
			await page.getByRole('button', { name: 'Archived', exact: true }).click();
			await expect(
				page.getByTestId('list-empty').or(page.getByTestId('conversation-row').first())
			).toBeVisible();
			violations.push(...(await checkScreen(page, 'messages-archived')));
			await page.getByRole('button', { name: 'All', exact: true }).click();

			await visit(page, '/search?q=squat');
			await expect(page.getByTestId('search-status')).not.toBeEmpty();
			violations.push(...(await checkScreen(page, 'search')));

			await visit(page, `/messages/${conversations.coachAlex}`);
			await expect(page.getByTestId('message').first()).toBeVisible();
			violations.push(...(await checkChat(page, 'conversation')));

			await page.getByRole('textbox', { name: /^Message to / }).fill('x'.repeat(2001));
			violations.push(...(await checkChat(page, 'conversation-too-long')));
			await page.getByRole('textbox', { name: /^Message to / }).fill('');

			await visit(page, `/messages/with/${fresh.id}`);
			violations.push(...(await checkChat(page, 'new-message')));

			await visit(page, '/trainees');
			await expect(page.getByTestId('trainee-row').first()).toBeVisible();
			violations.push(...(await checkScreen(page, 'trainees')));

			await visit(page, `/trainees/${demo.alex.id}`);
			violations.push(...(await checkScreen(page, 'trainee')));
			await page.getByRole('button', { name: 'More actions' }).click();
			violations.push(...(await checkScreen(page, 'trainee-menu')));
			await page.getByRole('menuitem', { name: 'Remove trainee…' }).click();
			await expect(page.getByRole('dialog')).toBeVisible();
			violations.push(...(await checkScreen(page, 'trainee-remove-dialog')));
			await page.getByRole('button', { name: 'Cancel' }).click();

			await visit(page, '/settings');
			// The Notifications section is part of the screen checked (this build has a VAPID key).
			await expect(page.getByRole('button', { name: 'Turn on notifications' })).toBeVisible();
			violations.push(...(await checkScreen(page, 'settings')));

			await visit(page, '/messages/00000000-0000-4000-8000-000000000000');
			await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
			violations.push(...(await checkScreen(page, 'not-found')));
			await context.close();

			// A trainee's views: the list with a trainer, and an archived conversation is covered in
			// the trainees scenario; here the trainee's inbox and settings.
			const traineeContext = await browser.newContext({ viewport, colorScheme: scheme });
			const traineePage = await traineeContext.newPage();
			await signIn(traineePage, demo.alex.email);
			await expect(traineePage.getByTestId('conversation-row').first()).toBeVisible();
			violations.push(...(await checkScreen(traineePage, 'trainee-messages')));
			await visit(traineePage, '/settings');
			violations.push(...(await checkScreen(traineePage, 'trainee-settings')));
			await traineeContext.close();

			expect(violations).toEqual([]);
		});
	}
