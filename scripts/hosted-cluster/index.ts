// A private Postgres cluster laid out like a hosted Supabase project's database, for the test leg
// in which the Supabase CLI applies the migrations as the non-superuser postgres (scripts/test.ts
// runs it when DATABASE_URL is set). Roles are cluster-wide, so this never touches the machine's
// shared server: it starts a cluster of its own, in a temporary folder, on a free port, and stops
// and removes it afterwards (also on failure or Ctrl-C).
//
// Layout: the bootstrap superuser plays supabase_admin; roles.sql creates the hosted role set
// (postgres demoted, the API roles, the platform owners); template1 gets the platform SQL as the
// superuser and then database.sql (hosted owners and grants, the supautils emulation), so every
// database created here is born as a hosted project's is before its first migration.
//
// What a PostgreSQL 15 cluster cannot catch: role membership changed in PostgreSQL 16, and hosted
// projects now run 17 (supabase/config.toml). On 16+ a GRANT of a role carries its own ADMIN,
// INHERIT and SET options, CREATEROLE no longer implies admin rights over every role (a role
// administers only the roles it created or was granted WITH ADMIN OPTION; hosted grants postgres
// anon, authenticated and service_role WITH ADMIN OPTION for that reason), and role attributes
// such as INHERIT apply per grant. A migration that grants, revokes or alters roles could pass here
// and fail on hosted (or the reverse). Spotter's migrations create no role and grant no membership;
// PGlite (PostgreSQL 18) runs the same suites and brackets the behaviour from above.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../free-port.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..', '..');
const here = import.meta.dirname;

/**
 * Set by scripts/test.ts for the hosted-roles leg, with DATABASE_URL naming this cluster's
 * superuser: test databases then get their migrations from the Supabase CLI as postgres.
 */
export const hostedRolesLeg = process.env.SPOTTER_HOSTED_ROLES === '1';

export interface HostedCluster {
	/** The bootstrap superuser (playing supabase_admin) on the cluster's postgres database. */
	superuserUrl: string;
	/** Stops the cluster and removes its folder; safe to call twice. */
	stop(): void;
}

/** Where initdb and pg_ctl live: PG_BIN, else Debian's folder of the newest installed major. */
function postgresBin(): string {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const base = '/usr/lib/postgresql';
	const majors = existsSync(base)
		? readdirSync(base)
				.filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
				.sort((p, q) => Number(q) - Number(p))
		: [];
	if (majors.length === 0) {
		throw new Error(`no initdb under ${base}: set PG_BIN to the folder holding initdb and pg_ctl`);
	}
	return path.join(base, majors[0], 'bin');
}

/** initdb and pg_ctl refuse to run as root: as root, run them as the postgres OS user. */
const asRoot = process.getuid?.() === 0;

function runPostgresTool(bin: string, tool: string, args: string[]): string {
	const command = asRoot ? 'runuser' : path.join(bin, tool);
	const fullArgs = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
	const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(
			`${tool} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error}`
		);
	}
	return result.stdout;
}

async function exec(url: string, sql: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

export async function startHostedCluster(): Promise<HostedCluster> {
	const bin = postgresBin();
	const dir = mkdtempSync(path.join(tmpdir(), 'spotter-hosted-'));
	const data = path.join(dir, 'data');
	if (asRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
		chownSync(dir, uid, gid);
	}
	let running = false;
	let stopped = false;
	const stop = () => {
		if (stopped) return;
		stopped = true;
		process.off('exit', stop);
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		try {
			if (running) runPostgresTool(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	};
	const onSignal = (signal: NodeJS.Signals) => {
		stop();
		process.exit(signal === 'SIGINT' ? 130 : 143);
	};
	process.on('exit', stop);
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	try {
		runPostgresTool(bin, 'initdb', [
			'-D',
			data,
			'-U',
			'supabase_admin',
			'-A',
			'trust',
			'-E',
			'UTF8',
			'--locale=C.UTF-8',
			'--no-sync'
		]);
		const port = await freePort();
		const options = [
			`-p ${port}`,
			'-c listen_addresses=127.0.0.1',
			`-c unix_socket_directories=${dir}`,
			// A throwaway cluster: durability buys nothing here.
			'-c fsync=off',
			'-c synchronous_commit=off',
			'-c full_page_writes=off'
		].join(' ');
		runPostgresTool(bin, 'pg_ctl', [
			'-D',
			data,
			'-l',
			path.join(dir, 'postgres.log'),
			'-o',
			options,
			'-w',
			'start'
		]);
		running = true;
		const url = (database: string) => `postgresql://supabase_admin@127.0.0.1:${port}/${database}`;
		await exec(url('postgres'), readFileSync(path.join(here, 'roles.sql'), 'utf8'));
		await exec(
			url('template1'),
			readFileSync(path.join(root, 'localbase', 'sql', 'platform.sql'), 'utf8') +
				'\n' +
				readFileSync(path.join(here, 'database.sql'), 'utf8')
		);
		return { superuserUrl: url('postgres'), stop };
	} catch (err) {
		stop();
		throw err;
	}
}

/** The same server and database, connecting as another role (trust authentication). */
export function asRole(url: string, role: string): string {
	const u = new URL(url);
	u.username = role;
	u.password = '';
	return u.toString();
}

// `npx tsx scripts/hosted-cluster/index.ts`: starts one and prints its URL until Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
	const cluster = await startHostedCluster();
	console.log(
		`hosted-like cluster: ${cluster.superuserUrl} (superuser); migrations as postgres. Ctrl-C stops it.`
	);
	setInterval(() => {}, 60_000);
}
