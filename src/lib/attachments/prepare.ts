// From a picked, pasted, dropped or recorded file to what is uploaded: its real type, the limit
// for that type, a re-encoded photo or a video's poster and duration. Runs in the browser only.
import { sizeProblem, type AttachmentKind } from './limits';
import { sniff } from './sniff';

export interface AttachmentMeta {
	width?: number;
	height?: number;
	duration_ms?: number;
}

export type Prepared =
	| {
			ok: true;
			blob: Blob;
			mime: string;
			kind: AttachmentKind;
			meta: AttachmentMeta;
			/** A video's poster frame (JPEG), uploaded beside it. */
			poster: Blob | null;
	  }
	| { ok: false; message: string };

/** `recorded`: the MediaRecorder type of a voice note made in the app. */
export async function prepare(file: Blob, name: string, recorded?: string): Promise<Prepared> {
	const sniffed = await sniff(file, name, recorded);
	if (!sniffed.ok) return sniffed;
	const { mime, kind } = sniffed;
	const tooLarge = sizeProblem(kind, file.size, name);
	if (tooLarge) return { ok: false, message: tooLarge };
	if (kind === 'image') {
		const { prepareImage } = await import('./image');
		const image = await prepareImage(
			file instanceof File ? file : new File([file], name, { type: mime }),
			mime
		);
		if (!image) return { ok: true, blob: file, mime, kind, meta: {}, poster: null };
		return {
			ok: true,
			blob: image.blob,
			mime: image.mime,
			kind,
			meta: { width: image.width, height: image.height },
			poster: null
		};
	}
	if (kind === 'video') {
		const { probeVideo } = await import('./media');
		const facts = await probeVideo(file);
		if (!facts) return { ok: true, blob: file, mime, kind, meta: {}, poster: null };
		const { poster, ...meta } = facts;
		return { ok: true, blob: file, mime, kind, meta, poster };
	}
	if (kind === 'audio') {
		const { probeAudio } = await import('./media');
		const duration = await probeAudio(file);
		return {
			ok: true,
			blob: file,
			mime,
			kind,
			meta: duration === null ? {} : { duration_ms: duration },
			poster: null
		};
	}
	return { ok: true, blob: file, mime, kind, meta: {}, poster: null };
}
