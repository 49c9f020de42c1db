// A scratch database for one benchmark run: a new database on the server named by DATABASE_URL
// (dropped afterwards), else in-memory PGlite. Migrated without the demo seed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AnyDb } from '../../db/open.ts';
import { openPglite } from '../../db/pglite.ts';
import { openPostgres } from '../../db/postgres.ts';
import { migrate } from '../../localbase/migrate.ts';

export interface ScratchDatabase {
	db: AnyDb;
	/** Connection URL of the scratch server database; undefined on PGlite. */
	url: string | undefined;
	/** What the output calls this backend. */
	label: string;
	release(): Promise<void>;
}

export async function createScratchDatabase(
	serverUrl: string | undefined,
	purpose: string
): Promise<ScratchDatabase> {
	if (!serverUrl) {
		const db = await openPglite();
		await migrate(db, { seed: false });
		return { db, url: undefined, label: 'PGlite (in-memory, WebAssembly)', release: () => db.close() };
	}
	const empty = await createEmptyDatabase(serverUrl, purpose);
	let db: AnyDb | undefined;
	try {
		db = await openPostgres(empty.url);
		await migrate(db, { seed: false });
	} catch (err) {
		await db?.close();
		await empty.drop();
		throw err;
	}
	const opened = db;
	return {
		db: opened,
		url: empty.url,
		label: empty.label,
		release: async () => {
			await opened.close();
			await empty.drop();
		}
	};
}

export interface EmptyDatabase {
	url: string;
	label: string;
	drop(): Promise<void>;
}

/** A new, empty database on the server (for a localbase of its own to migrate and seed). */
export async function createEmptyDatabase(serverUrl: string, purpose: string): Promise<EmptyDatabase> {
	const name = `spotter_bench_${purpose}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
	const admin = new pg.Client({ connectionString: serverUrl });
	await admin.connect();
	let version = '';
	try {
		await admin.query(`create database ${name}`);
		version = (await admin.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v;
	} finally {
		await admin.end();
	}
	const target = new URL(serverUrl);
	target.pathname = `/${name}`;
	return {
		url: target.toString(),
		label: `Postgres ${version} server (${target.host}, scratch database ${name})`,
		drop: async () => {
			const c = new pg.Client({ connectionString: serverUrl });
			await c.connect();
			try {
				await c.query(`drop database if exists ${name} with (force)`);
			} finally {
				await c.end();
			}
		}
	};
}
