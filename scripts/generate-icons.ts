// Renders the app icons in static/icons/ from the shapes of static/favicon.svg (a white chat
// bubble on teal), with no image tooling: a polygon rasterizer with 4×4 supersampling and a
// minimal PNG encoder. Run `npx tsx scripts/generate-icons.ts` after changing the design.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

type Point = [number, number];
type Rgba = [number, number, number, number];

const TEAL: Rgba = [0x0f, 0x76, 0x6e, 255];
const WHITE: Rgba = [255, 255, 255, 255];

/** An arc as points, from angle a0 to a1 (radians, SVG orientation: y down). */
function arc(cx: number, cy: number, r: number, a0: number, a1: number, steps = 12): Point[] {
	return Array.from({ length: steps + 1 }, (_, i) => {
		const a = a0 + ((a1 - a0) * i) / steps;
		return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as Point;
	});
}

/** The favicon's bubble path (64×64 units): M18 26h28v16a6 6 0 0 1-6 6H28l-8 6v-6a6 6 0 0 1-2-4z */
const bubble: Point[] = [
	[18, 26],
	[46, 26],
	[46, 42],
	...arc(40, 42, 6, 0, Math.PI / 2),
	[28, 48],
	[20, 54],
	[20, 48],
	...arc(23.98, 43.51, 6, Math.atan2(4.49, -3.98), Math.atan2(0.49, -5.98)),
	[18, 44]
];

function roundedSquare(size: number, radius: number): Point[] {
	const r = radius;
	return [
		...arc(size - r, r, r, -Math.PI / 2, 0),
		...arc(size - r, size - r, r, 0, Math.PI / 2),
		...arc(r, size - r, r, Math.PI / 2, Math.PI),
		...arc(r, r, r, Math.PI, (3 * Math.PI) / 2)
	];
}

function inside(poly: Point[], x: number, y: number): boolean {
	let hit = false;
	for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
		const [xi, yi] = poly[i];
		const [xj, yj] = poly[j];
		if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
	}
	return hit;
}

interface Layer {
	poly: Point[];
	color: Rgba;
}

/** Layers in 64-unit design space, painted in order, scaled to `size` pixels. */
function render(size: number, layers: Layer[]): Buffer {
	const pixels = Buffer.alloc(size * size * 4);
	const k = 64 / size;
	const samples = 4;
	for (let py = 0; py < size; py++) {
		for (let px = 0; px < size; px++) {
			let [r, g, b, a] = [0, 0, 0, 0];
			for (let sy = 0; sy < samples; sy++) {
				for (let sx = 0; sx < samples; sx++) {
					const x = (px + (sx + 0.5) / samples) * k;
					const y = (py + (sy + 0.5) / samples) * k;
					let color: Rgba | undefined;
					for (const layer of layers) if (inside(layer.poly, x, y)) color = layer.color;
					if (color) {
						r += color[0];
						g += color[1];
						b += color[2];
						a += color[3];
					}
				}
			}
			const n = samples * samples;
			const o = (py * size + px) * 4;
			// Colours are averaged over covered samples only (no dark fringe); alpha over all.
			const covered = a / 255 || 1;
			pixels[o] = Math.round(r / covered);
			pixels[o + 1] = Math.round(g / covered);
			pixels[o + 2] = Math.round(b / covered);
			pixels[o + 3] = Math.round(a / n);
		}
	}
	return png(size, pixels);
}

function png(size: number, rgba: Buffer): Buffer {
	const raw = Buffer.alloc(size * (size * 4 + 1));
	for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 6, 0, 0, 0], 8);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0))
	]);
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

function crc32(data: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of data) {
		crc ^= byte;
		for (let i = 0; i < 8; i++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** The bubble scaled about the centre (maskable icons keep content inside the middle 80 %). */
function scaled(poly: Point[], factor: number): Point[] {
	const [cx, cy] = [32, 40];
	return poly.map(([x, y]) => [32 + (x - cx) * factor, 32 + (y - cy) * factor] as Point);
}

const full: Point[] = [
	[0, 0],
	[64, 0],
	[64, 64],
	[0, 64]
];
const centred = scaled(bubble, 1.25);
const icons: Record<string, Buffer> = {
	'icon-192.png': render(192, [
		{ poly: roundedSquare(64, 14), color: TEAL },
		{ poly: centred, color: WHITE }
	]),
	'icon-512.png': render(512, [
		{ poly: roundedSquare(64, 14), color: TEAL },
		{ poly: centred, color: WHITE }
	]),
	'maskable-512.png': render(512, [
		{ poly: full, color: TEAL },
		{ poly: scaled(bubble, 1), color: WHITE }
	]),
	'apple-touch-icon-180.png': render(180, [
		{ poly: full, color: TEAL },
		{ poly: centred, color: WHITE }
	]),
	// Android's status-bar badge: only the alpha channel counts.
	'badge-96.png': render(96, [{ poly: scaled(bubble, 1.6), color: WHITE }])
};

const dir = path.resolve(import.meta.dirname, '..', 'static', 'icons');
await mkdir(dir, { recursive: true });
for (const [name, data] of Object.entries(icons)) {
	await writeFile(path.join(dir, name), data);
	console.log(`wrote static/icons/${name} (${data.length} bytes)`);
}
