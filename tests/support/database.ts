// A fresh, fully migrated database per test file: in-memory PGlite by default, or a new database
// on the server named by DATABASE_URL (created here, dropped on release).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AnyDb as Db } from '../../db/open.ts';
import { openPglite } from '../../db/pglite.ts';
import { openPostgres } from '../../db/postgres.ts';
import { applyPlatform, migrate } from '../../localbase/migrate.ts';

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
	if (stage === 'platform') await applyPlatform(db);
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
