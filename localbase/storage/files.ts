// Object files on disk. Every upload writes a new file named by its version (a fresh UUID), and a
// row of storage.objects points at the version it serves: files are never rewritten in place, a
// replaced or deleted object's old file is removed after the row change commits, and no key from a
// request ever becomes part of a path.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { copyFile, link, mkdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const versionPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Written {
	size: number;
	/** Hex MD5 of the bytes: the object's ETag, as the Storage API's file backend reports it. */
	md5: string;
	/** More bytes came than `limit` allows; nothing was kept. */
	truncated: boolean;
}

export class ObjectFiles {
	readonly objectsDir: string;
	readonly uploadsDir: string;

	constructor(readonly root: string) {
		this.objectsDir = path.join(root, 'objects');
		this.uploadsDir = path.join(root, 'resumable');
	}

	async init(): Promise<void> {
		await mkdir(this.objectsDir, { recursive: true });
		await mkdir(this.uploadsDir, { recursive: true });
	}

	newVersion(): string {
		return randomUUID();
	}

	pathOf(version: string): string {
		if (!versionPattern.test(version)) throw new Error(`not an object version: ${version}`);
		return path.join(this.objectsDir, version);
	}

	/**
	 * Streams `source` into the file of `version`, hashing as it goes. Past `limit` bytes the file is
	 * removed and the rest of the source is read and dropped, so the client still gets an answer.
	 */
	async write(source: Readable, version: string, limit: number): Promise<Written> {
		const file = this.pathOf(version);
		const hash = createHash('md5');
		let size = 0;
		let truncated = false;
		const counter = new Transform({
			transform(chunk: Buffer, _encoding, done) {
				size += chunk.length;
				if (size > limit) truncated = true;
				if (truncated) return done();
				hash.update(chunk);
				done(null, chunk);
			}
		});
		try {
			await pipeline(source, counter, createWriteStream(file));
		} catch (err) {
			await this.remove([version]);
			throw err;
		}
		if (truncated) await this.remove([version]);
		return { size, md5: hash.digest('hex'), truncated };
	}

	/** MD5 of a file already written (a finished resumable upload). */
	async md5Of(version: string): Promise<string> {
		const hash = createHash('md5');
		await pipeline(
			createReadStream(this.pathOf(version)),
			new Transform({
				transform(chunk: Buffer, _encoding, done) {
					hash.update(chunk);
					done();
				}
			})
		);
		return hash.digest('hex');
	}

	async size(version: string): Promise<number | undefined> {
		try {
			return (await stat(this.pathOf(version))).size;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw err;
		}
	}

	read(version: string, range?: { start: number; end: number }): ReadStream {
		return createReadStream(this.pathOf(version), range);
	}

	/** A second version with the same bytes (copy, move): a hard link, or a copy across devices. */
	async duplicate(from: string, to: string): Promise<void> {
		try {
			await link(this.pathOf(from), this.pathOf(to));
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
			await copyFile(this.pathOf(from), this.pathOf(to));
		}
	}

	/** Removes the files of these versions; already missing ones are fine. */
	async remove(versions: Iterable<string | null | undefined>): Promise<void> {
		for (const version of versions) {
			if (!version || !versionPattern.test(version)) continue;
			await unlink(this.pathOf(version)).catch((err: NodeJS.ErrnoException) => {
				if (err.code !== 'ENOENT') console.error(`[localbase] storage: could not remove ${version}:`, err);
			});
		}
	}

	/** Deletes the whole folder (a temporary one, on close). */
	async destroy(): Promise<void> {
		await rm(this.root, { recursive: true, force: true });
	}
}
