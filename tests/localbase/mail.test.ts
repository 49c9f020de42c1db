// The mail catcher as a Mailpit client uses it: the JSON API (list newest first, one message with
// its text and HTML, search by recipient, delete some or all, readiness) and the web inbox, with
// mail Supabase Auth sends through supabase-js.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startLocalbase } from '../../localbase/server.ts';
import { createTestDatabase } from '../support/database.ts';
import { createTestClient, startTestLocalbase, wellKnown, type TestLocalbase } from './harness.ts';
import { clearInbox, getMail, type MailList } from './mail-support.ts';

let t: TestLocalbase;
let n = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${n++}@inbox.test`;

async function send(email = uniqueEmail('to'), display_name = 'Mo Mail') {
	const { error } = await createTestClient(t.url, wellKnown.publishableKey).auth.signUp({
		email,
		password: 'correct-horse',
		options: { data: { display_name } }
	});
	expect(error).toBeNull();
	return email;
}

const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
	const res = await fetch(`${t.mailUrl}${path}`, init);
	expect(res.status).toBe(200);
	return (await res.json()) as T;
};

beforeAll(async () => {
	t = await startTestLocalbase();
});
afterAll(async () => {
	await t?.close();
});
beforeEach(async () => {
	await clearInbox(t.mailUrl);
});

describe('the Mailpit-shaped API', () => {
	test('GET /api/v1/messages lists messages newest first with their summary fields and counts', async () => {
		const first = await send();
		const second = await send();
		const list = await api<MailList>('/api/v1/messages');
		expect(list).toMatchObject({ total: 2, unread: 2, count: 2, messages_count: 2, start: 0 });
		expect(list.messages.map((m) => m.To[0].Address)).toEqual([second, first]);
		const [newest] = list.messages;
		expect(newest).toMatchObject({
			ID: expect.stringMatching(/^[0-9A-Za-z]{22}$/),
			From: { Name: 'Admin', Address: 'admin@email.com' },
			To: [{ Name: '', Address: second }],
			Subject: 'Confirm your email for Spotter',
			Read: false
		});
		expect(new Date(newest.Created).getTime()).toBeGreaterThanOrEqual(
			new Date(list.messages[1].Created).getTime()
		);
		expect(newest.Size).toBeGreaterThan(newest.Subject.length);
	});

	test('start and limit page the list', async () => {
		for (let i = 0; i < 3; i++) await send();
		const page = await api<MailList>('/api/v1/messages?start=1&limit=1');
		expect(page).toMatchObject({ total: 3, count: 1, start: 1 });
		const all = await api<MailList>('/api/v1/messages');
		expect(page.messages[0].ID).toBe(all.messages[1].ID);
	});

	test('GET /api/v1/message/{ID} has the HTML, a text part derived from it, and marks the message read', async () => {
		const email = await send(uniqueEmail('read'), 'Rae Reader');
		const [summary] = (await api<MailList>('/api/v1/messages')).messages;
		const message = await getMail(t.mailUrl, summary.ID);
		expect(message.To[0].Address).toBe(email);
		expect(message.HTML).toContain('<html');
		expect(message.HTML).toContain('Hi Rae Reader, welcome to Spotter.');
		expect(message.Text).not.toContain('<');
		expect(message.Text).toContain('Hi Rae Reader, welcome to Spotter.');
		expect(message.Text).toMatch(
			/http:\/\/localhost:5173\/auth\/confirm\?token_hash=[0-9a-f]{56}&type=email&next=\/messages/
		);
		expect((await api<MailList>('/api/v1/messages')).unread).toBe(0);
		expect((await getMail(t.mailUrl, 'latest')).ID).toBe(summary.ID);
	});

	test('an unknown message id answers 404', async () => {
		const res = await fetch(`${t.mailUrl}/api/v1/message/nope`);
		expect(res.status).toBe(404);
	});

	test('GET /api/v1/search?query=to:… finds the messages to that address only', async () => {
		const wanted = await send(uniqueEmail('wanted'));
		await send(uniqueEmail('other'));
		const found = await api<MailList>(`/api/v1/search?query=${encodeURIComponent(`to:${wanted}`)}`);
		expect(found.messages.map((m) => m.To[0].Address)).toEqual([wanted]);
		expect(found).toMatchObject({ total: 2, count: 1, messages_count: 1 });
		const none = await api<MailList>(`/api/v1/search?query=${encodeURIComponent('to:nobody@inbox.test')}`);
		expect(none.messages).toEqual([]);
		const bySubject = await api<MailList>(
			`/api/v1/search?query=${encodeURIComponent('subject:"Confirm your email"')}`
		);
		expect(bySubject.count).toBe(2);
		const negated = await api<MailList>(`/api/v1/search?query=${encodeURIComponent(`-to:${wanted}`)}`);
		expect(negated.messages.map((m) => m.To[0].Address)).not.toContain(wanted);
		const empty = await fetch(`${t.mailUrl}/api/v1/search?query=`);
		expect(empty.status).toBe(400);
	});

	test('DELETE /api/v1/messages with IDs deletes those, and with none deletes all', async () => {
		await send();
		await send();
		const [keep, drop] = (await api<MailList>('/api/v1/messages')).messages;
		const some = await fetch(`${t.mailUrl}/api/v1/messages`, {
			method: 'DELETE',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ IDs: [drop.ID] })
		});
		expect(some.status).toBe(200);
		expect((await api<MailList>('/api/v1/messages')).messages.map((m) => m.ID)).toEqual([keep.ID]);
		const lowerCase = await fetch(`${t.mailUrl}/api/v1/messages`, {
			method: 'DELETE',
			body: JSON.stringify({ ids: [] })
		});
		expect(lowerCase.status).toBe(200);
		expect((await api<MailList>('/api/v1/messages')).total).toBe(0);
		const bad = await fetch(`${t.mailUrl}/api/v1/messages`, { method: 'DELETE', body: '{"IDs": "all"}' });
		expect(bad.status).toBe(400);
	});

	test('GET /readyz answers 200 while the catcher runs', async () => {
		const res = await fetch(`${t.mailUrl}/readyz`);
		expect(res.status).toBe(200);
	});
});

describe('the web inbox', () => {
	test('the inbox lists each message with its recipient, subject and links', async () => {
		const email = await send();
		const html = await (await fetch(`${t.mailUrl}/`)).text();
		expect(html).toContain(email);
		expect(html).toContain('Confirm your email for Spotter');
		expect(html).toMatch(
			/href="http:\/\/localhost:5173\/auth\/confirm\?token_hash=[0-9a-f]{56}&amp;type=email&amp;next=\/messages"/
		);
	});

	test('a message page shows the HTML in a sandboxed frame and the text, escaped', async () => {
		await send(uniqueEmail('esc'), '<img src=x onerror=alert(1)>');
		const [summary] = (await api<MailList>('/api/v1/messages')).messages;
		const page = await (await fetch(`${t.mailUrl}/view/${summary.ID}`)).text();
		expect(page).toContain('<iframe title="The message as HTML" sandbox=');
		expect(page).not.toContain('<img src=x');
		expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
	});
});

describe('ports', () => {
	test('a localbase asked for any free API port serves its inbox on a free port too, not 54324', async () => {
		const database = await createTestDatabase('platform');
		const lb = await startLocalbase({ db: database.db, seed: false, config: { port: 0 } });
		try {
			const port = Number(new URL(lb.mailUrl!).port);
			expect(port).not.toBe(54324);
			expect(port).toBeGreaterThan(0);
			expect((await fetch(`${lb.mailUrl}/readyz`)).status).toBe(200);
		} finally {
			await lb.close();
			await database.release();
		}
	});
});
