// The localbase HTTP + WebSocket server: routes /auth/v1, /rest/v1, /realtime/v1 and /storage/v1 to their
// handlers over one database, as the Supabase CLI's gateway does on port 54321.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isConnectionFailure, type Db } from '../db/index.ts';
import { openDb, type AnyDb } from '../db/open.ts';
import { handleAuth } from './auth/index.ts';
import { checkTemplates } from './auth/mailer.ts';
import { loadConfig, type LocalbaseConfig } from './config.ts';
import type { LocalbaseContext } from './context.ts';
import { hasCronStandIn, startCron } from './cron/index.ts';
import { bodyLimitFor, HttpError, send } from './http.ts';
import { startMailCatcher } from './mail/index.ts';
import { migrate, type MigrateResult } from './migrate.ts';
import { createRealtime, type Realtime } from './realtime/index.ts';
import { handleRest } from './rest/index.ts';
import { createStorage, type Storage } from './storage/index.ts';

export interface Localbase {
	url: string;
	/** The mail catcher's inbox (undefined when `[local_smtp]` is disabled). */
	mailUrl: string | undefined;
	config: LocalbaseConfig;
	db: AnyDb;
	migration: MigrateResult;
	close(): Promise<void>;
}

export interface StartOptions {
	config?: Partial<LocalbaseConfig>;
	/** Use this database instead of opening one from the config. */
	db?: AnyDb;
	/** Apply supabase/seed.sql when the database is new (default true). */
	seed?: boolean;
}

export async function startLocalbase(options: StartOptions = {}): Promise<Localbase> {
	const config = { ...loadConfig(), ...options.config };
	checkTemplates(config);
	const db = options.db ?? (await openDb(config.databaseUrl, config.dataDir, 'localbase'));
	const migration = await migrate(db, { seed: options.seed ?? true });
	// A caller that asks for any free API port (tests, benchmarks) gets any free mail port too.
	const mailPort = options.config?.port === 0 && options.config.mail === undefined ? 0 : config.mail.port;
	const mail = await startMailCatcher({ ...config.mail, port: mailPort }, config.host);
	// Realtime is created with the context it is a part of, so the context forwards to it.
	const services: { realtime?: Realtime } = {};
	const ctx: LocalbaseContext = {
		config,
		db,
		mail: mail.store,
		sessionsEnded: (userId) => services.realtime?.sessionsEnded(userId)
	};
	const realtime = (services.realtime = await createRealtime(ctx));
	const storage = await createStorage(ctx, { ownDatabase: !options.db });
	const pruner = startRealtimePruning(db);
	// Scheduled jobs (cron.job), as pg_cron runs them on hosted Supabase.
	const cron = (await hasCronStandIn(db)) ? await startCron(db, { label: 'localbase cron' }) : undefined;

	const server = http.createServer((req, res) => {
		route(ctx, realtime, storage, req, res).catch((err: unknown) => fail(res, err));
	});
	server.on('upgrade', (req, socket, head) => {
		const path = new URL(req.url ?? '/', 'http://localhost').pathname;
		if (path === '/realtime/v1/websocket') {
			realtime.handleUpgrade(req, socket, head);
		} else {
			socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
		}
	});
	server.on('clientError', (_err, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://${config.host}:${port}`;
	return {
		url,
		mailUrl: mail.url,
		config: { ...config, port },
		db,
		migration,
		close: async () => {
			clearInterval(pruner);
			await cron?.stop();
			await realtime.close();
			await mail.close();
			server.closeAllConnections();
			await storage.close();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			if (!options.db) await db.close();
		}
	};
}

async function route(
	ctx: LocalbaseContext,
	realtime: Realtime,
	storage: Storage,
	req: IncomingMessage,
	res: ServerResponse
): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://localhost');
	if (url.pathname.startsWith('/storage/v1/')) return storage.handle(req, res, url);
	if (req.method === 'OPTIONS') return send(res, 204);
	// Each service reads bodies up to the limit of the route it serves.
	const limit = bodyLimitFor(ctx.config, url.pathname);
	const routeCtx =
		limit === ctx.config.maxBodyBytes ? ctx : { ...ctx, config: { ...ctx.config, maxBodyBytes: limit } };
	if (url.pathname.startsWith('/auth/v1/')) return handleAuth(routeCtx, req, res, url);
	if (url.pathname.startsWith('/rest/v1/')) return handleRest(routeCtx, req, res, url);
	if (url.pathname.startsWith('/realtime/v1/')) return realtime.handleHttp(routeCtx, req, res, url);
	if (url.pathname === '/' || url.pathname === '/health') {
		return send(res, 200, { name: 'localbase', status: 'ok', database: ctx.db.kind });
	}
	send(res, 404, {
		code: 'LOCALBASE404',
		message: `localbase does not serve ${url.pathname} (supported: /auth/v1, /rest/v1, /realtime/v1, /storage/v1)`
	});
}

/**
 * Hosted Realtime drops realtime.messages partitions after a few days; locally the table is not
 * partitioned, so delivered broadcasts (and the authorization probes' leftovers) are pruned here.
 */
function startRealtimePruning(db: Db, keepMinutes = 60, everyMs = 10 * 60_000): NodeJS.Timeout {
	const prune = () =>
		db
			.query(`delete from realtime.messages where inserted_at < now() - make_interval(mins => $1)`, [
				keepMinutes
			])
			.catch((err: unknown) => console.error('[localbase] pruning realtime.messages failed:', err));
	void prune();
	const timer = setInterval(prune, everyMs);
	timer.unref();
	return timer;
}

function fail(res: ServerResponse, err: unknown): void {
	if (err instanceof HttpError) return send(res, err.status, err.body, err.headers);
	if (isConnectionFailure(err)) {
		// The database went away under the request (terminated, restarting): worth retrying.
		return send(res, 503, {
			code: 'LOCALBASE503',
			message: 'The database connection was lost; try again',
			details: (err as Error).message,
			hint: null
		});
	}
	console.error('[localbase] unexpected error:', err);
	send(res, 500, {
		code: 'LOCALBASE500',
		message: 'localbase internal error',
		details: String(err),
		hint: null
	});
}
