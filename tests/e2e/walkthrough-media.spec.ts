// Walkthrough: videos and voice notes between a coach and a trainee — a video recorded in the page
// (MediaRecorder over a canvas: real WebM, nothing downloaded) goes one way, a voice note recorded
// from Chromium's fake microphone goes the other, and each side sees a player with the duration;
// a 25 MB video keeps uploading where it stopped after the connection drops mid-way.
import { expect, test, type Page } from '@playwright/test';
import { composer, newTraineeOf, newTrainer, send, shoot, signedIn } from './support';

// Chromium's fake camera and microphone, granted without a prompt: MediaRecorder works headless.
test.use({
	launchOptions: {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--use-fake-device-for-media-stream',
			'--use-fake-ui-for-media-stream'
		]
	}
});

const MiB = 1024 * 1024;

/** A duration as the app shows it (0:07, 1:05). */
function shown(ms: number): string {
	const total = Math.round(ms / 1000);
	return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * Records `seconds` of a moving picture as WebM (VP8) in the page, pads it with zeros to
 * `padTo` bytes if given (the header still says WebM: the type sniffed from the bytes is video/webm),
 * and picks it in the composer's file input as `name`.
 */
async function attachRecordedVideo(page: Page, name: string, seconds: number, padTo = 0): Promise<void> {
	await page.getByTestId('attach-input').evaluate(
		async (input: HTMLInputElement, [name, seconds, padTo]) => {
			const canvas = document.createElement('canvas');
			canvas.width = 320;
			canvas.height = 240;
			const ctx = canvas.getContext('2d')!;
			let frame = 0;
			const draw = () => {
				ctx.fillStyle = '#0f766e';
				ctx.fillRect(0, 0, 320, 240);
				ctx.fillStyle = '#fbbf24';
				ctx.fillRect((frame * 8) % 320, 90, 60, 60);
				frame++;
			};
			draw();
			const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm;codecs=vp8' });
			const chunks: Blob[] = [];
			recorder.ondataavailable = (e) => chunks.push(e.data);
			const stopped = new Promise((resolve) => (recorder.onstop = resolve));
			const timer = setInterval(draw, 66);
			recorder.start();
			await new Promise((resolve) => setTimeout(resolve, (seconds as number) * 1000));
			recorder.stop();
			await stopped;
			clearInterval(timer);
			const parts: BlobPart[] = [...chunks];
			const size = chunks.reduce((sum, c) => sum + c.size, 0);
			if ((padTo as number) > size) parts.push(new Uint8Array((padTo as number) - size));
			const picked = new DataTransfer();
			picked.items.add(new File(parts, name as string, { type: 'video/webm' }));
			input.files = picked.files;
			input.dispatchEvent(new Event('change', { bubbles: true }));
		},
		[name, seconds, padTo] as const
	);
}

test('coach and trainee exchange a video and a voice note, and each side sees a player with its duration', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	await send(trainee.client, trainer.id, 'How was my squat?');

	// The coach films an answer: a two-second video, its poster and duration made on the device.
	const coach = await signedIn(browser, trainer.email);
	await coach.page.getByTestId('conversation-row').filter({ hasText: trainee.name }).click();
	await attachRecordedVideo(coach.page, 'bar path.webm', 2);
	await expect(coach.page.getByTestId('pending-file')).toHaveAttribute('data-status', 'uploaded', {
		timeout: 20_000
	});
	await composer(coach.page).fill('Watch the bar path');
	await coach.page.getByRole('button', { name: 'Send' }).click();
	const sentVideo = coach.page
		.getByTestId('message')
		.filter({ hasText: 'Watch the bar path' })
		.getByTestId('attachment-video');
	await expect(sentVideo).toBeVisible();

	const { data: videoRows } = await trainee.client
		.from('message_attachments')
		.select('kind, mime_type, original_name, meta');
	expect(videoRows).toHaveLength(1);
	expect(videoRows![0]).toMatchObject({
		kind: 'video',
		mime_type: 'video/webm',
		original_name: 'bar path.webm'
	});
	const videoMs = (videoRows![0].meta as { duration_ms: number }).duration_ms;
	expect(videoMs).toBeGreaterThan(1000);
	expect(videoMs).toBeLessThan(4000);
	expect(videoRows![0].meta).toMatchObject({ width: 320, height: 240, poster_path: expect.any(String) });

	// The trainee sees the poster with the duration, and plays it full screen.
	const alex = await signedIn(browser, trainee.email);
	await alex.context.grantPermissions(['microphone']);
	await alex.page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	const theirVideo = alex.page.getByTestId('attachment-video');
	await expect(theirVideo).toBeVisible();
	await expect(theirVideo).toContainText(shown(videoMs));
	await expect(theirVideo.locator('img')).toHaveJSProperty('complete', true);
	expect(await theirVideo.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
	await theirVideo.click();
	const player = alex.page.getByTestId('media-viewer').getByTestId('viewer-video');
	await expect(player).toBeVisible();
	// The browser read the stored video: its frame size and at least its metadata.
	await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1);
	expect(await player.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight])).toEqual([320, 240]);
	// The screenshot shows the poster: wait until the page has it.
	const posterUrl = await player.getAttribute('poster');
	expect(posterUrl).toBeTruthy();
	await alex.page.evaluate(
		(src) =>
			new Promise((resolve) => {
				const image = new Image();
				image.onload = image.onerror = resolve;
				image.src = src;
			}),
		posterUrl!
	);
	await shoot(alex.page, 'media-viewer-video');
	await alex.page.keyboard.press('Escape');

	// The trainee answers with a voice note from the (fake) microphone, about two seconds long.
	await alex.page.getByRole('button', { name: 'Record a voice message' }).click();
	const recording = alex.page.getByTestId('recording');
	// At least two seconds (a loaded machine may show the counter past 0:02 first).
	await expect(recording).toContainText(/Recording 0:(0[2-9]|[1-5]\d)/);
	await recording.getByRole('button', { name: 'Done' }).click();
	const pending = alex.page.getByTestId('pending-file');
	await expect(pending).toHaveAttribute('data-status', 'uploaded', { timeout: 20_000 });
	await alex.page.getByRole('button', { name: 'Send' }).click();

	const audioRows = async () =>
		(await trainer.client.from('message_attachments').select('kind, mime_type, meta').eq('kind', 'audio'))
			.data ?? [];
	await expect.poll(audioRows, { timeout: 20_000 }).toHaveLength(1);
	const voiceRows = await audioRows();
	expect(voiceRows![0]).toMatchObject({ kind: 'audio', mime_type: 'audio/webm' });
	const voiceMs = (voiceRows![0].meta as { duration_ms: number }).duration_ms;
	expect(voiceMs).toBeGreaterThan(1000);

	// The coach sees a voice note with its duration, playable: the browser loads its metadata.
	const voice = coach.page.getByTestId('voice-note');
	await expect(voice).toBeVisible({ timeout: 20_000 });
	await expect(voice.getByTestId('voice-duration')).toHaveText(shown(voiceMs));
	await expect(voice.getByRole('button', { name: /^Play voice message/ })).toBeEnabled();
	await expect
		.poll(() => voice.locator('audio').evaluate((a: HTMLAudioElement) => a.readyState))
		.toBeGreaterThanOrEqual(1);
	await expect(coach.page.getByTestId('attachment-video')).toHaveCount(1);
	await shoot(coach.page, 'media-chat');
	await alex.context.close();
	await coach.context.close();
});

