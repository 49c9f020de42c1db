// A fresh, fully migrated database per test file: in-memory PGlite by default, or a new database
// on the server named by DATABASE_URL (created here, dropped on release). In the hosted-roles leg
// (SPOTTER_HOSTED_ROLES=1, see scripts/hosted-cluster) the Supabase CLI applies the migrations as
// the non-superuser postgres, as on a hosted project.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { AnyDb as Db } from '../../db/open.ts';
import { openPglite } from '../../db/pglite.ts';
import { openPostgres } from '../../db/postgres.ts';
import { applyPlatform, migrate } from '../../localbase/migrate.ts';
import { asRole, hostedRolesLeg } from '../../scripts/hosted-cluster/index.ts';
import { dbPush } from '../../scripts/supabase-cli.ts';

export interface TestDatabase {
	db: Db;
	/** Connection URL of the server database; undefined on PGlite. */
	url: string | undefined;
	release(): Promise<void>;
}

export const serverUrl = process.env.DATABASE_URL || undefined;
export const backend = serverUrl ? 'postgres' : 'pglite';

/** `stage`: 'platform' (platform SQL only), 'schema' (plus migrations) or 'seeded' (plus seed). */
export async function createTestDatabase(
	stage: 'platform' | 'schema' | 'seeded' = 'seeded'
): Promise<TestDatabase> {
	let db: Db;
	let url: string | undefined;
	let dropDatabase = async () => {};
	if (serverUrl) {
		const name = `spotter_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
		const admin = new pg.Client({ connectionString: serverUrl });
		await admin.connect();
		await admin.query(`create database ${name}`);
		if (hostedRolesLeg) await admin.query(`grant all on database ${name} to postgres`);
		await admin.end();
		const target = new URL(serverUrl);
		target.pathname = `/${name}`;
		url = target.toString();
		db = await openPostgres(url);
		dropDatabase = async () => {
			const c = new pg.Client({ connectionString: serverUrl });
			await c.connect();
			await c.query(`drop database if exists ${name} with (force)`);
			await c.end();
		};
	} else {
		db = await openPglite();
	}
	if (hostedRolesLeg) await migrateAsHostedPostgres(db, url!, stage);
	else if (stage === 'platform') await applyPlatform(db);
	else await migrate(db, { seed: stage === 'seeded' });
	return {
		db,
		url,
		release: async () => {
			await db.close();
			await dropDatabase();
		}
	};
}

/**
 * The hosted-roles leg: the database was created from the cluster's template, which holds the
 * platform SQL with hosted owners; the CLI pushes the migrations as postgres, and the seed is
 * applied by the superuser (as the platform, like localbase's own seeding). Tests connect as the
 * superuser too: they play Supabase Auth and the dashboard, and switch to the API roles or
 * postgres where the role matters.
 */
async function migrateAsHostedPostgres(
	db: { exec(sql: string): Promise<void> },
	url: string,
	stage: 'platform' | 'schema' | 'seeded'
): Promise<void> {
	if (stage === 'platform') return;
	await dbPush(asRole(url, 'postgres'));
	if (stage === 'seeded') {
		await db.exec(await readFile(path.resolve(import.meta.dirname, '../../supabase/seed.sql'), 'utf8'));
	}
}
