// localbase configuration: the well-known local-development values of `supabase start`, the
// parts of supabase/config.toml localbase implements ([auth], [auth.email], [local_smtp]), each
// overridable from the environment.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const supabaseConfigPath = path.join(projectRoot, 'supabase', 'config.toml');

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

/** The email kinds Supabase Auth has a template for (`[auth.email.template.<kind>]`). */
export const emailKinds = [
	'invite',
	'confirmation',
	'recovery',
	'magic_link',
	'email_change',
	'reauthentication'
] as const;
export type EmailKind = (typeof emailKinds)[number];

export interface EmailTemplateSettings {
	subject?: string;
	/** Absolute path of the HTML template (config.toml's `content_path`, relative to the project). */
	contentPath?: string;
}

/** What Supabase Auth reads from `[auth]` and `[auth.email]` (as the CLI passes it on). */
export interface AuthSettings {
	siteUrl: string;
	additionalRedirectUrls: string[];
	minimumPasswordLength: number;
	email: {
		enableConfirmations: boolean;
		doubleConfirmChanges: boolean;
		requireCurrentPassword: boolean;
		securePasswordChange: boolean;
		/** Seconds between two emails of one kind to one user. */
		maxFrequency: number;
		otpLength: number;
		/** Seconds a token stays valid after it was sent. */
		otpExpiry: number;
		templates: Partial<Record<EmailKind, EmailTemplateSettings>>;
	};
}

/** `[local_smtp]`: the mail catcher's web inbox and API, as Mailpit is for `supabase start`. */
export interface MailSettings {
	enabled: boolean;
	port: number;
	adminEmail: string;
	senderName: string;
}

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
	auth: AuthSettings;
	mail: MailSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LocalbaseConfig {
	const toml = readSupabaseConfig(env.LOCALBASE_SUPABASE_CONFIG ?? supabaseConfigPath, env);
	return {
		host: env.LOCALBASE_HOST ?? '127.0.0.1',
		port: Number(env.LOCALBASE_PORT ?? 54321),
		databaseUrl: env.DATABASE_URL || undefined,
		dataDir: env.LOCALBASE_DATA_DIR ?? path.join(projectRoot, '.localbase', 'pgdata'),
		jwtSecret: env.LOCALBASE_JWT_SECRET ?? wellKnown.jwtSecret,
		jwtExpiry: Number(env.LOCALBASE_JWT_EXPIRY ?? toml.jwtExpiry),
		anonKey: wellKnown.anonKey,
		serviceRoleKey: wellKnown.serviceRoleKey,
		publishableKey: wellKnown.publishableKey,
		secretKey: wellKnown.secretKey,
		maxBodyBytes: Number(env.LOCALBASE_MAX_BODY_BYTES ?? 1024 * 1024),
		bodyLimits: {},
		maxFrameBytes: Number(env.LOCALBASE_MAX_FRAME_BYTES ?? 1024 * 1024),
		// A dev server or test suite whose app runs on another port points the mailed links at it.
		auth: env.LOCALBASE_SITE_URL ? { ...toml.auth, siteUrl: env.LOCALBASE_SITE_URL } : toml.auth,
		mail: { ...toml.mail, port: Number(env.LOCALBASE_MAIL_PORT ?? toml.mail.port) }
	};
}

interface TomlSettings {
	jwtExpiry: number;
	auth: AuthSettings;
	mail: MailSettings;
}

type Table = Record<string, unknown>;

/** supabase/config.toml as parsed TOML: the one reader every service's settings start from. */
export function parseSupabaseConfig(file: string = supabaseConfigPath): Table {
	try {
		return parseToml(readFileSync(file, 'utf8')) as Table;
	} catch (err) {
		throw new Error(`localbase: cannot read ${file}: ${(err as Error).message}`, { cause: err });
	}
}

/**
 * Reads the settings localbase implements from supabase/config.toml, with the CLI's defaults for
 * keys that are absent and its `env(NAME)` substitution. A value of the wrong type stops
 * localbase with a message naming the key, as `supabase start` refuses a bad config.
 */