test('a 25 MB video keeps uploading from where it stopped after the connection drops mid-way, and arrives once', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	await send(trainer.client, trainee.id, 'Film your whole set');
	const { context, page } = await signedIn(browser, trainee.email);
	await page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();

	// Every request of the resumable upload, with the offset a PATCH starts from.
	const requests: { method: string; offset: number | null; afterDrop: boolean }[] = [];
	let dropped = false;
	page.on('request', (r) => {
		if (!r.url().includes('/storage/v1/upload/resumable')) return;
		const offset = r.headers()['upload-offset'];
		requests.push({
			method: r.method(),
			offset: offset === undefined ? null : Number(offset),
			afterDrop: dropped
		});
	});
	// The creation carries the first 6 MB chunk; the connection drops as the next chunk leaves
	// (held here until the browser is offline, so a fast machine cannot finish first).
	let drop!: () => void;
	const droppedNow = new Promise<void>((resolve) => (drop = resolve));
	let reachedSecondChunk!: () => void;
	const secondChunk = new Promise<void>((resolve) => (reachedSecondChunk = resolve));
	await page.route('**/storage/v1/upload/resumable/**', async (route) => {
		if (route.request().method() !== 'PATCH' || dropped) return route.continue();
		reachedSecondChunk();
		await droppedNow;
		await route.abort('internetdisconnected');
	});

	const size = 25 * MiB;
	await attachRecordedVideo(page, 'full set.webm', 1, size);
	await secondChunk;
	await context.setOffline(true);
	dropped = true;
	drop();
	await page.unrouteAll({ behavior: 'wait' });
	const pending = page.getByTestId('pending-file');
	await expect(pending).toHaveAttribute('data-status', 'offline', { timeout: 30_000 });
	await composer(page).fill('My whole set');
	await page.getByRole('button', { name: 'Send' }).click();
	await context.setOffline(false);

	const mine = page.getByTestId('message').filter({ hasText: 'My whole set' });
	await expect(mine.getByTestId('attachment-video')).toBeVisible({ timeout: 90_000 });

	// Resumed: after the drop the client asked the server for its offset (HEAD) and sent from there;
	// nothing was sent again from the start, and no second upload was created.
	const after = requests.filter((r) => r.afterDrop);
	expect(after.some((r) => r.method === 'HEAD')).toBe(true);
	const resumedPatches = after.filter((r) => r.method === 'PATCH');
	expect(resumedPatches.length).toBeGreaterThan(0);
	for (const patch of resumedPatches) expect(patch.offset).toBeGreaterThanOrEqual(6 * MiB);
	expect(requests.filter((r) => r.method === 'POST' && r.afterDrop)).toEqual([]);

	// Once in the database, with the whole 25 MB object.
	const { data: messages } = await trainer.client.from('messages').select('id').eq('sender_id', trainee.id);
	expect(messages).toHaveLength(1);
	const { data: files } = await trainer.client
		.from('message_attachments')
		.select('kind, size_bytes')
		.eq('message_id', messages![0].id);
	expect(files!.map((f) => ({ kind: f.kind, size: Number(f.size_bytes) }))).toEqual([
		{ kind: 'video', size }
	]);
	await context.close();
});
