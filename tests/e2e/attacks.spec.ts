// The other side as an adversary, from the victim's browser: what the page shows and what the
// device keeps (IndexedDB) stay the database's truth whatever arrives over realtime; a conversation
// archived while both sides have it open turns read-only on both and its channel is left; the
// composer refuses blank bodies of every kind and drops the NUL character the database cannot
// store.
//
// Clients cannot broadcast on a conversation topic (the realtime policies allow them presence
// only; tests/localbase/realtime-attacks.test.ts proves it from the receiving client). So the
// forged events here are sent with the service-role key, which bypasses those policies: it stands
// in for an attacker who found a way to broadcast anyway (a policy mistake, a leaked key), so that
// the app's own defence is tested on its own.
import { createClient } from '@supabase/supabase-js';
import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { apiUrl } from '../../playwright.config';
import {
	checkScreen,
	clientFor,
	composer,
	demo,
	messageBubble,
	newTraineeOfCoach,
	openConversation,
	send,
	signedIn
} from './support';

const secretKey = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

interface Row {
	id: string;
	conversation_id: string;
	seq: number;
	sender_id: string | null;
	body: string;
	created_at: string;
	read_at: string | null;
}

/** Broadcasts `event` on the conversation's private topic as the service role (see the top). */
async function broadcastAsAttacker(conversationId: string, event: string, payload: Record<string, unknown>) {
	const attacker = createClient(apiUrl, secretKey, {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: WebSocket as never }
	});
	const channel = attacker.channel(`conversation:${conversationId}`, { config: { private: true } });
	await channel.httpSend(event, payload);
	await attacker.removeAllChannels();
}

/** The messages this device keeps for the conversation (IndexedDB "spotter", store last-seen). */
function deviceCopy(page: Page, userId: string, conversationId: string): Promise<Row[]> {
	return page.evaluate(
		([user, conversation]) =>
			new Promise<Row[]>((resolve, reject) => {
				const open = indexedDB.open('spotter');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const get = open.result
						.transaction('last-seen')
						.objectStore('last-seen')
						.get([user, 'messages', conversation]);
					get.onsuccess = () => resolve((get.result as Row[] | undefined) ?? []);
					get.onerror = () => reject(get.error);
				};
			}),
		[userId, conversationId] as const
	);
}

async function live(page: Page) {
	await expect(page.locator('section.chat[data-live="live"]')).toBeVisible();
}

test('a forged message_created with a reused id and a forged messages_read change nothing the victim sees or keeps', async ({
	browser
}) => {
	const trainee = await newTraineeOfCoach('Quinn');
	const real = await send(trainee.client, demo.coach.id, 'Squats done, 5x5');
	const coach = await signedIn(browser, demo.coach.email);
	await openConversation(coach.page, real.conversation_id);
	await live(coach.page);
	await expect(messageBubble(coach.page, 'Squats done, 5x5')).toBeVisible();
	await composer(coach.page).fill('Great, rest tomorrow');
	await composer(coach.page).press('Enter');
	const reply = messageBubble(coach.page, 'Great, rest tomorrow');
	await expect(reply.getByTestId('receipt')).toHaveAttribute('data-state', 'sent');
	const kept = await deviceCopy(coach.page, demo.coach.id, real.conversation_id);
	const stored = kept.find((m) => m.id === real.id)!;
	expect(stored.body).toBe('Squats done, 5x5');

	// The same id with other words, then "read up to everything" the trainee never did.
	const catchUp = coach.page.waitForRequest(/\/rest\/v1\/rpc\/list_messages/);
	await broadcastAsAttacker(real.conversation_id, 'message_created', {
		message: { ...stored, body: 'I quit. Find another trainee.' }
	});
	await catchUp;
	const receiptCheck = coach.page.waitForRequest(/\/rest\/v1\/rpc\/list_messages/);
	await broadcastAsAttacker(real.conversation_id, 'messages_read', {
		conversation_id: real.conversation_id,
		reader_id: trainee.id,
		up_to_seq: 1000,
		read_at: new Date().toISOString(),
		count: 2
	});
	await receiptCheck;
	await coach.page.waitForTimeout(500);

	await expect(messageBubble(coach.page, 'Squats done, 5x5')).toHaveCount(1);
	await expect(messageBubble(coach.page, 'I quit')).toHaveCount(0);
	await expect(reply.getByTestId('receipt')).toHaveAttribute('data-state', 'sent');
	const after = await deviceCopy(coach.page, demo.coach.id, real.conversation_id);
	expect(after.find((m) => m.id === real.id)?.body).toBe('Squats done, 5x5');
	expect(after.some((m) => m.body.includes('I quit'))).toBe(false);
	expect(after.filter((m) => m.sender_id === demo.coach.id).map((m) => m.read_at)).toEqual([null]);
	await coach.context.close();
});

