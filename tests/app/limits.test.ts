// What the app's data layer tells the user when the server refuses a body: too large (413) is an
// answer with its own sentence, never "You are offline"; a NUL character the database cannot
// store (22P05) is a clear refusal that retrying cannot fix.
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as messages from '$lib/data/messages';
import type { Supabase } from '$lib/supabase/types';
import {
	createTestClient,
	demoPassword,
	demoUsers,
	startTestLocalbase,
	wellKnown,
	type TestLocalbase
} from '../localbase/harness';

const coachId = '10000000-0000-4000-8000-000000000001';

let lb: TestLocalbase;
let alex: Supabase;

beforeAll(async () => {
	lb = await startTestLocalbase({ seed: true });
	const client = createTestClient(lb.url, wellKnown.publishableKey);
	const { error } = await client.auth.signInWithPassword({ email: demoUsers.alex, password: demoPassword });
	if (error) throw error;
	alex = client as unknown as Supabase;
});
afterAll(async () => {
	await lb?.close();
});

test('a send over the server’s body limit is "too large", not offline, and not worth retrying', async () => {
	const body = 'x'.repeat(lb.lb.config.maxBodyBytes + 1);
	const result = await messages.send(alex, { recipientId: coachId, body, id: crypto.randomUUID() });
	expect(result.ok).toBe(false);
	expect(!result.ok && result.error).toEqual({
		code: 'too-large',
		message: 'This is too large to send. Make it shorter and try again.',
		retryable: false
	});
});

test('a body with a NUL character sent by another client is refused with a sentence that says why, not retryable', async () => {
	const result = await messages.send(alex, {
		recipientId: coachId,
		body: 'a\u0000b',
		id: crypto.randomUUID()
	});
	expect(!result.ok && result.error.code).toBe('22P05');
	expect(!result.ok && result.error.message).toMatch(/NUL character/);
	expect(!result.ok && result.error.retryable).toBe(false);
});
