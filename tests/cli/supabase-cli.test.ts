// The real Supabase CLI against fresh databases on the Postgres server (DATABASE_URL): the
// migrations push cleanly, the advisors find nothing, and the generated types are current.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../localbase/config.ts';
import { openPostgres } from '../../localbase/db.ts';
import { listMigrations, migrate } from '../../localbase/migrate.ts';
import { advisors, dbPush, genTypes, typesPath, withScratchDatabase } from '../../scripts/supabase-cli.ts';

const run = promisify(execFile);

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
				['rls_enabled_no_policy', 'Table `private.error_codes` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.push_deliveries` has RLS enabled, but no policies exist'],
				['rls_enabled_no_policy', 'Table `private.push_outbox` has RLS enabled, but no policies exist']
			]);
		});
	});
});

describe('generated database types', () => {
	it('match what the migrations generate (src/lib/database.types.ts is current)', async () => {
		const generated = await withScratchDatabase(async (url) => {
			await dbPush(url);
			return genTypes(url);
		});
		expect(generated).toContain('send_message');
		expect(await readFile(typesPath, 'utf8')).toBe(generated);
	});

	it('make the freshness check fail when the committed file is stale', async () => {
		const stale = path.join(await mkdtemp(path.join(tmpdir(), 'spotter-types-')), 'database.types.ts');
		await writeFile(stale, (await readFile(typesPath, 'utf8')).replace('send_message', 'send_a_message'));
		const check = run(
			path.join(projectRoot, 'node_modules', '.bin', 'tsx'),
			['scripts/check-types-fresh.ts'],
			{
				cwd: projectRoot,
				env: { ...process.env, SPOTTER_TYPES_PATH: stale }
			}
		);
		await expect(check).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('is stale') });
	});
});
