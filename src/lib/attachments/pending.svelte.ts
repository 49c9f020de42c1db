// The files of the message being written: each prepared and uploaded as soon as it is added, with
// its progress, a way to cancel and retry; the message is sent once they are all uploaded.
import { SvelteSet } from 'svelte/reactivity';
import { uniqueNames, objectKey, posterName } from './key';
import { LIMITS, type AttachmentKind } from './limits';
import type { AttachmentMeta, Prepared } from './prepare';
import type { StorageTarget, UploadHandle, UploadOutcome } from './upload';
import type { OutboxFile } from '$lib/device/outbox';

export const BUCKET = 'attachments';

/** One item of send_message's `attachments` argument. */
export interface AttachmentInput extends AttachmentMeta {
	path: string;
	name: string;
	poster_path?: string;
}

export class PendingFile {
	readonly name: string;
	readonly safeName: string;
	kind = $state<AttachmentKind | null>(null);
	/**
	 * preparing → uploading → uploaded; offline (waits for the network, then goes on by itself);
	 * failed (retry), refused (type or size: remove it).
	 */
	status = $state<'preparing' | 'offline' | 'uploading' | 'uploaded' | 'failed' | 'refused'>('preparing');
	sent = $state(0);
	total = $state(0);
	error = $state<string | null>(null);
	/** An object URL of the photo or the video's poster, for the strip (revoked by `dispose`). */
	preview = $state<string | null>(null);
	meta: AttachmentMeta = {};

	#prepared: Extract<Prepared, { ok: true }> | null = null;
	/** Resolves once preparing is over (prepared or refused). */
	readonly #preparedOnce: Promise<void>;
	#donePreparing!: () => void;
	#uploads: UploadHandle[] = [];
	#waiters: (() => void)[] = [];
	readonly #key: string;
	readonly #target: StorageTarget;
	readonly #owner: { userId: string; messageId: string };

	constructor(
		readonly file: Blob,
		name: string,
		safeName: string,
		owner: { userId: string; messageId: string },
		target: StorageTarget,
		readonly recorded?: string,
		/** Prepared already, on an earlier run of the app (from the device outbox). */
		restored?: Extract<Prepared, { ok: true }>
	) {
		this.name = name;
		this.safeName = safeName;
		this.#owner = { userId: owner.userId, messageId: owner.messageId };
		this.#key = objectKey(owner.userId, owner.messageId, safeName);
		this.#target = target;
		this.#preparedOnce = new Promise((resolve) => (this.#donePreparing = resolve));
		if (restored) this.#adopt(restored);
		void this.#run();
	}

	/** A file of a message queued on an earlier run of the app, as the device outbox kept it. */
	static restore(file: OutboxFile, target: StorageTarget): PendingFile {
		return new PendingFile(
			file.blob,
			file.name,
			file.path.slice(file.path.lastIndexOf('/') + 1),
			{ userId: file.userId, messageId: file.messageId },
			target,
			undefined,
			{ ok: true, blob: file.blob, mime: file.mime, kind: file.kind, meta: file.meta, poster: file.poster }
		);
	}

	/**
	 * What the device outbox keeps of this file until it is uploaded: the prepared bytes (and
	 * poster), once preparing is over; null when the file was refused, so there is nothing to send.
	 */
	async forOutbox(position: number): Promise<OutboxFile | null> {
		await this.#preparedOnce;
		const prepared = this.#prepared;
		if (!prepared) return null;
		return {
			path: this.#key,
			messageId: this.#owner.messageId,
			userId: this.#owner.userId,
			name: this.name,
			position,
			blob: prepared.blob,
			mime: prepared.mime,
			kind: prepared.kind,
			meta: { ...prepared.meta },
			poster: prepared.poster
		};
	}

