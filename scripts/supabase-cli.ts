// The Supabase CLI (npm package `supabase`) against a scratch database on a Postgres server that
// has localbase's platform SQL: `db push`, `gen types` and `db advisors`, as on a hosted project.
// In the hosted-roles leg (scripts/hosted-cluster) the CLI connects as the non-superuser postgres.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { projectRoot } from '../localbase/config.ts';
import { openPostgres } from '../db/postgres.ts';
import { applyPlatform } from '../localbase/migrate.ts';
import { asRole, hostedRolesLeg } from './hosted-cluster/index.ts';

const run = promisify(execFile);

/**
 * The Supabase CLI every script and test uses. It is not a dependency in package.json: the npm
 * registry lacks 3.1.0's macOS, Windows and arm64 packages, so its lockfile entry could never be
 * complete and `npm ci` would refuse it; 2.117 (the newest release published for every platform)
 * runs `gen types` in Docker. So the pinned version is installed on first use into a cache outside
 * the repository (as CI installs Node 24). SUPABASE_CLI names another binary instead.
 */
export const supabaseCliVersion = '3.1.0';

async function cliBinary(): Promise<string> {
	if (process.env.SUPABASE_CLI) return process.env.SUPABASE_CLI;
	const cacheRoot = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
	const dir = path.join(cacheRoot, 'spotter', `supabase-cli-${supabaseCliVersion}`);
	const bin = path.join(dir, 'node_modules', '.bin', 'supabase');
	if (existsSync(bin)) return bin;
	// Installed beside and renamed into place, so two processes starting at once never see half of it.
	const staging = `${dir}.${process.pid}.${randomBytes(3).toString('hex')}`;
	await mkdir(staging, { recursive: true });
	try {
		await run('npm', [
			'install',
			'--prefix',
			staging,
			'--no-save',
			'--no-audit',
			'--no-fund',
			`supabase@${supabaseCliVersion}`
		]);
		await rename(staging, dir).catch((err: NodeJS.ErrnoException) => {
			// Another process won the race: its copy is the same version.
			if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
		});
	} catch (err) {
		throw new Error(`could not install the Supabase CLI ${supabaseCliVersion} from the npm registry`, {
			cause: err
		});
	} finally {
		await rm(staging, { recursive: true, force: true });
	}
	return bin;
}

/** The server used for CLI work: DATABASE_URL, else the machine's local Postgres. */
export const cliServerUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

export const typesPath =
	process.env.SPOTTER_TYPES_PATH ?? path.join(projectRoot, 'src', 'lib', 'database.types.ts');

/** Runs the CLI; resolves to stdout and stderr (it reports progress on both). */
async function supabase(args: string[]): Promise<{ stdout: string; stderr: string }> {
	try {
		return await run(await cliBinary(), [...args, '--workdir', projectRoot], {
			cwd: projectRoot,
			maxBuffer: 16 * 1024 * 1024,
			env: { ...process.env, SUPABASE_YES: '1', DO_NOT_TRACK: '1' }
		});
	} catch (err) {
		const e = err as { stderr?: string; stdout?: string; message: string };
		throw new Error(`supabase ${args[0]} ${args[1] ?? ''} failed: ${e.stderr || e.stdout || e.message}`, {
			cause: err
		});
	}
}

/**
 * Creates a database with the platform SQL only, runs `fn` with its URL, then drops it. `url` is
 * the migration role's (the CLI's); `adminUrl` the server's own role (localbase's). They are the
 * same except in the hosted-roles leg, where the CLI is postgres and the platform the superuser.
 */
export async function withScratchDatabase<T>(fn: (url: string, adminUrl: string) => Promise<T>): Promise<T> {
	const name = `spotter_cli_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
	const admin = new pg.Client({ connectionString: cliServerUrl });
	try {
		await admin.connect();
	} catch (err) {
		throw new Error(
			`The Supabase CLI needs a Postgres server; could not reach ${cliServerUrl} (set DATABASE_URL).`,
			{ cause: err }
		);
	}
	await admin.query(`create database ${name}`);
	const url = new URL(cliServerUrl);
	url.pathname = `/${name}`;
	const adminUrl = url.toString();
	try {
		if (hostedRolesLeg) {
			// The cluster's template already holds the platform SQL, with hosted owners.
			await admin.query(`grant all on database ${name} to postgres`);
			return await fn(asRole(adminUrl, 'postgres'), adminUrl);
		}
		const db = await openPostgres(adminUrl, 2);
		await applyPlatform(db).finally(() => db.close());
		return await fn(adminUrl, adminUrl);
	} finally {
		await admin.query(`drop database if exists ${name} with (force)`);
		await admin.end();
	}
}

export async function dbPush(url: string): Promise<string> {
	const { stdout, stderr } = await supabase(['db', 'push', `--remote=${url}`, '--yes']);
	return stdout + stderr;
}

/** Generated TypeScript for the public schema, exactly as `supabase gen types` prints it. */
export async function genTypes(url: string): Promise<string> {
	const { stdout: out } = await supabase([
		'gen',
		'types',
		'typescript',
		`--remote=${url}`,
		'--schema',
		'public'
	]);
	// The CLI prints connection notices on stdout before the generated module.
	const start = out.indexOf('export type Json');
	if (start < 0) throw new Error(`supabase gen types printed no types:\n${out}`);
	return out.slice(start);
}

export interface AdvisorFinding {
	name: string;
	level: 'INFO' | 'WARN' | 'ERROR';
	detail: string;
}

export async function advisors(url: string, level: 'info' | 'warn' | 'error'): Promise<AdvisorFinding[]> {
	const { stdout, stderr } = await supabase([
		'db',
		'advisors',
		`--remote=${url}`,
		'--type',
		'all',
		'--level',
		level
	]);
	const start = stdout.indexOf('[');
	if (start >= 0) return JSON.parse(stdout.slice(start)) as AdvisorFinding[];
	if (/No issues found/.test(stdout + stderr)) return [];
	throw new Error(`unexpected output from supabase db advisors:\n${stdout}${stderr}`);
}

/** Pushes the migrations to a scratch database and returns the generated types. */
export async function freshTypes(): Promise<string> {
	return withScratchDatabase(async (url) => {
		await dbPush(url);
		return genTypes(url);
	});
}
