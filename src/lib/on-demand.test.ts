import { describe, expect, it, vi } from 'vitest';
import { loadOnce, onDemand } from './on-demand';

const module = {
	async double(n: number) {
		return n * 2;
	},
	async fail() {
		throw new Error('refused');
	}
};

/** A load that fails the first time (offline, the chunk not cached yet), then succeeds. */
const failingOnce = () =>
	vi
		.fn<() => Promise<typeof module>>()
		.mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module'))
		.mockResolvedValue(module);

describe('code loaded on demand', () => {
	it('is loaded once, by the first call, however many calls wait for it', async () => {
		const load = vi.fn(async () => module);
		const loaded = loadOnce(load);
		expect(load).not.toHaveBeenCalled();
		const [a, b] = await Promise.all([loaded(), loaded()]);
		expect(a).toBe(module);
		expect(b).toBe(module);
		await loaded();
		expect(load).toHaveBeenCalledTimes(1);
	});

	it('is tried again after a failed load (offline, the chunk not cached yet), and then kept', async () => {
		const load = failingOnce();
		const loaded = loadOnce(load);
		await expect(loaded()).rejects.toThrow('Failed to fetch');
		await expect(loaded()).resolves.toBe(module);
		await loaded();
		expect(load).toHaveBeenCalledTimes(2);
	});

	it("calls the module's function with the caller's arguments, and passes on its answer and its errors", async () => {
		const load = vi.fn(async () => module);
		const lazy = onDemand(load);
		expect(load).not.toHaveBeenCalled();
		await expect(lazy.double(21)).resolves.toBe(42);
		await expect(lazy.fail()).rejects.toThrow('refused');
		expect(load).toHaveBeenCalledTimes(1);
	});

	it('is not mistaken for a promise, so it can be awaited or returned from an async function', async () => {
		const lazy = onDemand(async () => module);
		expect(await Promise.resolve(lazy)).toBe(lazy);
		await expect(lazy.double(3)).resolves.toBe(6);
	});

	it("answers what `notLoaded` gives when the load fails, without swallowing the module's own errors", async () => {
		const lazy = onDemand(failingOnce(), (error) => ({ ok: false, why: String(error) }));
		await expect(lazy.double(1)).resolves.toEqual({
			ok: false,
			why: 'TypeError: Failed to fetch dynamically imported module'
		});
		await expect(lazy.double(2)).resolves.toBe(4);
		await expect(lazy.fail()).rejects.toThrow('refused');
	});

	it('fails a call whose load failed, and loads again for the next one', async () => {
		const load = failingOnce();
		const lazy = onDemand(load);
		await expect(lazy.double(1)).rejects.toThrow('Failed to fetch');
		await expect(lazy.double(2)).resolves.toBe(4);
	});
});