	#adopt(prepared: Extract<Prepared, { ok: true }>): void {
		this.#prepared = prepared;
		this.kind = prepared.kind;
		this.meta = prepared.meta;
		const shown = prepared.kind === 'image' ? prepared.blob : prepared.poster;
		if (shown) this.preview = URL.createObjectURL(shown);
	}

	get progress(): number {
		return this.total > 0 ? this.sent / this.total : 0;
	}

	get path(): string {
		return this.#key;
	}

	get posterPath(): string | undefined {
		return this.#prepared?.poster ? this.#key.replace(/[^/]+$/, posterName(this.safeName)) : undefined;
	}

	/** What send_message is told about this file. */
	input(): AttachmentInput {
		return {
			path: this.path,
			name: this.name,
			...this.meta,
			...(this.posterPath ? { poster_path: this.posterPath } : {})
		};
	}

	/** Resolves once the file is uploaded, or has failed or been refused (see `status`). */
	settled(): Promise<void> {
		if (this.status === 'uploaded' || this.status === 'failed' || this.status === 'refused') {
			return Promise.resolve();
		}
		return new Promise((resolve) => this.#waiters.push(resolve));
	}

	retry(): void {
		if (this.status !== 'failed') return;
		this.#cancelled = false;
		void this.#run();
	}

	/**
	 * Storage no longer has the uploaded file (it removes an upload no message references after a
	 * day): uploads it again from what this file holds, to the same key.
	 */
	uploadAgain(): void {
		if (this.status !== 'uploaded') return;
		// Not settled from here on (`settled()` waits), before the upload's first step.
		this.status = 'uploading';
		this.#cancelled = false;
		void this.#run();
	}

	cancel(): void {
		for (const upload of this.#uploads) upload.cancel();
		this.#uploads = [];
		if (this.#wake) {
			this.#cancelled = true;
			this.#wake();
			this.#settle('failed', 'Cancelled.');
		}
	}

	dispose(): void {
		this.cancel();
		if (this.preview) URL.revokeObjectURL(this.preview);
		this.preview = null;
	}

	#cancelled = false;

	/** Waits while the browser is offline; resolves to whether the file was cancelled meanwhile. */
	async #untilOnline(): Promise<boolean> {
		if (navigator.onLine) return false;
		this.status = 'offline';
		await new Promise<void>((resolve) => {
			const done = () => {
				removeEventListener('online', done);
				this.#wake = undefined;
				resolve();
			};
			this.#wake = done;
			addEventListener('online', done);
		});
		return this.#cancelled;
	}

	#wake: (() => void) | undefined;

	#settle(status: 'uploaded' | 'failed' | 'refused', error: string | null = null): void {
		this.status = status;
		this.error = error;
		const waiters = this.#waiters;
		this.#waiters = [];
		for (const resolve of waiters) resolve();
	}

	async #run(): Promise<void> {
		this.error = null;
		if (!this.#prepared) {
			this.status = 'preparing';
			const { prepare } = await import('./prepare');
			let prepared: Prepared;
			try {
				prepared = await prepare(this.file, this.name, this.recorded);
			} catch (err) {
				console.error('[attachments] preparing failed', err);
				this.#donePreparing();
				return this.#settle('refused', `“${this.name}” could not be read on this device.`);
			}
			if (!prepared.ok) {
				this.#donePreparing();
				return this.#settle('refused', prepared.message);
			}
			this.#adopt(prepared);
		}
		this.#donePreparing();
		const prepared = this.#prepared;
		if (!prepared) return;
		if (await this.#untilOnline()) return;
		this.status = 'uploading';
		const { startUpload } = await import('./upload');
		const parts = [{ key: this.#key, blob: prepared.blob, contentType: prepared.mime }];
		if (prepared.poster && this.posterPath) {
			parts.push({ key: this.posterPath, blob: prepared.poster, contentType: 'image/jpeg' });
		}
		const sentOf = parts.map(() => 0);
		this.total = parts.reduce((sum, p) => sum + p.blob.size, 0);
		this.sent = 0;
		this.#uploads = parts.map((part, i) =>
			startUpload(this.#target, {
				bucket: BUCKET,
				...part,
				onProgress: (sent) => {
					sentOf[i] = sent;
					this.sent = sentOf.reduce((a, b) => a + b, 0);
				}
			})
		);
		const outcomes: UploadOutcome[] = await Promise.all(this.#uploads.map((u) => u.done));
		this.#uploads = [];
		const failure = outcomes.find((o) => !o.ok);
		if (!failure || failure.ok) return this.#settle('uploaded');
		// The connection went away mid-way: carry on when it is back (TUS resumes at its offset).
		if (!failure.cancelled && failure.retryable && !navigator.onLine) return this.#run();
		this.#settle('failed', failure.cancelled ? 'Cancelled.' : failure.message);
	}
}

/** The files attached to the message being written, under that message's id. */
export class AttachmentDraft {
	messageId = $state(crypto.randomUUID());
	files = $state<PendingFile[]>([]);
	/** Why a file was not added (too many files). */
	notice = $state<string | null>(null);
	#names = new SvelteSet<string>();

	constructor(
		private readonly userId: string,
		private readonly target: StorageTarget
	) {}

	add(files: Iterable<File | { blob: Blob; name: string; recorded?: string }>): void {
		this.notice = null;
		const incoming = [...files].map((f) =>
			f instanceof Blob ? { blob: f, name: f.name, recorded: undefined } : f
		);
		const room = LIMITS.filesPerMessage - this.files.length;
		if (incoming.length > room) {
			this.notice = `A message can carry at most ${LIMITS.filesPerMessage} files; ${
				room <= 0 ? 'none were' : `only the first ${room} were`
			} added.`;
		}
		const added = incoming.slice(0, Math.max(0, room));
		// Distinct from each other and from the files already here.
		const names = uniqueNames([...this.#names, ...added.map((f) => f.name || 'file')]).slice(
			this.#names.size
		);
		for (const [i, f] of added.entries()) {
			this.#names.add(names[i]);
			this.files.push(
				new PendingFile(
					f.blob,
					f.name || 'file',
					names[i],
					{ userId: this.userId, messageId: this.messageId },
					this.target,
					f.recorded
				)
			);
		}
	}

	remove(file: PendingFile): void {
		file.dispose();
		this.files = this.files.filter((f) => f !== file);
		this.#names.delete(file.safeName);
	}

	/** Whether the message may be sent without text: at least one file that is not refused. */
	get hasFiles(): boolean {
		return this.files.some((f) => f.status !== 'refused');
	}

	get refused(): PendingFile[] {
		return this.files.filter((f) => f.status === 'refused');
	}

	/**
	 * Hands the files over to the message being sent and starts a fresh draft (a new message id).
	 * Refused files stay behind, to be read and removed.
	 */
	take(): { messageId: string; files: PendingFile[] } {
		const taken = { messageId: this.messageId, files: this.files.filter((f) => f.status !== 'refused') };
		this.files = this.files.filter((f) => f.status === 'refused');
		this.messageId = crypto.randomUUID();
		this.#names.clear();
		return taken;
	}

	dispose(): void {
		for (const f of this.files) f.dispose();
		this.files = [];
	}
}
