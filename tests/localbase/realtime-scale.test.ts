// 1,000 concurrent sockets, each joined to a private channel (one RLS read probe per join), all
// receiving one database broadcast: the load the issue asks localbase to carry. The official
// RealtimeClient is used directly (what supabase-js wraps) to keep 1,000 clients light.
import { RealtimeClient, type RealtimeChannel } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
	demoUsers,
	mintAccessToken,
	startTestLocalbase,
	userIdOf,
	wellKnown,
	type TestLocalbase
} from './harness.ts';
import { subscribe, waitFor } from './realtime-support.ts';

const sockets = 1000;
const wave = 200;
let t: TestLocalbase;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
	t = await startTestLocalbase({ seed: true });
});
afterAll(async () => {
	for (const client of clients) client.disconnect();
	await t?.close();
});

test(`${sockets} sockets each join a private conversation channel and all receive a database broadcast`, async () => {
	const coach = await userIdOf(t.lb, demoUsers.coach);
	const alex = await userIdOf(t.lb, demoUsers.alex);
	const { rows } = await t.lb.db.query<{ id: string }>(
		'select id from public.conversations where trainer_id = $1 and trainee_id = $2',
		[coach, alex]
	);
	const topic = `conversation:${rows[0].id}`;
	const tokens = [await mintAccessToken(t.lb, coach), await mintAccessToken(t.lb, alex)];

	const received = new Set<number>();
	const channels: RealtimeChannel[] = [];
	for (let i = 0; i < sockets; i++) {
		const client = new RealtimeClient(`${t.url}/realtime/v1`, {
			params: { apikey: wellKnown.publishableKey },
			transport: WebSocket as never,
			// The joins of a loaded machine can outlast the default 25 s heartbeat, whose timeout
			// would close sockets that are merely waiting their turn.
			heartbeatIntervalMs: 120_000
		});
		await client.setAuth(tokens[i % 2]);
		clients.push(client);
		const channel = client.channel(topic, { config: { private: true } });
		channel.on('broadcast', { event: 'load' }, () => received.add(i));
		channels.push(channel);
	}

	// Sockets connect in waves (all stay open together): a thousand handshakes in one burst
	// overflow the listen backlog of a busy single-process server, which is not what this measures.
	const started = Date.now();
	const results = [];
	for (let i = 0; i < sockets; i += wave) {
		const batch = channels.slice(i, i + wave).map((channel) => subscribe(channel, 60_000));
		results.push(...(await Promise.all(batch)));
	}
	const joinMs = Date.now() - started;
	expect(results.filter((r) => r.status !== 'SUBSCRIBED')).toEqual([]);

	await t.lb.db.query(`select realtime.send('{"n": 1}'::jsonb, 'load', $1, true)`, [topic]);
	await waitFor(() => received.size === sockets, `all ${sockets} sockets to receive the broadcast`, 15_000);
	console.log(`[realtime-scale] ${t.lb.db.kind}: ${sockets} private joins in ${joinMs} ms`);
}, 120_000);
