import { RealtimeClient as Real } from '@supabase/realtime-js';
import { describe, expect, it } from 'vitest';
import { RealtimeClient } from './lazy-realtime';

// Nothing here connects: a real RealtimeClient opens its socket only when a channel subscribes.
const url = 'ws://127.0.0.1:9/realtime/v1';

describe('the browser build’s stand-in Realtime client', () => {
	it('refuses a channel before it is loaded, loudly, and lists none', async () => {
		const standIn = new RealtimeClient(url, { params: { apikey: 'key' } });
		expect(() => standIn.channel('user:1')).toThrow(/loadRealtime/);
		expect(standIn.getChannels()).toEqual([]);
		expect(await standIn.removeAllChannels()).toEqual([]);
	});

	it('hands the last token it was given to the real client when that loads, then passes calls straight on', async () => {
		const standIn = new RealtimeClient(url, { params: { apikey: 'key' } });
		await standIn.setAuth('first-token');
		await standIn.setAuth('latest-token');
		const real = await standIn.load();
		expect(real).toBeInstanceOf(Real);
		expect(real.accessTokenValue).toBe('latest-token');
		expect(await standIn.load()).toBe(real);

		await standIn.setAuth('refreshed-token');
		expect(real.accessTokenValue).toBe('refreshed-token');
		const channel = standIn.channel('user:1', { config: { private: true } });
		expect(standIn.getChannels()).toEqual([channel]);
		expect(channel.topic).toBe('realtime:user:1');
		await standIn.removeChannel(channel);
		expect(standIn.getChannels()).toEqual([]);
	});
});
