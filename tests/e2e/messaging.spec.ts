import { expect, test, type Page } from '@playwright/test';
import {
	badge,
	clientFor,
	composer,
	conversations,
	demo,
	messageBubble,
	newTraineeOfCoach,
	openConversation,
	send,
	signedIn,
	tag
} from './support';

async function live(page: Page) {
	await expect(page.locator('section.chat[data-live="live"]')).toBeVisible();
}

test('coach and alex exchange messages in real time, with typing and ✓ then ✓✓', async ({ browser }) => {
	const coach = await signedIn(browser, demo.coach.email);
	const alex = await signedIn(browser, demo.alex.email);
	const t = tag();
	// Every channel join the coach's page sends, to show each channel is joined once.
	const joins: string[] = [];
	coach.page.on('websocket', (ws) =>
		ws.on('framesent', ({ payload }) => {
			const text = String(payload);
			if (text.includes('"phx_join"')) joins.push(/realtime:[\w:-]+/.exec(text)?.[0] ?? text);
		})
	);

	await openConversation(coach.page, conversations.coachAlex);
	await live(coach.page);

	// Alex is on the list, not in the conversation: the coach's message stays "sent" (✓).
	const first = `Morning Alex, ready for legs? ${t}`;
	await composer(coach.page).fill(first);
	await composer(coach.page).press('Enter');
	await expect(composer(coach.page)).toHaveValue('');
	const coachBubble = messageBubble(coach.page, first);
	await expect(coachBubble.getByTestId('receipt')).toHaveAttribute('data-state', 'sent');
	await expect(alex.page.getByTestId('conversation-row').first()).toContainText(first);

	// Alex opens it: it is read, and the coach sees ✓✓ without reloading.
	await alex.page.getByTestId('conversation-row').filter({ hasText: demo.coach.name }).click();
	await expect(messageBubble(alex.page, first)).toBeVisible();
	await live(alex.page);
	await expect(coachBubble.getByTestId('receipt')).toHaveAttribute('data-state', 'read');

	// Alex types: the coach sees it, then the reply arrives live and the indicator goes.
	const reply = `Ready! Bringing the belt ${t}`;
	// Typing clears within a second of the last keystroke, so the check runs while Alex still types.
	const typing = composer(alex.page).pressSequentially('Ready! Bringing the belt', { delay: 150 });
	await expect(coach.page.getByTestId('typing')).toHaveText(`${demo.alex.name} is typing…`);
	await typing;
	await composer(alex.page).fill(reply);
	await composer(alex.page).press('Enter');
	await expect(messageBubble(coach.page, reply)).toHaveCount(1);
	await expect(coach.page.getByTestId('typing')).toHaveCount(0);
	// The coach is looking at the conversation, so Alex's message is read at once.
	await expect(messageBubble(alex.page, reply).getByTestId('receipt')).toHaveAttribute('data-state', 'read');

	// Shift+Enter is a new line, not a send.
	await composer(coach.page).fill('Line one');
	await composer(coach.page).press('Shift+Enter');
	await composer(coach.page).pressSequentially(`line two ${t}`);
	await expect(composer(coach.page)).toHaveValue(`Line one\nline two ${t}`);
	await coach.page.getByRole('button', { name: 'Send' }).click();
	await expect(messageBubble(alex.page, `line two ${t}`)).toHaveCount(1);
	await expect(messageBubble(alex.page, `line two ${t}`).locator('.body')).toHaveText(
		`Line one\nline two ${t}`
	);
	await expect(messageBubble(coach.page, `line two ${t}`)).toHaveCount(1);

	// Sending, receiving and typing never re-joined a channel.
	expect(joins.filter((j) => j === `realtime:conversation:${conversations.coachAlex}`)).toHaveLength(1);
	expect(joins.filter((j) => j === `realtime:user:${demo.coach.id}`)).toHaveLength(1);

	await coach.context.close();
	await alex.context.close();
});

test('a draft is kept per conversation on the device', async ({ browser }) => {
	const coach = await signedIn(browser, demo.coach.email);
	await openConversation(coach.page, conversations.coachAlex);
	await composer(coach.page).fill('Half-written plan:\n- squats');
	await coach.page.getByTestId('conversation-row').filter({ hasText: demo.sam.name }).click();
	await expect(coach.page.getByRole('heading', { name: demo.sam.name })).toBeVisible();
	await expect(composer(coach.page)).toHaveValue('');
	await coach.page.getByTestId('conversation-row').filter({ hasText: demo.alex.name }).click();
	await expect(composer(coach.page)).toHaveValue('Half-written plan:\n- squats');
	await coach.page.reload();
	await expect(composer(coach.page)).toHaveValue('Half-written plan:\n- squats');
	await coach.context.close();
});

