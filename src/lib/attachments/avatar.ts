// A profile photo from a picked picture: its real type checked, the centre square cut out and
// re-encoded as a small JPEG on the device (what leaves it has no EXIF and no more than it needs).
import { LIMITS } from './limits';
import { sizeProblem } from './limits';
import { sniff } from './sniff';

/** The side of the stored square, in pixels (shown at most 64 CSS px, so 2× and some). */
export const AVATAR_SIDE = 256;

export async function cropAvatar(
	file: File
): Promise<{ ok: true; blob: Blob } | { ok: false; message: string }> {
	const sniffed = await sniff(file, file.name);
	if (!sniffed.ok) return sniffed;
	if (sniffed.kind !== 'image') return { ok: false, message: `“${file.name}” is not a photo.` };
	const tooLarge = sizeProblem('image', file.size, file.name);
	if (tooLarge) return { ok: false, message: tooLarge };
	let bitmap: ImageBitmap;
	try {
		// The camera's orientation is applied, then forgotten with the rest of the EXIF block.
		bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
	} catch {
		return { ok: false, message: `“${file.name}” can’t be opened in this browser. Try a JPEG or PNG.` };
	}
	const side = Math.min(bitmap.width, bitmap.height);
	const out = Math.min(AVATAR_SIDE, side, LIMITS.imageMaxSide);
	const canvas = document.createElement('canvas');
	canvas.width = out;
	canvas.height = out;
	const context = canvas.getContext('2d');
	if (!context) return { ok: false, message: 'This browser can’t prepare photos.' };
	context.drawImage(
		bitmap,
		(bitmap.width - side) / 2,
		(bitmap.height - side) / 2,
		side,
		side,
		0,
		0,
		out,
		out
	);
	bitmap.close();
	const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.88));
	return blob ? { ok: true, blob } : { ok: false, message: 'This browser can’t prepare photos.' };
}
