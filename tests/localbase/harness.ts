// Starts a localbase on a fresh database for one test file, and builds official supabase-js
// clients against it (with the `ws` transport, which Node 20 needs for realtime).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createSession, findUser, issuerFor } from '../../localbase/auth/tokens.ts';
import { loadConfig, type AuthSettings } from '../../localbase/config.ts';
import { startLocalbase, type Localbase } from '../../localbase/server.ts';
import { createTestDatabase } from '../support/database.ts';

export { wellKnown } from '../../localbase/config.ts';

/** Demo users created by supabase/seed.sql; every one signs in with `demoPassword`. */
export const demoUsers = {
	coach: 'coach@spotter.test',
	alex: 'alex@spotter.test',
	sam: 'sam@spotter.test',
	rival: 'rival@spotter.test',
	jordan: 'jordan@spotter.test',
	solo: 'solo@spotter.test'
} as const;
export const demoPassword = 'spotter-demo';

export interface TestLocalbase {
	url: string;
	/** The mail catcher's inbox and Mailpit-shaped API. */
	mailUrl: string;
	lb: Localbase;
	close(): Promise<void>;
}

/** Settings of supabase/config.toml's [auth] to change for one test file. */
export interface AuthOverrides extends Partial<Omit<AuthSettings, 'email'>> {
	email?: Partial<AuthSettings['email']>;
}

/**
 * A localbase on ephemeral ports (API and mail catcher) over a new database (PGlite, or a
 * throwaway server database), with supabase/config.toml's settings unless `auth` overrides some.
 */
export async function startTestLocalbase(
	opts: { seed?: boolean; auth?: AuthOverrides } = {}
): Promise<TestLocalbase> {
	const database = await createTestDatabase('platform');
	const defaults = loadConfig();
	const auth: AuthSettings = {
		...defaults.auth,
		...opts.auth,
		email: { ...defaults.auth.email, ...opts.auth?.email }
	};
	try {
		const lb = await startLocalbase({
			db: database.db,
			seed: opts.seed ?? false,
			config: { port: 0, auth, mail: { ...defaults.mail, enabled: true, port: 0 } }
		});
		return {
			url: lb.url,
			mailUrl: lb.mailUrl!,
			lb,
			close: async () => {
				await lb.close();
				await database.release();
			}
		};
	} catch (err) {
		await database.release();
		throw err;
	}
}

/** Signs a user in without going through /auth/v1: a new auth.sessions row and its access token. */
export async function mintAccessToken(lb: Localbase, userId: string): Promise<string> {
	const user = await findUser(lb.db, userId);
	if (!user) throw new Error(`mintAccessToken: no auth.users row ${userId}`);
	const session = await createSession(lb.db, user, lb.config, issuerFor(lb.config));
	return session.accessToken;
}

/** The id of a seeded or test-created user, by email. */
export async function userIdOf(lb: Localbase, email: string): Promise<string> {
	const { rows } = await lb.db.query<{ id: string }>('select id from auth.users where email = $1', [email]);
	if (!rows[0]) throw new Error(`no auth.users row for ${email}`);
	return rows[0].id;
}

export function createTestClient(url: string, key: string, accessToken?: string): SupabaseClient {
	const client = createClient(url, key, {
		realtime: { transport: WebSocket as never },
		auth: { autoRefreshToken: false, persistSession: false },
		...(accessToken ? { global: { headers: { Authorization: `Bearer ${accessToken}` } } } : {})
	});
	if (accessToken) client.realtime.setAuth(accessToken);
	return client;
}
