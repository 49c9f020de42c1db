import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig, parseDuration, readSupabaseConfig, supabaseConfigPath } from './config.ts';

function configFile(toml: string): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'lb-config-'));
	const file = path.join(dir, 'supabase', 'config.toml');
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, toml);
	return file;
}

describe('supabase/config.toml', () => {
	test('the project config turns confirmations and the current-password rule on and names every template', () => {
		const { auth, mail } = readSupabaseConfig(supabaseConfigPath);
		expect(auth.email).toMatchObject({
			enableConfirmations: true,
			doubleConfirmChanges: true,
			requireCurrentPassword: true,
			maxFrequency: 1,
			otpExpiry: 3600
		});
		expect(Object.keys(auth.email.templates).sort()).toEqual([
			'confirmation',
			'email_change',
			'invite',
			'magic_link',
			'reauthentication',
			'recovery'
		]);
		expect(auth.email.templates.confirmation?.contentPath).toBe(
			path.join(path.dirname(path.dirname(supabaseConfigPath)), 'supabase', 'templates', 'confirmation.html')
		);
		expect(mail).toEqual({ enabled: true, port: 54324, adminEmail: 'admin@email.com', senderName: 'Admin' });
	});

	test('absent keys take the CLI defaults, env(NAME) reads the environment', () => {
		const file = configFile('[auth]\nsite_url = "env(SITE)"\n');
		const { auth, jwtExpiry } = readSupabaseConfig(file, { SITE: 'https://x.example' });
		expect(auth.siteUrl).toBe('https://x.example');
		expect(jwtExpiry).toBe(3600);
		expect(auth.email).toMatchObject({ enableConfirmations: false, maxFrequency: 1, otpLength: 6 });
	});

	test('a value of the wrong type or an unknown template kind stops localbase, naming the key', () => {
		expect(() => readSupabaseConfig(configFile('[auth.email]\nenable_confirmations = "yes"\n'))).toThrow(
			/auth\.email\.enable_confirmations must be a boolean/
		);
		expect(() => readSupabaseConfig(configFile('[auth.email.template.welcome]\nsubject = "x"\n'))).toThrow(
			/\[auth\.email\.template\.welcome\] is not a Supabase Auth email template/
		);
		expect(() => readSupabaseConfig(configFile('[auth.email]\nmax_frequency = "soon"\n'))).toThrow(
			/max_frequency/
		);
	});

	test('LOCALBASE_MAIL_PORT and LOCALBASE_SITE_URL override the file', () => {
		const config = loadConfig({ LOCALBASE_MAIL_PORT: '60001', LOCALBASE_SITE_URL: 'http://127.0.0.1:4173' });
		expect(config.mail.port).toBe(60001);
		expect(config.auth.siteUrl).toBe('http://127.0.0.1:4173');
	});

	test('durations are read as Go writes them', () => {
		expect(parseDuration('1s', 'x')).toBe(1);
		expect(parseDuration('1m30s', 'x')).toBe(90);
		expect(parseDuration('250ms', 'x')).toBe(0.25);
		expect(() => parseDuration('10', 'x')).toThrow();
	});
});

describe('templates named in the config', () => {
	test('a template that cannot be read or uses an unsupported action stops localbase at start, naming it', async () => {
		const { checkTemplates } = await import('./auth/mailer.ts');
		const config = loadConfig({});
		const missing = {
			...config.auth.email.templates,
			recovery: { contentPath: '/nonexistent/recovery.html' }
		};
		expect(() =>
			checkTemplates({
				...config,
				auth: { ...config.auth, email: { ...config.auth.email, templates: missing } }
			})
		).toThrow(/recovery email template \/nonexistent\/recovery\.html .* cannot be read/);
		const file = configFile('');
		writeFileSync(file, '{{ range .Data }}x{{ end }}');
		const bad = { ...config.auth.email.templates, invite: { contentPath: file } };
		expect(() =>
			checkTemplates({ ...config, auth: { ...config.auth, email: { ...config.auth.email, templates: bad } } })
		).toThrow(/only substitutions/);
		expect(() => checkTemplates(config)).not.toThrow();
	});
});
