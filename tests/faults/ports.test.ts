// The port a localbase process gets for the kill -9 test. While it is down, the test's clients
// keep connecting to it; on an ephemeral port one of them can be handed that port as its own and
// connect to itself, which holds the port and fails the restart (EADDRINUSE: seen in CI).
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { expect, test } from 'vitest';
import { freePort } from '../../scripts/free-port.ts';

test('a localbase process gets a free port below the ephemeral range, which no client connection is given', async () => {
	const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'))
		.trim()
		.split(/\s+/)
		.map(Number);
	const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
	expect(ports.filter((port) => port >= low)).toEqual([]);
	// Free means free: each can be listened on.
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(ports[0], '127.0.0.1', resolve);
	});
	expect((server.address() as net.AddressInfo).port).toBe(ports[0]);
	await new Promise((resolve) => server.close(resolve));
});
