// Files of a message queued on an earlier run of the app, uploaded from what the device outbox kept
// (when no open chat holds that message: the chat uploads its own, with progress). Uploading is
// idempotent: each file goes to its fixed key under the message's id, and an object already there
// is this device's earlier try (upload.ts counts it as uploaded), so a file is never stored twice.
import type { OutboxFile } from '$lib/device/outbox';
import type { UserError } from '$lib/errors';
import { posterName } from './key';
import { ATTACHMENTS_BUCKET as BUCKET } from '$lib/data/attachments';
import type { AttachmentInput } from './pending.svelte';
import type { StorageTarget } from './upload';

/** The poster's key beside a video's key. */
export function posterPathOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return path.slice(0, slash + 1) + posterName(path.slice(slash + 1));
}

/** What send_message is told about a kept file (as PendingFile.input() says it). */
export function inputOf(file: OutboxFile): AttachmentInput {
	return {
		path: file.path,
		name: file.name,
		...file.meta,
		...(file.poster ? { poster_path: posterPathOf(file.path) } : {})
	};
}

/**
 * Uploads the kept files (and posters) one after another. Resolves ok, or with why not: `retryable`
 * when the network or the server may let it through later (the message then waits), not when
 * Storage refused the file itself (type, size).
 */
export async function uploadQueued(
	target: StorageTarget,
	files: OutboxFile[]
): Promise<{ ok: true } | { ok: false; error: UserError }> {
	const { startUpload } = await import('./upload');
	for (const file of files) {
		const parts = [{ key: file.path, blob: file.blob, contentType: file.mime }];
		if (file.poster)
			parts.push({ key: posterPathOf(file.path), blob: file.poster, contentType: 'image/jpeg' });
		for (const part of parts) {
			const outcome = await startUpload(target, { bucket: BUCKET, ...part }).done;
			if (!outcome.ok) {
				return {
					ok: false,
					error: {
						code: 'upload-failed',
						message: `“${file.name}” did not upload: ${outcome.message}`,
						retryable: outcome.retryable
					}
				};
			}
		}
	}
	return { ok: true };
}
