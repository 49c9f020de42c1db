// A localbase for the storage conformance suites: the demo accounts (seed), a policy set written in
// the test itself — users write only under their own folder, an object is readable, replaceable and
// removable by its owner — and object files in a folder the test can look into.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { expect } from 'vitest';
import {
	createTestClient,
	demoUsers,
	mintAccessToken,
	startTestLocalbase,
	userIdOf,
	wellKnown,
	type TestLocalbase
} from './harness.ts';

export { wellKnown };

/** The test's own bucket, so the policies below meet none of the app's (which name its buckets). */
export const bucket = 'conformance';

/** The policies hosted projects write for "a folder per user"; the app's own come with its migrations. */
export const testPolicies = `
	insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
	values ('${bucket}', '${bucket}', false, 16777216, array['text/*', 'image/png', 'video/mp4', 'application/octet-stream']);
	create policy "conformance: users upload under their own folder" on storage.objects for insert to authenticated
		with check (bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text);
	create policy "conformance: owners read their objects" on storage.objects for select to authenticated
		using (bucket_id = '${bucket}' and owner_id = (select auth.uid())::text);
	create policy "conformance: owners replace their objects" on storage.objects for update to authenticated
		using (bucket_id = '${bucket}' and owner_id = (select auth.uid())::text)
		with check (bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text);
	create policy "conformance: owners remove their objects" on storage.objects for delete to authenticated
		using (bucket_id = '${bucket}' and owner_id = (select auth.uid())::text);
`;

export interface Person {
	id: string;
	token: string;
	client: SupabaseClient;
}

export interface StorageHarness {
	t: TestLocalbase;
	url: string;
	/** Where the object files are (LOCALBASE_STORAGE_DIR for this localbase). */
	dir: string;
	admin: SupabaseClient;
	anon: SupabaseClient;
	coach: Person;
	alex: Person;
	close(): Promise<void>;
}

/** Starts the localbase with extra environment for its storage settings (restored afterwards). */
export async function startStorageHarness(env: Record<string, string> = {}): Promise<StorageHarness> {
	const dir = await mkdtemp(path.join(tmpdir(), 'spotter-storage-test-'));
	const saved = new Map<string, string | undefined>();
	for (const [name, value] of Object.entries({ LOCALBASE_STORAGE_DIR: dir, ...env })) {
		saved.set(name, process.env[name]);
		process.env[name] = value;
	}
	let t: TestLocalbase;
	try {
		t = await startTestLocalbase({ seed: true });
	} finally {
		for (const [name, value] of saved) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	}
	await t.lb.db.exec(testPolicies);
	const person = async (email: string): Promise<Person> => {
		const id = await userIdOf(t.lb, email);
		const token = await mintAccessToken(t.lb, id);
		return { id, token, client: createTestClient(t.url, wellKnown.publishableKey, token) };
	};
	return {
		t,
		url: t.url,
		dir,
		admin: createTestClient(t.url, wellKnown.secretKey),
		anon: createTestClient(t.url, wellKnown.publishableKey),
		coach: await person(demoUsers.coach),
		alex: await person(demoUsers.alex),
		close: async () => {
			await t.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}

export interface ObjectState {
	id: string;
	owner: string | null;
	owner_id: string | null;
	version: string;
	metadata: Record<string, unknown>;
	user_metadata: Record<string, unknown> | null;
	path_tokens: string[];
}

/** The storage.objects row, read as the platform (no RLS), or undefined. */
export async function objectRow(
	h: StorageHarness,
	bucket: string,
	name: string
): Promise<ObjectState | undefined> {
	const { rows } = await h.t.lb.db.query<ObjectState>(
		`select id, owner, owner_id, version, metadata, user_metadata, path_tokens
		 from storage.objects where bucket_id = $1 and name = $2`,
		[bucket, name]
	);
	return rows[0];
}

export async function fileExists(h: StorageHarness, version: string): Promise<boolean> {
	return stat(path.join(h.dir, 'objects', version)).then(
		() => true,
		() => false
	);
}

/** Asserts a storage-js error carries the Storage API's fields. */
export function expectStorageError(
	error: unknown,
	expected: { status?: number; statusCode: string; code: string; message?: string | RegExp }
): void {
	expect(error).toBeTruthy();
	const e = error as { status?: number; statusCode?: string; code?: string; message?: string };
	expect({ status: e.status, statusCode: e.statusCode, code: e.code }).toEqual({
		status: expected.status ?? 400,
		statusCode: expected.statusCode,
		code: expected.code
	});
	if (expected.message instanceof RegExp) expect(e.message).toMatch(expected.message);
	else if (expected.message) expect(e.message).toBe(expected.message);
}
