// The account data calls against localbase with the demo seed: the export, read a keyset page at
// a time, and the invitation calls the Trainees page and the sign-up form make.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as account from '$lib/data/account';
import * as invitations from '$lib/data/invitations';
import type { Supabase } from '$lib/supabase/types';
import {
	createTestClient,
	demoPassword,
	demoUsers,
	startTestLocalbase,
	wellKnown,
	type TestLocalbase
} from '../localbase/harness';

const coachAlex = '20000000-0000-4000-8000-000000000001';
const coachSam = '20000000-0000-4000-8000-000000000002';
const alexId = '10000000-0000-4000-8000-000000000002';

let lb: TestLocalbase;

async function signedIn(email: string): Promise<{ client: Supabase; id: string }> {
	const client = createTestClient(lb.url, wellKnown.publishableKey) as unknown as Supabase;
	const { data, error } = await client.auth.signInWithPassword({ email, password: demoPassword });
	if (error) throw error;
	return { client, id: data.user.id };
}

async function text(pieces: AsyncGenerator<string>): Promise<string> {
	let all = '';
	for await (const piece of pieces) all += piece;
	return all;
}

beforeAll(async () => {
	lb = await startTestLocalbase({ seed: true });
});

afterAll(async () => {
	await lb?.close();
});

describe('the export', () => {
	test('is one JSON document with my profile and every message of every conversation, page after page', async () => {
		const coach = await signedIn(demoUsers.coach);
		const pieces = account.exportJson(
			coach.client,
			{ user: { id: coach.id, email: demoUsers.coach, created_at: '2026-01-01T00:00:00Z' } },
			{ pageSize: 7 }
		);
		const file = JSON.parse(await text(pieces));
		expect(file.profile).toMatchObject({ id: coach.id, role: 'trainer' });
		expect(file.account).toEqual({
			id: coach.id,
			email: demoUsers.coach,
			created_at: '2026-01-01T00:00:00Z'
		});
		const byId = new Map(file.conversations.map((c: { id: string }) => [c.id, c]));
		expect([...byId.keys()].sort()).toEqual([coachAlex, coachSam]);
		const withAlex = byId.get(coachAlex) as {
			with: { id: string };
			messages: { seq: number; from_me: boolean }[];
		};
		expect(withAlex.with.id).toBe(alexId);
		// 80 messages over 12 pages of 7: each once, newest first.
		expect(withAlex.messages.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => 80 - i));
		expect(withAlex.messages.filter((m) => m.from_me)).toHaveLength(40);
	});

	test('stops with an error, never a file that looks whole, when a page cannot be read', async () => {
		const signedOut = createTestClient(lb.url, wellKnown.publishableKey) as unknown as Supabase;
		const pieces = account.exportJson(signedOut, { user: { id: alexId, email: '', created_at: '' } });
		await expect(text(pieces)).rejects.toThrow();
	});
});

describe('invitations on the Trainees page and the sign-up form', () => {
	test('a trainer’s live codes come a keyset page at a time, newest first, each once; withdrawn ones leave', async () => {
		const rival = await signedIn(demoUsers.rival);
		const made: string[] = [];
		for (let i = 0; i < invitations.PAGE_SIZE + 2; i++) {
			const created = await invitations.create(rival.client, { maxUses: 3, validDays: 7 });
			if (!created.ok) throw new Error(created.error.message);
			expect(created.data).toMatchObject({ max_uses: 3, use_count: 0, revoked_at: null });
			made.push(created.data.code);
		}
		const seen: string[] = [];
		let cursor: invitations.InvitationCursor | undefined;
		for (;;) {
			const page = await invitations.active(rival.client, cursor);
			if (!page.ok) throw new Error(page.error.message);
			seen.push(...page.data.map((i) => i.code));
			if (page.data.length < invitations.PAGE_SIZE) break;
			const last = page.data.at(-1)!;
			cursor = { createdAt: last.created_at, code: last.code };
		}
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen).toEqual(expect.arrayContaining([...made, 'RYLEE234']));

		const withdrawn = await invitations.revoke(rival.client, made[0]);
		expect(withdrawn.ok && withdrawn.data.revoked_at).toBeTruthy();
		const first = await invitations.active(rival.client);
		expect(first.ok && first.data.map((i) => i.code)).not.toContain(made[0]);
		const anon = createTestClient(lb.url, wellKnown.publishableKey) as unknown as Supabase;
		expect(await invitations.check(anon, made[0])).toEqual({ ok: true, data: 'revoked' });
		expect(await invitations.check(anon, made[1].toLowerCase())).toEqual({ ok: true, data: 'valid' });
	});

	test('withdrawing a code that is not mine is refused in words', async () => {
		const coach = await signedIn(demoUsers.coach);
		const result = await invitations.revoke(coach.client, 'RYLEE234');
		expect(result).toMatchObject({ ok: false, error: { code: 'SP010' } });
	});
});
