// A file's real type, read from its bytes (file-type), never from its name or the browser's guess:
// what is uploaded is labelled with it, and the database takes the type from that label.
import { isAllowedType, kindOf, type AttachmentKind } from './limits';

export type Sniffed = { ok: true; mime: string; kind: AttachmentKind } | { ok: false; message: string };

/** What a file name's extension claims, for the common cases a mismatch would confuse. */
const claimedByExtension: Record<string, AttachmentKind | 'pdf'> = {
	jpg: 'image',
	jpeg: 'image',
	png: 'image',
	gif: 'image',
	webp: 'image',
	heic: 'image',
	heif: 'image',
	avif: 'image',
	mp4: 'video',
	m4v: 'video',
	mov: 'video',
	mp3: 'audio',
	m4a: 'audio',
	wav: 'audio',
	oga: 'audio',
	opus: 'audio',
	pdf: 'pdf'
};

const describe: Record<AttachmentKind | 'pdf', string> = {
	image: 'a photo',
	video: 'a video',
	audio: 'an audio file',
	file: 'a file',
	pdf: 'a PDF'
};

function extensionOf(name: string): string {
	const dot = name.lastIndexOf('.');
	return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Plain text: no magic number, so the name says .txt and the start decodes as UTF-8 without NULs. */
async function looksLikeText(file: Blob, name: string): Promise<boolean> {
	if (extensionOf(name) !== 'txt') return false;
	const start = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
	if (start.includes(0)) return false;
	try {
		// A multi-byte character cut at the slice's end is not a reason to refuse.
		new TextDecoder('utf-8', { fatal: true }).decode(start, { stream: start.length === 64 * 1024 });
		return true;
	} catch {
		return false;
	}
}

/**
 * Reads the type from the bytes and answers whether it may be sent. `recorded` is the type a
 * recording in this app was made with (a voice note's `audio/webm`: WebM's bytes do not say
 * whether a video track is in it).
 */
export async function sniff(file: Blob, name: string, recorded?: string): Promise<Sniffed> {
	const { fileTypeFromBlob } = await import('file-type');
	const detected = await fileTypeFromBlob(file);
	let mime = detected?.mime as string | undefined;
	if (mime && recorded && mime.split('/')[1] === recorded.split(/[/;]/)[1]) mime = recorded.split(';')[0];
	if (!mime && (await looksLikeText(file, name))) mime = 'text/plain';
	if (!mime || !isAllowedType(mime)) {
		return {
			ok: false,
			message: `“${name}” can’t be sent: only photos, videos, audio, PDFs and plain text files can${
				detected ? ` (this is ${detected.ext.toUpperCase()})` : ''
			}.`
		};
	}
	const kind = kindOf(mime);
	const claimed = claimedByExtension[extensionOf(name)];
	const actual = mime === 'application/pdf' ? 'pdf' : kind;
	if (claimed && claimed !== actual) {
		return {
			ok: false,
			message: `“${name}” is named like ${describe[claimed]}, but its contents are ${describe[actual]}. Rename or re-export it and try again.`
		};
	}
	return { ok: true, mime, kind };
}