test('unread badge and list counts rise and fall live on the other side', async ({ browser }) => {
	const trainee = await newTraineeOfCoach('Robin');
	const coach = await signedIn(browser, demo.coach.email);
	await expect(coach.page.getByTestId('conversation-row').first()).toBeVisible();
	const before = await badge(coach.page);

	await send(trainee.client, demo.coach.id, 'First set done');
	await send(trainee.client, demo.coach.id, 'Second set done');
	const row = coach.page.getByTestId('conversation-row').filter({ hasText: trainee.name });
	await expect(row.getByTestId('unread-count')).toHaveText('2 unread');
	await expect(coach.page.getByTestId('conversation-row').first()).toContainText(trainee.name);
	await expect.poll(() => badge(coach.page)).toBe(before + 2);

	// Reading the conversation brings both back down.
	await row.click();
	await expect(messageBubble(coach.page, 'Second set done')).toBeVisible();
	await expect(row.getByTestId('unread-count')).toHaveCount(0);
	await expect.poll(() => badge(coach.page)).toBe(before);

	// And the other way: the trainee's badge follows the coach's reply.
	const other = await signedIn(browser, trainee.email);
	expect(await badge(other.page)).toBe(0);
	await composer(coach.page).fill('Nice work, rest 2 minutes');
	await composer(coach.page).press('Enter');
	await expect.poll(() => badge(other.page)).toBe(1);
	const traineeRow = other.page.getByTestId('conversation-row').filter({ hasText: demo.coach.name });
	await expect(traineeRow.getByTestId('unread-count')).toHaveText('1 unread');
	await traineeRow.click();
	await expect(messageBubble(other.page, 'Nice work, rest 2 minutes')).toBeVisible();
	await expect.poll(() => badge(other.page)).toBe(0);

	await coach.context.close();
	await other.context.close();
});

