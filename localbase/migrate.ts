// Brings a database to the current schema the way the Supabase platform + CLI would: platform SQL,
// then each pending file of supabase/migrations (recorded in supabase_migrations.schema_migrations
// like `supabase db push`), then supabase/seed.sql when the database was new.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from './config.ts';
import type { Db } from '../db/index.ts';

export const platformSqlPath = path.join(projectRoot, 'localbase', 'sql', 'platform.sql');
export const migrationsDir = path.join(projectRoot, 'supabase', 'migrations');
export const seedPath = path.join(projectRoot, 'supabase', 'seed.sql');

const migrationFile = /^(\d{14})_(.+)\.sql$/;

export interface MigrationFile {
	version: string;
	name: string;
	file: string;
}

export async function listMigrations(dir = migrationsDir): Promise<MigrationFile[]> {
	const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
	return files.map((file) => {
		const match = migrationFile.exec(file);
		if (!match) throw new Error(`migration file name must be <14-digit version>_<name>.sql: ${file}`);
		return { version: match[1], name: match[2], file: path.join(dir, file) };
	});
}

export async function applyPlatform(db: Db): Promise<void> {
	await db.exec(await readFile(platformSqlPath, 'utf8'));
}

export interface MigrateResult {
	applied: string[];
	seeded: boolean;
}

export async function migrate(db: Db, options: { seed?: boolean } = {}): Promise<MigrateResult> {
	await applyPlatform(db);
	await db.exec(`
		create schema if not exists supabase_migrations;
		create table if not exists supabase_migrations.schema_migrations (
			version text not null primary key,
			statements text[],
			name text
		);
	`);
	const done = new Set(
		(
			await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')
		).rows.map((r) => r.version)
	);
	const isNew = done.size === 0;
	const applied: string[] = [];
	for (const m of await listMigrations()) {
		if (done.has(m.version)) continue;
		const sql = await readFile(m.file, 'utf8');
		try {
			await db.transaction(async (tx) => {
				await tx.exec(sql);
				await tx.query(
					'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
					[m.version, m.name, [sql]]
				);
			});
		} catch (err) {
			throw new Error(`migration ${path.basename(m.file)} failed: ${(err as Error).message}`, { cause: err });
		}
		applied.push(m.version);
	}
	let seeded = false;
	if (isNew && (options.seed ?? true)) {
		const seed = await readFile(seedPath, 'utf8');
		await db.transaction((tx) => tx.exec(seed));
		seeded = true;
	}
	return { applied, seeded };
}