export function readSupabaseConfig(file: string, env: NodeJS.ProcessEnv = process.env): TomlSettings {
	const root = parseSupabaseConfig(file);
	const section = (t: Table, key: string): Table => {
		const v = t[key];
		return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Table) : {};
	};
	const value = <T>(
		t: Table,
		key: string,
		name: string,
		kind: 'string' | 'number' | 'boolean',
		fallback: T
	): T => {
		let v = t[key];
		if (v === undefined) return fallback;
		if (typeof v === 'string') v = substituteEnv(v, env);
		if (typeof v !== kind) throw new Error(`localbase: ${file}: ${name} must be a ${kind}`);
		return v as T;
	};
	const auth = section(root, 'auth');
	const email = section(auth, 'email');
	const smtp = section(root, 'local_smtp');
	const templateTable = section(email, 'template');
	const templates: Partial<Record<EmailKind, EmailTemplateSettings>> = {};
	for (const kind of Object.keys(templateTable)) {
		if (!(emailKinds as readonly string[]).includes(kind)) {
			throw new Error(
				`localbase: ${file}: [auth.email.template.${kind}] is not a Supabase Auth email template`
			);
		}
		const t = section(templateTable, kind);
		const name = `auth.email.template.${kind}`;
		const contentPath = value<string | undefined>(
			t,
			'content_path',
			`${name}.content_path`,
			'string',
			undefined
		);
		templates[kind as EmailKind] = {
			subject: value<string | undefined>(t, 'subject', `${name}.subject`, 'string', undefined),
			// The CLI resolves content_path against the project directory (the one holding supabase/).
			contentPath: contentPath ? path.resolve(path.dirname(path.dirname(file)), contentPath) : undefined
		};
	}
	const redirects = auth.additional_redirect_urls ?? [];
	if (!Array.isArray(redirects) || redirects.some((u) => typeof u !== 'string')) {
		throw new Error(`localbase: ${file}: auth.additional_redirect_urls must be a list of strings`);
	}
	return {
		jwtExpiry: value(auth, 'jwt_expiry', 'auth.jwt_expiry', 'number', 3600),
		auth: {
			siteUrl: value(auth, 'site_url', 'auth.site_url', 'string', 'http://127.0.0.1:3000'),
			additionalRedirectUrls: (redirects as string[]).map((u) => substituteEnv(u, env)),
			// Supabase Auth never accepts fewer than 6.
			minimumPasswordLength: Math.max(
				6,
				value(auth, 'minimum_password_length', 'auth.minimum_password_length', 'number', 6)
			),
			email: {
				enableConfirmations: value(
					email,
					'enable_confirmations',
					'auth.email.enable_confirmations',
					'boolean',
					false
				),
				doubleConfirmChanges: value(
					email,
					'double_confirm_changes',
					'auth.email.double_confirm_changes',
					'boolean',
					true
				),
				requireCurrentPassword: value(
					email,
					'require_current_password',
					'auth.email.require_current_password',
					'boolean',
					false
				),
				securePasswordChange: value(
					email,
					'secure_password_change',
					'auth.email.secure_password_change',
					'boolean',
					false
				),
				maxFrequency: parseDuration(
					value(email, 'max_frequency', 'auth.email.max_frequency', 'string', '1s'),
					'auth.email.max_frequency'
				),
				otpLength: value(email, 'otp_length', 'auth.email.otp_length', 'number', 6),
				otpExpiry: value(email, 'otp_expiry', 'auth.email.otp_expiry', 'number', 3600),
				templates
			}
		},
		mail: {
			enabled: value(smtp, 'enabled', 'local_smtp.enabled', 'boolean', true),
			port: value(smtp, 'port', 'local_smtp.port', 'number', 54324),
			adminEmail: value(smtp, 'admin_email', 'local_smtp.admin_email', 'string', 'admin@email.com'),
			senderName: value(smtp, 'sender_name', 'local_smtp.sender_name', 'string', 'Admin')
		}
	};
}

/** The CLI's `env(NAME)` values: the whole string names an environment variable. */
function substituteEnv(v: string, env: NodeJS.ProcessEnv): string {
	const m = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(v.trim());
	return m ? (env[m[1]] ?? '') : v;
}

const durationUnits: Record<string, number> = {
	ns: 1e-9,
	us: 1e-6,
	µs: 1e-6,
	ms: 1e-3,
	s: 1,
	m: 60,
	h: 3600
};

/** A Go duration ("1s", "1m30s", "500ms"), as config.toml writes max_frequency, in seconds. */
export function parseDuration(text: string, name: string): number {
	const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
	if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
		throw new Error(`localbase: ${name} must be a duration such as "1s" or "1m30s", not "${text}"`);
	}
	return parts.reduce((sum, p) => sum + Number(p[1]) * durationUnits[p[2]], 0);
}
