// The real Supabase CLI against fresh databases on the Postgres server (DATABASE_URL): the
// migrations push cleanly and the advisors find nothing. The hosted-roles leg runs this file again
// with the CLI connected as the non-superuser postgres.
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres.ts';
import { listMigrations, migrate } from '../../localbase/migrate.ts';
import { advisors, dbPush, withScratchDatabase } from '../../scripts/supabase-cli.ts';

describe('supabase db push', () => {
	it('applies every migration to a database that has only the platform SQL, and records the history', async () => {
		await withScratchDatabase(async (url) => {
			const output = await dbPush(url);
			const files = await listMigrations();
			for (const m of files) expect(output).toContain(`${m.version}_${m.name}.sql`);
			const db = await openPostgres(url, 1);
			try {
				const { rows } = await db.query<{ version: string }>(
					'select version from supabase_migrations.schema_migrations order by version'
				);
				expect(rows.map((r) => r.version)).toEqual(files.map((m) => m.version));
			} finally {
				await db.close();
			}
			expect(await dbPush(url)).toMatch(/up to date/i);
		});
	});

	it('sees a database migrated by localbase as up to date (same migration history)', async () => {
		await withScratchDatabase(async (url, adminUrl) => {
			// localbase migrates as the server's own role, as its platform SQL needs.
			const db = await openPostgres(adminUrl, 1);
			try {
				const result = await migrate(db, { seed: false });
				expect(result.applied.length).toBe((await listMigrations()).length);
			} finally {
				await db.close();
			}
			expect(await dbPush(url)).toMatch(/up to date/i);
		});
	});
});

describe('supabase db advisors', () => {
	it('reports no security or performance findings at warning level or above', async () => {
		await withScratchDatabase(async (url) => {
			await dbPush(url);
			expect(await advisors(url, 'warn')).toEqual([]);
		});
	});

	it('reports at info level only unused indexes of the empty database and the server-only tables', async () => {
		await withScratchDatabase(async (url) => {
			await dbPush(url);
			const findings = await advisors(url, 'info');
			const notUnusedIndex = findings.filter((f) => f.name !== 'unused_index');
			expect(notUnusedIndex.map((f) => [f.name, f.detail])).toEqual([
				['rls_enabled_no_policy', 'Table `private.deleted_messages` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.error_codes` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.message_search` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.message_versions` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.push_deliveries` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.push_outbox` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.storage_removals` has RLS enabled, but no policies exist']
			]);
		});
	});
});
