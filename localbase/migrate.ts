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

/**
 * The platform SQL also writes the cluster's shared catalogs (roles, their memberships and
 * settings), so two databases of one server brought up at once (test files, a second localbase)
 * can collide there: "tuple concurrently updated", a duplicate role name, a deadlock. The script
 * runs as one implicit transaction and is idempotent, so it is simply run again.
 */
export async function applyPlatform(db: Db): Promise<void> {
	const sql = await readFile(platformSqlPath, 'utf8');
	for (let attempt = 1; ; attempt++) {
		try {
			await db.exec(sql);
			return;
		} catch (err) {
			if (attempt >= 5 || !isSharedCatalogRace(err)) throw err;
			await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
		}
	}
}

function isSharedCatalogRace(err: unknown): boolean {
	const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
	if (code === '40P01') return true;
	if (code === 'XX000') return /tuple concurrently (updated|deleted)/.test(String(message));
	return code === '23505' && /pg_authid|pg_auth_members|pg_db_role_setting/.test(String(message));
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