test('a forged message shown because it looked like the next one is gone from the page and the device after the next catch-up', async ({
	browser
}) => {
	const trainee = await newTraineeOfCoach('Rowan');
	const real = await send(trainee.client, demo.coach.id, 'Deadlift at 120 today');
	const coach = await signedIn(browser, demo.coach.email);
	await openConversation(coach.page, real.conversation_id);
	await live(coach.page);

	// A new id at the next seq is consistent with what is held: the page may show it at once.
	await broadcastAsAttacker(real.conversation_id, 'message_created', {
		message: {
			id: crypto.randomUUID(),
			conversation_id: real.conversation_id,
			seq: real.seq + 1,
			sender_id: trainee.id,
			body: 'Send me your password',
			created_at: new Date().toISOString(),
			read_at: null
		}
	});
	await expect(messageBubble(coach.page, 'Send me your password')).toBeVisible();
	await expect
		.poll(async () =>
			(await deviceCopy(coach.page, demo.coach.id, real.conversation_id)).some((m) =>
				m.body.includes('password')
			)
		)
		.toBe(true);

	// The next (re)join reads the database from the oldest unchecked message and rewrites both.
	await coach.page.reload();
	await live(coach.page);
	await expect(messageBubble(coach.page, 'Deadlift at 120 today')).toBeVisible();
	await expect(messageBubble(coach.page, 'Send me your password')).toHaveCount(0);
	await expect
		.poll(async () => (await deviceCopy(coach.page, demo.coach.id, real.conversation_id)).map((m) => m.body))
		.toEqual(['Deadlift at 120 today']);
	await coach.context.close();
});

test('when the trainer removes the trainee, both open chats turn read-only at once and leave the channel for good', async ({
	browser
}) => {
	const trainee = await newTraineeOfCoach('Sky');
	const real = await send(trainee.client, demo.coach.id, 'See you Monday');
	const topic = `realtime:conversation:${real.conversation_id}`;
	const coach = await signedIn(browser, demo.coach.email);
	const other = await signedIn(browser, trainee.email);
	/** Frames on the conversation topic after the removal: event names, sent (>) and received (<). */
	const frames = new Map<Page, string[]>();
	let removed = false;
	for (const page of [coach.page, other.page]) {
		const seen: string[] = [];
		frames.set(page, seen);
		page.on('websocket', (ws) => {
			const record =
				(direction: string) =>
				({ payload }: { payload: string | Buffer }) => {
					const text = String(payload);
					if (!removed || !text.includes(topic)) return;
					const event = /"(phx_\w+|system|access_changed|presence|broadcast)"/.exec(text)?.[1] ?? '?';
					seen.push(`${direction}${event}`);
				};
			ws.on('framesent', record('>'));
			ws.on('framereceived', record('<'));
		});
	}
	await openConversation(coach.page, real.conversation_id);
	await openConversation(other.page, real.conversation_id);
	await live(coach.page);
	await live(other.page);

	removed = true;
	const { error } = await (
		await clientFor(demo.coach.email)
	).rpc('remove_trainee', { trainee_id: trainee.id });
	expect(error).toBeNull();

	for (const [page, otherName] of [
		[coach.page, trainee.name],
		[other.page, demo.coach.name]
	] as const) {
		await expect(page.getByTestId('archived-banner')).toHaveText(
			`Read-only: you and ${otherName} are no longer linked.`
		);
		await expect(composer(page)).toHaveCount(0);
	}
	// Nothing joins the topic again afterwards (no rejoin loop against a refused topic).
	await other.page.setViewportSize({ width: 375, height: 740 });
	expect(await checkScreen(other.page, 'archived-while-open')).toEqual([]);
	await coach.page.waitForTimeout(3000);
	for (const page of [coach.page, other.page]) {
		const seen = frames.get(page)!;
		expect(
			seen.some((f) => f === '>phx_leave' || f === '<phx_close'),
			seen.join(' ')
		).toBe(true);
		expect(
			seen.filter((f) => f === '>phx_join'),
			seen.join(' ')
		).toEqual([]);
	}
	await coach.context.close();
	await other.context.close();
});

