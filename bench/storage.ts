// Resumable upload throughput: a 25 MB file through localbase's /storage/v1/upload/resumable with
// tus-js-client in 6 MB chunks (what the app does for large videos), against writing the same bytes
// to a file on the same disk in the same chunks — the floor no upload path can beat. Also the
// standard (single request) upload of the same bytes. Part of `npm run bench` (section 8); alone:
// `npx tsx bench/storage.ts [--runs N]` (DATABASE_URL for a Postgres server, else PGlite).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from '@supabase/supabase-js';
import * as tus from 'tus-js-client';
import { wellKnown } from '../localbase/config.ts';
import { startLocalbase } from '../localbase/server.ts';
import { createScratchDatabase, type ScratchDatabase } from './lib/database.ts';
import { nowMs, summarize } from './lib/stats.ts';
import type { Row } from './report.ts';

const size = 25 * 1024 * 1024;
const chunkSize = 6 * 1024 * 1024;

async function writeToDisk(dir: string, data: Buffer, n: number): Promise<void> {
	const out = createWriteStream(path.join(dir, `disk-${n}`));
	for (let offset = 0; offset < data.length; offset += chunkSize) {
		const chunk = data.subarray(offset, offset + chunkSize);
		if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
	}
	await new Promise<void>((resolve, reject) =>
		out.end((err?: Error | null) => (err ? reject(err) : resolve()))
	);
}

function resumableUpload(url: string, data: Buffer, n: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const upload = new tus.Upload(data, {
			endpoint: `${url}/storage/v1/upload/resumable`,
			headers: { authorization: `Bearer ${wellKnown.serviceRoleKey}`, apikey: wellKnown.anonKey },
			metadata: {
				bucketName: 'attachments',
				objectName: `bench/resumable-${n}.mp4`,
				contentType: 'video/mp4'
			},
			chunkSize,
			retryDelays: [],
			uploadDataDuringCreation: true,
			onError: reject,
			onSuccess: () => resolve()
		});
		upload.start();
	});
}

const mbPerSecond = (ms: number) => `${(size / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`;

/**
 * `shared`: a migrated database to use (npm run bench passes its data database once the database
 * sections are done, sparing a second migration); else a scratch database of its own.
 */
export async function storageBenchmarks(
	runs = 5,
	log: (line: string) => void = console.log,
	shared?: ScratchDatabase
): Promise<Row[]> {
	const scratch = shared
		? { ...shared, release: async () => {} }
		: await createScratchDatabase(process.env.DATABASE_URL || undefined, 'storage');
	const dir = await mkdtemp(path.join(tmpdir(), 'spotter-bench-storage-'));
	const saved = process.env.LOCALBASE_STORAGE_DIR;
	process.env.LOCALBASE_STORAGE_DIR = path.join(dir, 'localbase');
	const lb = await startLocalbase({ db: scratch.db, seed: false, config: { port: 0 } });
	if (saved === undefined) delete process.env.LOCALBASE_STORAGE_DIR;
	else process.env.LOCALBASE_STORAGE_DIR = saved;
	const client = createClient(lb.url, wellKnown.secretKey, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
	const data = Buffer.alloc(size);
	for (let i = 0; i + 4 <= size; i += 4) data.writeUInt32LE(i, i);
	const samples = { disk: [] as number[], resumable: [] as number[], standard: [] as number[] };
	try {
		log(`  storage: ${runs} run(s) of 25 MB each on ${scratch.label}`);
		// One untimed round of each warms the file system, the database and the JIT.
		for (let n = -1; n < runs; n++) {
			let t = nowMs();
			await writeToDisk(dir, data, n);
			if (n >= 0) samples.disk.push(nowMs() - t);
			t = nowMs();
			await resumableUpload(lb.url, data, n);
			if (n >= 0) samples.resumable.push(nowMs() - t);
			t = nowMs();
			const { error } = await client.storage
				.from('attachments')
				.upload(`bench/standard-${n}.mp4`, data, { contentType: 'video/mp4' });
			if (error) throw error;
			if (n >= 0) samples.standard.push(nowMs() - t);
		}
	} finally {
		await lb.close();
		await scratch.release();
		await rm(dir, { recursive: true, force: true });
	}
	const disk = summarize(samples.disk);
	const row = (name: string, s: number[]): Row => {
		const summary = summarize(s);
		return {
			section: '8 media and coach tools',
			name,
			summary,
			value: mbPerSecond(summary.p50),
			ratio: `${(summary.p50 / disk.p50).toFixed(1)}× disk`
		};
	};
	return [
		{
			section: '8 media and coach tools',
			name: 'floor: write 25 MB to disk in 6 MB chunks',
			summary: disk,
			value: mbPerSecond(disk.p50)
		},
		row('  resumable upload of 25 MB (tus-js-client, 6 MB chunks)', samples.resumable),
		row('  standard upload of 25 MB (one request)', samples.standard)
	];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const i = process.argv.indexOf('--runs');
	const rows = await storageBenchmarks(i > 0 ? Number(process.argv[i + 1]) : 5);
	for (const r of rows) {
		console.log(
			`${r.name.padEnd(58)} p50 ${r.summary!.p50.toFixed(0).padStart(5)} ms  (min ${r.summary!.min.toFixed(0)}, max ${r.summary!.max.toFixed(0)})  ${r.value}${r.ratio ? `  ${r.ratio}` : ''}`
		);
	}
}
