// localbase configuration: the well-known local-development values of `supabase start`,
// each overridable from the environment.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The public, well-known local-development values `supabase start` prints; not secrets. */
export const wellKnown = {
	jwtSecret: 'super-secret-jwt-token-with-at-least-32-characters-long',
	anonKey:
		'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
	serviceRoleKey:
		'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
	publishableKey: 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH',
	secretKey: 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz'
} as const;

export interface LocalbaseConfig {
	host: string;
	port: number;
	/** Postgres server URL; when absent, embedded PGlite under `dataDir`. */
	databaseUrl: string | undefined;
	dataDir: string;
	jwtSecret: string;
	jwtExpiry: number;
	anonKey: string;
	serviceRoleKey: string;
	publishableKey: string;
	secretKey: string;
	/**
	 * Largest accepted HTTP body, in bytes. The server hands each service this value for the route
	 * being served: `bodyLimits` when a prefix matches (storage uploads need their own), else the default.
	 */
	maxBodyBytes: number;
	/** Per-route body limits in bytes, by path prefix (the longest matching prefix wins). */
	bodyLimits: Record<string, number>;
	/** Largest accepted WebSocket frame, in bytes. */
	maxFrameBytes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LocalbaseConfig {
	return {
		host: env.LOCALBASE_HOST ?? '127.0.0.1',
		port: Number(env.LOCALBASE_PORT ?? 54321),
		databaseUrl: env.DATABASE_URL || undefined,
		dataDir: env.LOCALBASE_DATA_DIR ?? path.join(projectRoot, '.localbase', 'pgdata'),
		jwtSecret: env.LOCALBASE_JWT_SECRET ?? wellKnown.jwtSecret,
		jwtExpiry: Number(env.LOCALBASE_JWT_EXPIRY ?? 3600),
		anonKey: wellKnown.anonKey,
		serviceRoleKey: wellKnown.serviceRoleKey,
		publishableKey: wellKnown.publishableKey,
		secretKey: wellKnown.secretKey,
		maxBodyBytes: Number(env.LOCALBASE_MAX_BODY_BYTES ?? 1024 * 1024),
		bodyLimits: {},
		maxFrameBytes: Number(env.LOCALBASE_MAX_FRAME_BYTES ?? 1024 * 1024)
	};
}
