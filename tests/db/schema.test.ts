// Guards over the whole schema: RLS on every table, comments for admins, functions locked down.
// They catch the table or function a future migration forgets, not just today's.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;

beforeAll(async () => {
	t = await createTestDatabase('schema');
});
afterAll(async () => {
	await t?.release();
});

const q = <T = Record<string, unknown>>(sql: string) => t.db.query<T>(sql).then((r) => r.rows);

describe('row-level security', () => {
	test('the schemas hold the tables this suite knows about, so the guards below cover something', async () => {
		const tables = await q<{ name: string }>(
			`select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname in ('public', 'private') and c.relkind in ('r', 'p') order by 1`
		);
		expect(tables.map((r) => r.name)).toEqual([
			'private.deleted_messages',
			'private.error_codes',
			'private.message_search',
			'private.message_versions',
			'private.push_deliveries',
			'private.push_outbox',
			'private.storage_removals',
			'private.unread_totals',
			'public.broadcasts',
			'public.conversation_settings',
			'public.conversations',
			'public.invitation_redemptions',
			'public.invitations',
			'public.last_seen',
			'public.message_attachments',
			'public.message_reactions',
			'public.messages',
			'public.profiles',
			'public.push_subscriptions',
			'public.saved_replies',
			'public.scheduled_broadcasts',
			'public.scheduled_messages',
			'public.trainee_notes'
		]);
	});

	test('every table in public and private has row-level security enabled', async () => {
		const off = await q<{ name: string }>(
			`select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname in ('public', 'private') and c.relkind in ('r', 'p') and not c.relrowsecurity`
		);
		expect(off).toEqual([]);
	});

	test('realtime.messages has row-level security enabled, so private channels are authorized by policy', async () => {
		const [row] = await q<{ relrowsecurity: boolean }>(
			`select relrowsecurity from pg_class where oid = 'realtime.messages'::regclass`
		);
		expect(row.relrowsecurity).toBe(true);
	});

	test('a table with no policy says in its comment that it is server-only', async () => {
		const rows = await q<{ name: string; comment: string | null }>(
			`select n.nspname || '.' || c.relname as name, obj_description(c.oid, 'pg_class') as comment
			 from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')
			   and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`
		);
		expect(rows.map((r) => r.name).sort()).toEqual([
			'private.deleted_messages',
			'private.error_codes',
			'private.message_search',
			'private.message_versions',
			'private.push_deliveries',
			'private.push_outbox',
			'private.storage_removals'
		]);
		for (const row of rows) expect(row.comment).toMatch(/server-only/i);
	});

	test('every policy is granted to authenticated only, never to anon or public', async () => {
		const rows = await q<{ name: string; roles: string[] }>(
			`select polrelid::regclass::text || ': ' || polname as name,
			        array(select rolname from pg_roles where oid = any(polroles) order by 1)::text[] as roles
			 from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname in ('public', 'private', 'realtime')`
		);
		expect(rows.length).toBeGreaterThan(10);
		for (const row of rows)
			expect({ name: row.name, roles: row.roles }).toEqual({ name: row.name, roles: ['authenticated'] });
	});

	test('anon has no privilege on any Spotter table, only the status column of the invitation lookup check_invitation reads', async () => {
		const rows = await q<{ name: string; privilege: string }>(
			`select table_schema || '.' || table_name as name, privilege_type as privilege
			 from information_schema.role_table_grants
			 where grantee = 'anon' and table_schema in ('public', 'private')`
		);
		expect(rows).toEqual([]);
		const columns = await q(
			`select table_name, column_name, privilege_type from information_schema.column_privileges
			 where grantee = 'anon' and table_schema in ('public', 'private')`
		);
		expect(columns).toEqual([
			{ table_name: 'invitation_lookup', column_name: 'status', privilege_type: 'SELECT' }
		]);
	});
});

