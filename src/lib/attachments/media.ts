// What the chat needs to show a video or a voice note before it downloads: the duration, the
// frame size and a poster frame, read on the device with the browser's own decoder.

export interface VideoFacts {
	width: number;
	height: number;
	duration_ms: number;
	poster: Blob | null;
}

function load(element: HTMLMediaElement, blob: Blob): Promise<void> {
	const url = URL.createObjectURL(blob);
	return new Promise<void>((resolve, reject) => {
		element.onloadedmetadata = () => resolve();
		element.onerror = () => reject(new Error('not playable here'));
		element.preload = 'metadata';
		element.src = url;
	}).finally(() => {
		element.onloadedmetadata = null;
		element.onerror = null;
	});
}

function release(element: HTMLMediaElement): void {
	const url = element.src;
	element.removeAttribute('src');
	element.load();
	URL.revokeObjectURL(url);
}

/** WebM from MediaRecorder reports an infinite duration until the end is sought once. */
async function finiteDuration(element: HTMLMediaElement): Promise<number> {
	if (Number.isFinite(element.duration)) return element.duration;
	await new Promise<void>((resolve) => {
		element.ondurationchange = () => {
			if (Number.isFinite(element.duration)) resolve();
		};
		element.currentTime = Number.MAX_SAFE_INTEGER;
		setTimeout(resolve, 3000);
	});
	element.ondurationchange = null;
	return Number.isFinite(element.duration) ? element.duration : 0;
}

/**
 * Duration, size and a poster (JPEG, the frame at 0.5 s or the middle of a shorter video), or null
 * when this browser cannot decode the video (an iPhone HEVC .mov in Chromium): it is still sent.
 */
export async function probeVideo(blob: Blob): Promise<VideoFacts | null> {
	const video = document.createElement('video');
	video.muted = true;
	video.playsInline = true;
	try {
		await load(video, blob);
		const seconds = await finiteDuration(video);
		const at = Math.min(0.5, seconds / 2);
		await new Promise<void>((resolve) => {
			video.onseeked = () => resolve();
			video.currentTime = at;
			setTimeout(resolve, 3000);
		});
		const { videoWidth: width, videoHeight: height } = video;
		let poster: Blob | null = null;
		if (width > 0 && height > 0) {
			const scale = Math.min(1, 1280 / Math.max(width, height));
			const canvas = document.createElement('canvas');
			canvas.width = Math.round(width * scale);
			canvas.height = Math.round(height * scale);
			canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
			poster = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
		}
		return { width, height, duration_ms: Math.round(seconds * 1000), poster };
	} catch {
		return null;
	} finally {
		release(video);
	}
}

/** An audio file's duration in ms, or null when this browser cannot decode it. */
export async function probeAudio(blob: Blob): Promise<number | null> {
	const audio = document.createElement('audio');
	try {
		await load(audio, blob);
		return Math.round((await finiteDuration(audio)) * 1000);
	} catch {
		return null;
	} finally {
		release(audio);
	}
}