test('the composer refuses a body of every blank kind, drops NUL, and says emoji count as several', async ({
	browser
}) => {
	const trainee = await newTraineeOfCoach('Tate');
	const real = await send(trainee.client, demo.coach.id, 'Ready for the plan');
	const coach = await signedIn(browser, demo.coach.email);
	await openConversation(coach.page, real.conversation_id);
	await live(coach.page);
	const input = composer(coach.page);
	const sendButton = coach.page.getByRole('button', { name: 'Send' });

	const blanks = {
		'Unicode spaces': '\u3000\u2003\u00a0 \u205f',
		'format characters': '\u200b\u200d\u200c\ufeff\u2060\u180e\u{e0020}',
		'invisible fillers': '\u3164\u115f\u2800\uffa0'
	};
	for (const [kind, body] of Object.entries(blanks)) {
		await input.fill(body);
		await expect(sendButton, kind).toBeDisabled();
		await input.press('Enter');
		await expect(coach.page.getByTestId('composer-error'), kind).toHaveText(
			'Write something before sending.'
		);
	}

	await input.fill('Week 2:\u0000 add pull-ups');
	await input.press('Enter');
	await expect(messageBubble(coach.page, 'Week 2: add pull-ups').getByTestId('receipt')).toHaveAttribute(
		'data-state',
		/sent|read/
	);
	const { data } = await trainee.client
		.from('messages')
		.select('body')
		.eq('conversation_id', real.conversation_id)
		.like('body', 'Week 2%');
	expect(data).toEqual([{ body: 'Week 2: add pull-ups' }]);

	// A family emoji is five code points: 361 of them are 1,805 characters to the database, and the
	// counter says why it runs ahead; 401 are 2,005, over the limit, and the error says it.
	const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}';
	await input.fill(family.repeat(361));
	await expect(coach.page.getByTestId('counter')).toHaveText('1805 / 2000');
	await expect(coach.page.getByTestId('counter-note')).toHaveText('Some emoji count as several characters.');
	await expect(sendButton).toBeEnabled();
	const nearly = await checkScreen(coach.page, 'composer-emoji-count');
	await input.fill(family.repeat(401));
	await expect(coach.page.getByTestId('counter')).toHaveText('2005 / 2000');
	await expect(coach.page.getByTestId('composer-error')).toHaveText(
		'A message can be at most 2,000 characters; some emoji count as several.'
	);
	await expect(coach.page.getByTestId('counter-note')).toHaveCount(0);
	await expect(sendButton).toBeDisabled();

	// How it looks, wide and on a phone, and that it stays accessible (axe).
	const violations = [...nearly, ...(await checkScreen(coach.page, 'composer-too-long'))];
	await coach.page.setViewportSize({ width: 375, height: 740 });
	violations.push(...(await checkScreen(coach.page, 'composer-too-long')));
	await input.fill(family.repeat(361));
	await expect(coach.page.getByTestId('counter-note')).toBeVisible();
	violations.push(...(await checkScreen(coach.page, 'composer-emoji-count')));
	expect(violations).toEqual([]);
	await coach.context.close();
});