describe('comments for admins in the dashboard', () => {
	test('every public and private table has a comment', async () => {
		const missing = await q<{ name: string }>(
			`select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname in ('public', 'private') and c.relkind in ('r', 'p', 'v')
			   and coalesce(obj_description(c.oid, 'pg_class'), '') = ''`
		);
		expect(missing).toEqual([]);
	});

	test('every column of every public and private table has a comment', async () => {
		const missing = await q<{ name: string }>(
			`select n.nspname || '.' || c.relname || '.' || a.attname as name
			 from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
			 where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')
			   and coalesce(col_description(c.oid, a.attnum), '') = ''`
		);
		expect(missing).toEqual([]);
	});

	test('every function in public and private has a comment', async () => {
		const missing = await q<{ name: string }>(
			`select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname in ('public', 'private') and coalesce(obj_description(p.oid, 'pg_proc'), '') = ''`
		);
		expect(missing).toEqual([]);
	});
});

describe('functions', () => {
	test('no private function is executable by anon, authenticated or service_role, except the helpers that run as the writing or reading user', async () => {
		const rows = await q<{ fn: string; role: string }>(
			`select p.oid::regprocedure::text as fn, r.rolname as role
			 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 cross join (select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role')) r
			 where n.nspname = 'private' and has_function_privilege(r.rolname, p.oid, 'execute')
			 order by 1, 2`
		);
		// Check constraints, policies and the invoker API functions run as the caller, so the helpers
		// they call must be executable; each is invoker too (RLS applies) and answers only about the
		// caller, or about the text it is given.
		expect(rows).toEqual([
			{ fn: 'private.assert_message_open(messages)', role: 'authenticated' },
			{ fn: 'private.attachment_max_count()', role: 'authenticated' },
			{ fn: 'private.attachment_max_count()', role: 'service_role' },
			{ fn: 'private.blank_pattern()', role: 'authenticated' },
			{ fn: 'private.blank_pattern()', role: 'service_role' },
			{ fn: 'private.can_read_attachment(text)', role: 'authenticated' },
			{ fn: 'private.canonical_emoji(text)', role: 'authenticated' },
			{ fn: 'private.checked_broadcast_body(text,jsonb)', role: 'authenticated' },
			{ fn: 'private.checked_message_body(text)', role: 'authenticated' },
			{ fn: 'private.is_active_participant(text)', role: 'authenticated' },
			{ fn: 'private.is_attachment_upload_path(text)', role: 'authenticated' },
			{ fn: 'private.is_blank(text)', role: 'authenticated' },
			{ fn: 'private.is_blank(text)', role: 'service_role' },
			{ fn: 'private.is_conversation_participant(uuid)', role: 'authenticated' },
			{ fn: 'private.is_own_storage_path(text)', role: 'authenticated' },
			{ fn: 'private.message_body_max_length()', role: 'authenticated' },
			{ fn: 'private.message_body_max_length()', role: 'service_role' },
			{ fn: 'private.message_edit_window()', role: 'authenticated' },
			{ fn: 'private.message_search_query(text)', role: 'authenticated' },
			{ fn: 'private.message_search_query(text)', role: 'service_role' },
			{ fn: 'private.reaction_emoji()', role: 'authenticated' },
			{ fn: 'private.reaction_emoji()', role: 'service_role' },
			{ fn: 'private.reaction_summary(uuid)', role: 'authenticated' },
			{ fn: 'private.refuse_conversation_not_found(uuid)', role: 'authenticated' },
			{ fn: 'private.refuse_message_id_taken(uuid)', role: 'authenticated' },
			{ fn: 'private.refuse_message_not_found(uuid)', role: 'authenticated' },
			{ fn: 'private.refuse_missing_arguments(text)', role: 'authenticated' },
			{ fn: 'private.refuse_not_linked()', role: 'authenticated' },
			{ fn: 'private.refuse_not_trainer()', role: 'authenticated' },
			{ fn: 'private.refuse_schedule_closed(text)', role: 'authenticated' },
			{ fn: 'private.refuse_time_in_the_past(timestamp with time zone)', role: 'authenticated' },
			{ fn: 'private.saved_reply_name_max_length()', role: 'authenticated' },
			{ fn: 'private.search_fold(text)', role: 'authenticated' },
			{ fn: 'private.search_fold(text)', role: 'service_role' },
			{ fn: 'private.search_headline(text,tsquery)', role: 'authenticated' },
			{ fn: 'private.search_headline(text,tsquery)', role: 'service_role' },
			{ fn: 'private.sending_resumes_at()', role: 'authenticated' },
			{ fn: 'private.sending_resumes_at_for(uuid,uuid)', role: 'authenticated' },
			{ fn: 'private.topic_conversation_id(text)', role: 'authenticated' },
			{ fn: 'private.trim_blank(text)', role: 'authenticated' },
			{ fn: 'private.trim_blank(text)', role: 'service_role' },
			{ fn: 'private.unread_contribution(integer,boolean,boolean)', role: 'authenticated' }
		]);
	});

	test('the helpers API roles may execute are invoker, so none lends them rights they lack', async () => {
		const rows = await q<{ fn: string }>(
			`select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname = 'private' and p.prosecdef
			   and (has_function_privilege('authenticated', p.oid, 'execute')
			        or has_function_privilege('service_role', p.oid, 'execute')
			        or has_function_privilege('anon', p.oid, 'execute'))`
		);
		expect(rows).toEqual([]);
	});

	test('anon can execute no public function but check_invitation (whether a code works, before signing up)', async () => {
		const rows = await q<{ fn: string }>(
			`select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as fn
			 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname = 'public' and has_function_privilege('anon', p.oid, 'execute')`
		);
		expect(rows).toEqual([{ fn: 'public.check_invitation(code text)' }]);
	});

	// Each runs several times per sent message (body checks, preview, search words, unread totals,
	// the check constraints). As SQL functions with a set clause they were planned again on every
	// call; as PL/pgSQL their plans are kept for the session, and the search path stays pinned
	// (migration 20261210000100).
	test('the small helpers a sent message runs keep their plans: PL/pgSQL, immutable, invoker, only the search path pinned', async () => {
		const rows = await q<{
			fn: string;
			lang: string;
			volatility: string;
			definer: boolean;
			config: string[] | null;
		}>(
			`select p.oid::regprocedure::text as fn, l.lanname as lang, p.provolatile as volatility,
				p.prosecdef as definer, p.proconfig as config
			 from pg_proc p join pg_language l on l.oid = p.prolang
			 where p.oid in ('private.blank_pattern()'::regprocedure, 'private.is_blank(text)'::regprocedure,
				'private.trim_blank(text)'::regprocedure, 'private.message_preview(text)'::regprocedure,
				'private.message_search_vector(text)'::regprocedure,
				'private.unread_contribution(integer, boolean, boolean)'::regprocedure,
				'private.message_body_max_length()'::regprocedure, 'private.attachment_max_count()'::regprocedure)
			 order by 1`
		);
		expect(rows).toHaveLength(8);
		for (const row of rows)
			expect(row).toEqual({
				fn: row.fn,
				lang: 'plpgsql',
				volatility: 'i',
				definer: false,
				config: ['search_path=""']
			});
	});

	test('every security definer function pins an empty search_path', async () => {
		const rows = await q<{ fn: string; config: string[] | null }>(
			`select p.oid::regprocedure::text as fn, p.proconfig as config
			 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname in ('public', 'private') and p.prosecdef`
		);
		expect(rows.length).toBeGreaterThan(5);
		// Besides the search path, only the send path's plan setting (its statements keep one plan
		// instead of being planned again on every send; migration 20261210000100) may be pinned.
		const generic = 'plan_cache_mode=force_generic_plan';
		for (const row of rows)
			expect({ fn: row.fn, config: row.config?.filter((c) => c !== generic) }).toEqual({
				fn: row.fn,
				config: ['search_path=""']
			});
		expect(rows.filter((r) => r.config?.includes(generic)).map((r) => r.fn)).toEqual(
			expect.arrayContaining(['private.handle_message_before_insert()'])
		);
	});

	// The exceptions call the one send path (private.send_as, executable by no API role) with the
	// caller as the sender; everything they write is checked there and by the message triggers.
	// schedule_broadcast checks its files with the send path's private.checked_attachments (the
	// caller's uploads only) and every other rule itself. remove_trainee unlinks only the caller's own
	// trainee (the unlinked row may no longer be visible to them, which an invoker's UPDATE needs).
	test('the public API functions run as the caller (security invoker), so RLS decides — but those that enter the send path, and remove_trainee', async () => {
		const rows = await q<{ fn: string }>(
			`select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname = 'public' and p.prosecdef order by 1`
		);
		expect(rows.map((r) => r.fn)).toEqual([
			'broadcast_message(uuid[],text,uuid,jsonb)',
			'remove_trainee(uuid)',
			'schedule_broadcast(uuid[],text,uuid,timestamp with time zone,jsonb)',
			'send_message(uuid,text,uuid,uuid,jsonb)'
		]);
	});

	test('the conversation list is a single SQL statement, not a per-row loop (no N+1)', async () => {
		const [row] = await q<{ volatility: string; body: string }>(
			`select p.provolatile as volatility, p.prosrc as body from pg_proc p
			 where p.oid = 'public.list_conversations(integer, timestamptz, uuid, boolean, boolean, boolean, text)'::regprocedure`
		);
		expect(row.volatility).toBe('s');
		expect(row.body.match(/\breturn query\b/gi)).toHaveLength(1);
		expect(row.body).not.toMatch(/\b(loop|foreach|execute)\b/i);
	});
});

