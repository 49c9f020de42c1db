// What may be attached, and how large: the one place the app's limits live. The database and the
// bucket (supabase/config.toml, [storage.buckets.attachments]) enforce their own ceilings; these
// answer first, on the device, with a sentence, before anything is uploaded.

const MiB = 1024 * 1024;

export type AttachmentKind = 'image' | 'video' | 'audio' | 'file';

export const LIMITS = {
	/** A photo before it is downscaled and re-encoded on the device. */
	imageBytes: 20 * MiB,
	/** Videos, voice notes and documents, as uploaded (hosted's Free-plan ceiling per object). */
	videoBytes: 50 * MiB,
	fileBytes: 50 * MiB,
	/** Files per message. */
	filesPerMessage: 10,
	/** From this size an upload is resumable (TUS, 6 MB chunks), as Supabase recommends. */
	resumableFromBytes: 6 * MiB,
	/** The longest side of a photo after downscaling. */
	imageMaxSide: 2048
} as const;

/**
 * The types the `attachments` bucket accepts (its allowed_mime_types), as the sniffer reports
 * them. SVG is an image type but runs script when opened on its own, so it is sent as nothing.
 */
export function isAllowedType(mime: string): boolean {
	if (mime === 'image/svg+xml') return false;
	return /^(image|video|audio)\//.test(mime) || mime === 'application/pdf' || mime === 'text/plain';
}

export function kindOf(mime: string): AttachmentKind {
	if (mime.startsWith('image/')) return 'image';
	if (mime.startsWith('video/')) return 'video';
	if (mime.startsWith('audio/')) return 'audio';
	return 'file';
}

function limitFor(kind: AttachmentKind): number {
	if (kind === 'image') return LIMITS.imageBytes;
	if (kind === 'video') return LIMITS.videoBytes;
	return LIMITS.fileBytes;
}

const nouns: Record<AttachmentKind, string> = {
	image: 'Photos',
	video: 'Videos',
	audio: 'Voice notes and audio files',
	file: 'Files'
};

/** Why a file of this kind and size cannot be sent, or null when it can. */
export function sizeProblem(kind: AttachmentKind, bytes: number, name: string): string | null {
	if (bytes === 0) return `“${name}” is empty.`;
	const limit = limitFor(kind);
	if (bytes <= limit) return null;
	return `“${name}” is ${formatBytes(bytes)}. ${nouns[kind]} can be at most ${formatBytes(limit)}.`;
}

/** Sizes as people read them: 512 bytes, 14 KB, 3.2 MB (binary units, as the limits are set). */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
	const units = ['KB', 'MB', 'GB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	const shown = value >= 10 || Number.isInteger(value) ? Math.round(value) : Math.round(value * 10) / 10;
	return `${shown} ${units[unit]}`;
}
