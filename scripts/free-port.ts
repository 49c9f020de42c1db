// A port for a server that clients poll before it listens (a health check while it starts, a
// restart after kill -9). On a port from the kernel's ephemeral range, one of those connections can
// be handed that very port as its own local port and connect to itself (TCP simultaneous open); it
// then holds the port, and the server cannot listen (EADDRINUSE: seen in CI). Below the range no
// client's local port can be it.
import { readFile } from 'node:fs/promises';
import net from 'node:net';

/** Whether nothing listens on `port` on loopback: listens there for a moment. */
const listenable = (port: number) =>
	new Promise<boolean>((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});

/** A free port between 10,000 and the start of the kernel's ephemeral range (see above). */
export async function freePort(): Promise<number> {
	const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
	const low = Number(range.trim().split(/\s+/)[0]);
	const floor = 10_000;
	if (low - floor < 1000) throw new Error(`the ephemeral port range starts at ${low}: no room below it`);
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = floor + Math.floor(Math.random() * (low - floor));
		if (await listenable(port)) return port;
	}
	throw new Error(`no free port between ${floor} and ${low}`);
}
