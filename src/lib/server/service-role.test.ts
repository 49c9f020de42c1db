import { describe, expect, it } from 'vitest';
import { serviceRoleKey } from './service-role';

describe('the service-role key', () => {
	it('is the one the environment names, the new secret key first', () => {
		const env = { SUPABASE_SECRET_KEY: 'sb_secret_mine', SUPABASE_SERVICE_ROLE_KEY: 'eyJlegacy' };
		expect(serviceRoleKey('https://abc.supabase.co', env)).toBe('sb_secret_mine');
		expect(serviceRoleKey('https://abc.supabase.co', { SUPABASE_SERVICE_ROLE_KEY: 'eyJlegacy' })).toBe(
			'eyJlegacy'
		);
	});

	it('falls back to the published local key only for a Supabase on this machine', () => {
		for (const url of ['http://127.0.0.1:54321', 'http://localhost:55221', 'http://[::1]:54321']) {
			expect(serviceRoleKey(url, {})).toMatch(/^sb_secret_/);
		}
		expect(serviceRoleKey('https://abc.supabase.co', {})).toBeNull();
		expect(serviceRoleKey('http://127.0.0.1.evil.test', {})).toBeNull();
	});
});
