// End-to-end: the built app (vite build + preview) against a fresh localbase with the demo seed,
// in Debian's Chromium. Never downloads a browser.
import { defineConfig } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadVapidKeys } from './src/lib/server/push/vapid';

/**
 * Ports of their own, so a running `npm run dev` (54321 / 5173) does not interfere; below the
 * kernel's ephemeral range, so the health checks polling localbase while it starts can never be
 * handed its port and connect to themselves (scripts/free-port.ts).
 */
const apiPort = Number(process.env.E2E_API_PORT ?? 24421);
const appPort = Number(process.env.E2E_APP_PORT ?? 4173);
const mailPort = Number(process.env.E2E_MAIL_PORT ?? apiPort + 3);
export const apiUrl = `http://127.0.0.1:${apiPort}`;
/** localbase's mail catcher (Mailpit's API) for this suite. */
export const mailUrl = `http://127.0.0.1:${mailPort}`;
const appUrl = `http://127.0.0.1:${appPort}`;
const dataDir = path.join(tmpdir(), `spotter-e2e-${apiPort}`);
/**
 * The suite's Auth settings: config.toml's, except that an emailed link expires after
 * E2E_OTP_EXPIRY seconds and one mail of a kind goes to a user every 5 s, so that the scenarios can
 * see a link expire and the wait before another mail. Templates keep config.toml's files.
 */
export const otpExpirySeconds = Number(process.env.E2E_OTP_EXPIRY ?? 20);
const supabaseConfig = path.join(`${dataDir}-supabase`, 'config.toml');
mkdirSync(path.dirname(supabaseConfig), { recursive: true });
const toml = readFileSync(path.resolve('supabase/config.toml'), 'utf8');
const emailSection = toml.indexOf('\n[auth.email]\n');
writeFileSync(
	supabaseConfig,
	(
		toml.slice(0, emailSection) +
		toml.slice(emailSection).replace(/^max_frequency = "[^"]*"$/m, 'max_frequency = "5s"')
	)
		.replace(/^otp_expiry = \d+$/m, `otp_expiry = ${otpExpirySeconds}`)
		.replace(
			/content_path = "\.\/([^"]+)"/g,
			(_, file) => `content_path = ${JSON.stringify(path.resolve(file))}`
		)
);
/** A development VAPID pair of the suite's own (beside the data dir, which --reset empties). */
const { keys: vapid } = await loadVapidKeys({}, `${dataDir}-vapid.json`);

/**
 * The scenarios that never wait on the demo accounts' shared state: the walkthroughs and the coach
 * tools, inbox and profile scenarios make people of their own, and the axe checks only look (the
 * trainee they add to the demo trainer is theirs). They run two at a time, after the demo scenarios.
 */
const ownPeople = /(walkthrough-[a-z-]+|a11y|coach-tools|inbox|profile-settings)\.spec\.ts$/;

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results/artifacts',
	// The demo scenarios run one at a time (they share the demo trainer's inbox and badge); then the
	// walkthrough scenarios and the others that need no demo state (ownPeople), two at a time. Not
	// both at once: the one embedded-PGlite localbase serves every request in turn, and the demo
	// scenarios' live assertions (10 s) must not wait behind another worker's burst of sends.
	workers: 2,
	fullyParallel: false,
	// On CI a test gets one retry; one that passes only on retry is reported as flaky by npm test
	// (never counted as passed), so it is seen and fixed rather than hidden.
	retries: process.env.CI ? 1 : 0,
	timeout: 90_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? 'list' : [['list']],
	use: {
		baseURL: appUrl,
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		}
	},
	projects: [
		{ name: 'chromium', testIgnore: ownPeople, workers: 1 },
		{
			name: 'walkthrough',
			testMatch: ownPeople,
			fullyParallel: true,
			dependencies: ['chromium']
		}
	],
	webServer: [
		{
			command: 'npx tsx localbase/main.ts --reset',
			url: `${apiUrl}/health`,
			env: {
				LOCALBASE_PORT: String(apiPort),
				LOCALBASE_DATA_DIR: dataDir,
				DATABASE_URL: '',
				// Mailed links lead to this suite's app; the catcher gets a port of its own.
				LOCALBASE_SITE_URL: appUrl,
				LOCALBASE_SUPABASE_CONFIG: supabaseConfig,
				LOCALBASE_MAIL_PORT: String(mailPort)
			},
			reuseExistingServer: false,
			timeout: 120_000,
			stdout: 'ignore',
			stderr: 'pipe'
		},
		{
			command: `npx vite build && npx vite preview --port ${appPort} --strictPort`,
			url: `${appUrl}/sign-in`,
			env: {
				PUBLIC_SUPABASE_URL: apiUrl,
				PUBLIC_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH',
				PUBLIC_VAPID_PUBLIC_KEY: vapid.publicKey,
				// This localbase runs on embedded PGlite: no database for a dispatcher in the app server.
				DATABASE_URL: ''
			},
			reuseExistingServer: false,
			timeout: 240_000,
			stdout: 'ignore',
			stderr: 'pipe'
		}
	]
});
