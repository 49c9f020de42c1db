// The conversation list's triage (pin, mute, unread filter, mark unread, name filter) and search,
// with a trainer of their own and their trainees in separate browsers: the demo coach's inbox,
// which other scenarios read, is never pinned or muted.
import { expect, test, type Page } from '@playwright/test';
import { badge, composer, newTraineeOf, newTrainer, send, signIn, tag } from './support';

function row(page: Page, name: string) {
	return page.getByTestId('conversation-row').filter({ hasText: name });
}

/** Opens a row's menu from the keyboard (its button follows the row link in tab order). */
async function rowMenu(page: Page, name: string) {
	const button = page.getByRole('button', { name: `Actions for ${name}` });
	await button.focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('menu')).toBeVisible();
}

test('a trainer pins, mutes, filters and marks conversations unread; the badge leaves muted ones out', async ({
	browser
}) => {
	const trainer = await newTrainer('Pinner');
	const ana = await newTraineeOf(trainer, 'Ana');
	const ben = await newTraineeOf(trainer, 'Ben');
	await send(ana.client, trainer.id, 'Ana here: knee feels better');
	await send(ben.client, trainer.id, 'Ben here: first question');
	await send(ben.client, trainer.id, 'Ben here: second question');
	// Active in the app (which records it), so the list shows when.
	expect((await ana.client.rpc('touch_last_seen')).error).toBeNull();

	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	await signIn(page, trainer.email);
	const rows = page.getByTestId('conversation-row');
	await expect(rows).toHaveCount(2);
	// Newest first, and last seen from the database (both trainees were active just now).
	await expect(rows.first()).toContainText(ben.name);
	await expect(row(page, ana.name).getByTestId('last-seen')).toContainText('Last seen');
	await expect.poll(() => badge(page)).toBe(3);
	await expect(page).toHaveTitle(/^\(3\) /);

	// Pin Ana from the keyboard: she moves to the top and says so.
	await rowMenu(page, ana.name);
	await page.getByRole('menuitem', { name: 'Pin to top' }).click();
	await expect(rows.first()).toContainText(ana.name);
	await expect(row(page, ana.name)).toHaveAttribute('data-pinned', '');
	await expect(page.getByText(`Pinned ${ana.name} to the top.`)).toBeVisible();

	// Mute Ben (right click opens the same menu): his 2 leave the badge, his row keeps its count.
	await row(page, ben.name).click({ button: 'right' });
	await page.getByRole('menuitem', { name: /^Mute/ }).click();
	await expect(row(page, ben.name)).toHaveAttribute('data-muted', '');
	await expect(row(page, ben.name)).toContainText('Muted: no notifications, not counted in your badge.');
	await expect(row(page, ben.name).getByTestId('unread-count')).toContainText('2');
	await expect.poll(() => badge(page)).toBe(1);
	await expect(page).toHaveTitle(/^\(1\) /);

	// A second browser: Ben writes again (muted: the badge stays), Ana writes (pinned: stays on top).
	await send(ben.client, trainer.id, 'Ben here: third question');
	await expect(row(page, ben.name).getByTestId('unread-count')).toContainText('3');
	await send(ana.client, trainer.id, 'Ana here: squats done');
	await expect(row(page, ana.name)).toContainText('Ana here: squats done');
	await expect(rows.first()).toContainText(ana.name);
	await expect.poll(() => badge(page)).toBe(2);

	// Reading Ana's conversation; the unread filter then lists only Ben.
	await row(page, ana.name).click();
	await expect(page.getByTestId('message').filter({ hasText: 'squats done' })).toBeVisible();
	await expect.poll(() => badge(page)).toBe(0);
	await page.getByRole('button', { name: 'Unread', exact: true }).click();
	await expect(page.getByRole('button', { name: 'Unread', exact: true })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toContainText(ben.name);

	// Mark Ana unread again: she is back in the unread view, with 1 in her row and in the badge.
	await page.getByRole('button', { name: 'All', exact: true }).click();
	await rowMenu(page, ana.name);
	await page.getByRole('menuitem', { name: 'Mark as unread' }).click();
	await expect(row(page, ana.name).getByTestId('unread-count')).toContainText('1');
	await expect.poll(() => badge(page)).toBe(1);
	await page.getByRole('button', { name: 'Unread', exact: true }).click();
	await expect(rows).toHaveCount(2);

	// The name filter, then nothing archived yet, with the way back.
	await page.getByRole('button', { name: 'All', exact: true }).click();
	await page.getByTestId('name-filter').fill(ben.name.split(' ')[1].toLowerCase());
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toContainText(ben.name);
	await page.getByTestId('name-filter').fill('');
	await expect(rows).toHaveCount(2);
	await page.getByRole('button', { name: 'Archived', exact: true }).click();
	await expect(page.getByTestId('list-empty')).toContainText('No archived conversations.');
	await page.getByRole('button', { name: 'Back to all conversations' }).click();
	await expect(rows).toHaveCount(2);

	// Unpin and unmute: the order is by recency again, and Ben counts in the badge again.
	await rowMenu(page, ana.name);
	await page.getByRole('menuitem', { name: 'Unpin' }).click();
	await expect(row(page, ana.name)).not.toHaveAttribute('data-pinned', '');
	await rowMenu(page, ben.name);
	await page.getByRole('menuitem', { name: 'Unmute' }).click();
	await expect.poll(() => badge(page)).toBe(4);
	await context.close();
});

test('search finds messages as you type, highlights the match as text, pages on, and opens the message', async ({
	browser
}) => {
	const trainer = await newTrainer('Seeker');
	const cleo = await newTraineeOf(trainer, 'Cleo');
	const t = tag();
	const target = await send(cleo.client, trainer.id, `Front squat${t} felt heavy <b>today</b>`);
	for (let i = 0; i < 21; i++) await send(trainer.client, cleo.id, `tempo${t} set ${i + 1}`);

	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	await signIn(page, trainer.email);
	await page.getByTestId('search-link').click();
	await expect(page.getByRole('heading', { name: 'Search messages' })).toBeVisible();

	// A prefix, in capitals: matched, and the message's own markup shown as text.
	await page.getByTestId('search-input').fill(`SQUAT${t.slice(0, 3)}`);
	const hits = page.getByTestId('search-hit');
	await expect(hits).toHaveCount(1);
	await expect(hits.first().locator('mark')).toHaveText(`squat${t}`);
	// The message's markup is never rendered as markup.
	await expect(hits.first()).toContainText('felt heavy');
	await expect(hits.first().locator('b')).toHaveCount(0);
	await expect(hits.first()).toContainText(cleo.name);

	// 21 hits: 20, then the rest after "More results".
	await page.getByTestId('search-input').fill(`tempo${t}`);
	await expect(hits).toHaveCount(20);
	await expect(hits.first()).toContainText(`set 21`);
	await page.getByRole('button', { name: 'More results' }).click();
	await expect(hits).toHaveCount(21);
	await expect(page.getByRole('button', { name: 'More results' })).toHaveCount(0);

	await page.getByTestId('search-input').fill(`nothing${t}`);
	await expect(page.getByTestId('search-status')).toHaveText(`No messages match “nothing${t}”.`);

	// A hit opens its conversation at that message.
	await page.getByTestId('search-input').fill(`squat${t}`);
	await hits.first().click();
	await expect(page).toHaveURL(new RegExp(`/messages/${target.conversation_id}\\?at=${target.id}$`));
	// (Scrolling to the message, 21 messages back, is the conversation view's part.)
	await expect(composer(page)).toBeVisible();
	// Back returns to the same results.
	await page.goBack();
	await expect(page.getByTestId('search-input')).toHaveValue(`squat${t}`);
	await expect(hits).toHaveCount(1);
	await context.close();
});