describe('the error catalog (private.error_codes)', () => {
	/** How many times the migrations raise each SP code (`errcode = 'SP…'`, comments left out). */
	async function raisedCodes(): Promise<Map<string, number>> {
		const dir = path.resolve(import.meta.dirname, '../../supabase/migrations');
		const counts = new Map<string, number>();
		for (const file of (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()) {
			const sql = (await readFile(path.join(dir, file), 'utf8')).replace(/--[^\n]*/g, '');
			for (const m of sql.matchAll(/errcode\s*=\s*'(SP\d{3})'/g))
				counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
		}
		return counts;
	}
	const catalog = () =>
		q<{ code: string; meaning: string }>(`select code, meaning from private.error_codes order by code`);

	test('lists every SP code the migrations raise, and none that nothing raises', async () => {
		const raised = [...(await raisedCodes()).keys()].sort();
		expect(raised.length).toBeGreaterThan(0);
		expect((await catalog()).map((r) => r.code)).toEqual(raised);
	});

	// Migrations are append-only, so a later one replaces a function (create or replace) while the
	// earlier text stays in its file: the place that counts is the function as the database holds it.
	test('each SP code is raised from one place only (a helper function where several paths need it)', async () => {
		const functions = await q<{ fn: string; body: string }>(
			`select p.oid::regprocedure::text as fn, p.prosrc as body
			 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname in ('public', 'private')`
		);
		const raisedBy = new Map<string, string[]>();
		for (const { fn, body } of functions) {
			for (const m of body.replace(/--[^\n]*/g, '').matchAll(/errcode\s*=\s*'(SP\d{3})'/g))
				raisedBy.set(m[1], [...(raisedBy.get(m[1]) ?? []), fn]);
		}
		expect([...raisedBy.keys()].sort()).toEqual([...(await raisedCodes()).keys()].sort());
		const elsewhere = [...raisedBy].filter(([, fns]) => new Set(fns).size !== 1);
		expect(elsewhere).toEqual([]);
	});

	test('keeps the numbers the app maps, SP001 to SP014, each with its meaning for admins', async () => {
		const rows = await catalog();
		expect(rows.map((r) => r.code)).toEqual(
			expect.arrayContaining(Array.from({ length: 14 }, (_, i) => `SP${String(i + 1).padStart(3, '0')}`))
		);
		for (const row of rows) expect(row.meaning.length).toBeGreaterThan(20);
	});

	test('numbers the message actions, people and triage refusals from SP101, each with its meaning', async () => {
		const rows = await catalog();
		expect(rows.map((r) => r.code).filter((code) => code >= 'SP100' && code < 'SP200')).toEqual(
			Array.from({ length: 8 }, (_, i) => `SP${101 + i}`)
		);
	});

	test('numbers the attachment refusals from SP201 and the coach tools from SP301', async () => {
		const codes = (await catalog()).map((r) => r.code);
		expect(codes.filter((code) => code >= 'SP200' && code < 'SP300')).toEqual([
			'SP201',
			'SP202',
			'SP203',
			'SP204'
		]);
		expect(codes.filter((code) => code >= 'SP300' && code < 'SP400')[0]).toBe('SP301');
	});
});
