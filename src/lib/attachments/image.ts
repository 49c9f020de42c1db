// Photos are downscaled and re-encoded on the device (browser-image-compression): smaller uploads,
// and re-drawing through a canvas leaves the EXIF block — GPS position, camera serial — behind.
import type { Options } from 'browser-image-compression';
import { LIMITS } from './limits';

export interface PreparedImage {
	blob: Blob;
	mime: string;
	width: number;
	height: number;
}

/** Formats a canvas cannot write keep their look as JPEG; PNG and WebP keep transparency. */
function outputType(mime: string): string {
	return mime === 'image/png' || mime === 'image/webp' ? mime : 'image/jpeg';
}

/**
 * The photo as it is uploaded. GIFs stay as they are (re-drawing would stop the animation; GIF has
 * no EXIF). A format this browser cannot decode (HEIC outside Safari) is sent unchanged, with no
 * dimensions: the viewer then offers it as a download.
 */
export async function prepareImage(file: File, mime: string): Promise<PreparedImage | null> {
	if (mime === 'image/gif') return dimensionsOf(file, mime);
	const { default: imageCompression } = await import('browser-image-compression');
	const type = outputType(mime);
	const options: Options = {
		maxWidthOrHeight: LIMITS.imageMaxSide,
		// The worker would load the library again from a CDN: the app must work offline and alone.
		useWebWorker: false,
		fileType: type,
		initialQuality: 0.85,
		preserveExif: false
	};
	let out: File;
	try {
		out = await imageCompression(file, options);
	} catch (err) {
		// Not decodable here (HEIC in Chromium, a truncated file): sent as it is, shown as a file.
		console.warn('[attachments] image not re-encoded', err);
		return null;
	}
	// Already small enough: the library hands the original back, EXIF and all. Draw it once more.
	if (out === file) {
		const [, canvas] = await imageCompression.drawFileInCanvas(file, options);
		out = await imageCompression.canvasToFile(canvas, type, file.name, Date.now(), 0.9);
	}
	return dimensionsOf(out, type);
}

async function dimensionsOf(blob: Blob, mime: string): Promise<PreparedImage | null> {
	try {
		const bitmap = await createImageBitmap(blob);
		const { width, height } = bitmap;
		bitmap.close();
		return { blob, mime, width, height };
	} catch (err) {
		console.warn('[attachments] image not decodable', err);
		return null;
	}
}
