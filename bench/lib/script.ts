// How each benchmark script ends: exit 0 when its work is done (open pools and sockets would keep
// Node running), or print the error and exit 1.

export function runScript(main: () => Promise<void>): void {
	main().then(
		() => process.exit(0),
		(err: unknown) => {
			console.error(err);
			process.exit(1);
		}
	);
}