test('scrolling up loads the 80-message history 20 at a time, keeping the place', async ({ browser }) => {
	const coach = await signedIn(browser, demo.coach.email);
	await openConversation(coach.page, conversations.coachAlex);
	const scroller = coach.page.getByTestId('message-scroller');
	const bubbles = scroller.getByTestId('message');
	const seeded = scroller.locator('[data-testid="message"] .body').filter({ hasText: /\(#\d+\)$/ });
	await expect(bubbles.first()).toBeVisible();
	expect(await bubbles.count()).toBeLessThanOrEqual(40);

	for (let round = 0; round < 10; round++) {
		if ((await seeded.filter({ hasText: /\(#1\)$/ }).count()) > 0) break;
		const count = await bubbles.count();
		const topSeq = await bubbles.first().getAttribute('data-seq');
		await scroller.evaluate((el) => (el.scrollTop = 0));
		await expect.poll(() => bubbles.count()).toBeGreaterThan(count);
		expect((await bubbles.count()) - count).toBeLessThanOrEqual(20);
		// The message that was at the top is still on screen: the view did not jump.
		await expect(scroller.locator(`[data-seq="${topSeq}"]`)).toBeInViewport();
		expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
	}

	await expect(coach.page.getByText(/This is the start of your conversation/)).toBeVisible();
	const texts = await seeded.allInnerTexts();
	for (let n = 1; n <= 80; n++) {
		expect(
			texts.filter((text) => text.endsWith(`(#${n})`)),
			`message #${n} once`
		).toHaveLength(1);
	}
	const seqs = await bubbles.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
	expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
	await coach.context.close();
});

test('the composer counts from 1,800, blocks 2,001 and whitespace, and shows the rate limit after 30 sends', async ({
	browser
}) => {
	// Jordan and Riley: the 30-per-minute limit is per sender, so no other scenario is affected.
	const jordan = await signedIn(browser, demo.jordan.email);
	await openConversation(jordan.page, conversations.rivalJordan);
	await live(jordan.page);
	const input = composer(jordan.page);
	const sendButton = jordan.page.getByRole('button', { name: 'Send' });
	const counter = jordan.page.getByTestId('counter');

	await input.fill('a'.repeat(1799));
	await expect(counter).toHaveCount(0);
	await input.fill('a'.repeat(1800));
	await expect(counter).toHaveText('1800 / 2000');
	await input.fill('a'.repeat(2000));
	await expect(counter).toHaveText('2000 / 2000');
	await expect(sendButton).toBeEnabled();
	await input.fill('a'.repeat(2001));
	await expect(counter).toHaveText('2001 / 2000');
	await expect(sendButton).toBeDisabled();
	await expect(jordan.page.getByTestId('composer-error')).toHaveText(
		'A message can be at most 2,000 characters; some emoji count as several.'
	);
	await input.press('Enter');
	await expect(input).toHaveValue('a'.repeat(2001));

	await input.fill('   \n\t  ');
	await expect(sendButton).toBeDisabled();
	await input.press('Enter');
	await expect(jordan.page.getByTestId('composer-error')).toHaveText('Write something before sending.');
	await expect(jordan.page.getByTestId('message').filter({ hasText: 'aaaa' })).toHaveCount(0);

	const t = tag();
	for (let i = 1; i <= 31; i++) {
		await input.fill(`Set ${i} ${t}`);
		await input.press('Enter');
	}
	const mine = jordan.page.getByTestId('message').filter({ hasText: t });
	await expect(mine).toHaveCount(31);
	await expect(mine.locator('[data-state="sent"], [data-state="read"]')).toHaveCount(30, { timeout: 30_000 });
	const refused = messageBubble(jordan.page, `Set 31 ${t}`);
	await expect(refused.getByRole('alert')).toContainText(
		'You are sending too fast (at most 30 messages a minute)'
	);
	await expect(refused.getByRole('button', { name: 'Retry' })).toBeVisible();
	await jordan.context.close();
});

test('offline and back: messages sent meanwhile appear once, and the outbox is delivered once', async ({
	browser
}) => {
	const coach = await signedIn(browser, demo.coach.email);
	const alex = await signedIn(browser, demo.alex.email);
	await openConversation(coach.page, conversations.coachAlex);
	await openConversation(alex.page, conversations.coachAlex);
	await live(coach.page);
	await live(alex.page);
	const t = tag();

	await alex.context.setOffline(true);
	await expect(alex.page.getByText('Offline: new messages will be sent when you are back.')).toBeVisible();
	for (const text of [`While you were out 1 ${t}`, `While you were out 2 ${t}`]) {
		await composer(coach.page).fill(text);
		await composer(coach.page).press('Enter');
		await expect(messageBubble(coach.page, text).getByTestId('receipt')).toHaveAttribute(
			'data-state',
			/sent|read/
		);
	}
	const fromAlex = `Written on the train ${t}`;
	await composer(alex.page).fill(fromAlex);
	await composer(alex.page).press('Enter');
	await expect(messageBubble(alex.page, fromAlex).getByTestId('receipt')).toHaveAttribute(
		'data-state',
		'offline'
	);

	await alex.context.setOffline(false);
	for (const text of [`While you were out 1 ${t}`, `While you were out 2 ${t}`]) {
		await expect(messageBubble(alex.page, text)).toHaveCount(1);
	}
	await expect(messageBubble(alex.page, fromAlex).getByTestId('receipt')).toHaveAttribute(
		'data-state',
		/sent|read/
	);
	await expect(messageBubble(coach.page, fromAlex)).toHaveCount(1);

	// Nothing doubled, on screen or in the database, after things settle.
	await alex.page.waitForTimeout(1500);
	await expect(messageBubble(alex.page, t)).toHaveCount(3);
	await expect(messageBubble(coach.page, t)).toHaveCount(3);
	const api = await clientFor(demo.alex.email);
	const { data } = await api
		.from('messages')
		.select('id')
		.eq('conversation_id', conversations.coachAlex)
		.like('body', `%${t}`);
	expect(data).toHaveLength(3);

	await coach.context.close();
	await alex.context.close();
});

test('the conversation list loads older conversations as it is scrolled (keyset pages of 30)', async ({
	browser
}) => {
	// 32 new trainees write to the coach: with the seeded ones that is more than a page.
	const t = tag();
	const trainees = [];
	for (let i = 0; i < 32; i++) trainees.push(await newTraineeOfCoach(`Pager${i}x${t}`));
	for (const trainee of trainees) await send(trainee.client, demo.coach.id, `Checking in ${t}`);

	const coach = await signedIn(browser, demo.coach.email);
	const rows = coach.page.getByTestId('conversation-row');
	await expect(rows.first()).toBeVisible();
	expect(await rows.count()).toBe(30);
	// Newest first: the last trainee to write is at the top.
	await expect(rows.first()).toContainText(trainees[31].name);

	await rows.last().scrollIntoViewIfNeeded();
	await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(34);
	const names = await rows.locator('.name').allInnerTexts();
	expect(new Set(names).size).toBe(names.length);
	for (const trainee of trainees) expect(names).toContain(trainee.name);
	expect(names).toContain(demo.alex.name);
	expect(names).toContain(demo.sam.name);
	await coach.context.close();
});
