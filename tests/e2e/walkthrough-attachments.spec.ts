// Walkthrough: photos in a conversation — the first message of a new conversation is a photo, it
// reaches the other side and opens full screen; files that cannot be sent are refused with their
// reason before anything is uploaded; a photo sent offline survives a reload and arrives once when
// the network is back; a photo whose upload the server removed while its message waited (over a
// day) is uploaded again from what the chat or the device kept.
// Every scenario has people of its own.
import { createClient } from '@supabase/supabase-js';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { apiUrl } from '../../playwright.config';
import {
	composer,
	controlledByServiceWorker,
	deviceOutbox,
	preloadList,
	newTraineeOf,
	newTrainer,
	secretKey,
	send,
	shoot,
	signIn,
	signedIn,
	visit,
	type Trainer
} from './support';

const GPS_MARKER = 'SPOTTER-GPS-SECRET';

/**
 * Signed in, without the service worker: with one in the page's path, Playwright's routes (and its
 * network log) can miss the page's requests. A CI run saw neither the signing nor the photo's loads
 * of a test below while the photo showed. These scenarios are about the chat, not the worker.
 */
async function signedInWithoutWorker(browser: Browser, email: string) {
	const context = await browser.newContext({
		viewport: { width: 1280, height: 800 },
		serviceWorkers: 'block'
	});
	const page = await context.newPage();
	await signIn(page, email);
	return { context, page };
}

/** Drops a JPEG on the chat as a file dragged in from the desktop; true when the chat took it. */
function dropPhoto(page: Page, photo: Buffer, name: string): Promise<boolean> {
	return page.evaluate(
		([bytes, fileName]) => {
			const files = new DataTransfer();
			files.items.add(new File([new Uint8Array(bytes)], fileName, { type: 'image/jpeg' }));
			const drop = new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true });
			document.querySelector('section.chat')!.dispatchEvent(drop);
			return drop.defaultPrevented;
		},
		[[...photo], name] as const
	);
}

/** A real JPEG (drawn by the browser) of `width`×`height`, with an EXIF block carrying a marker. */
async function photoWithExif(page: Page, width: number, height: number): Promise<Buffer> {
	const bytes = await page.evaluate(
		async ([w, h]) => {
			const canvas = new OffscreenCanvas(w, h);
			const ctx = canvas.getContext('2d')!;
			const gradient = ctx.createLinearGradient(0, 0, w, h);
			gradient.addColorStop(0, '#0f766e');
			gradient.addColorStop(1, '#fbbf24');
			ctx.fillStyle = gradient;
			ctx.fillRect(0, 0, w, h);
			const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
			return [...new Uint8Array(await blob.arrayBuffer())];
		},
		[width, height]
	);
	const jpeg = Buffer.from(bytes);
	// APP1 "Exif": a big-endian TIFF header and an empty IFD, then the marker where GPS data would be.
	const tiff = Buffer.concat([Buffer.from('MM\0*\0\0\0\x08\0\0\0\0\0\0', 'binary'), Buffer.from(GPS_MARKER)]);
	const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
	const app1 = Buffer.concat([
		Buffer.from([0xff, 0xe1]),
		Buffer.from([(payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
		payload
	]);
	return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

test('a photo as the first message of a new conversation: uploaded re-encoded without its location, shown to both, opened full screen', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	const { context, page } = await signedIn(browser, trainer.email);
	await visit(page, `/messages/with/${trainee.id}`);
	const photo = await photoWithExif(page, 3000, 2000);
	expect(photo.includes(GPS_MARKER)).toBe(true);

	// Held at the door for a moment: the composer shows the upload on its way.
	let release!: () => void;
	const held = new Promise<void>((r) => (release = r));
	await page.route('**/storage/v1/object/attachments/**', async (route) => {
		await held;
		await route.continue();
	});
	await page
		.getByTestId('attach-input')
		.setInputFiles({ name: 'Kniebeuge Pässe.jpg', mimeType: 'image/jpeg', buffer: photo });
	const pending = page.getByTestId('pending-file');
	await expect(pending).toHaveAttribute('data-status', 'uploading');
	await expect(pending.getByRole('progressbar')).toBeVisible();
	await shoot(page, 'attachments-composer-uploading');
	release();
	await expect(pending).toHaveAttribute('data-status', 'uploaded');
	await page.unrouteAll();

	// No text: the photo alone is the message, and it creates the conversation.
	await composer(page).focus();
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	const image = page.getByTestId('message').getByTestId('attachment-image');
	await expect(image).toBeVisible();
	await expect(image.locator('img')).toHaveJSProperty('complete', true);
	expect(await image.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

	// The database's row: the original name, an ASCII key in my folder, the re-encoded size.
	const { data: rows, error } = await trainee.client
		.from('message_attachments')
		.select('path, kind, mime_type, original_name, meta, message_id');
	expect(error).toBeNull();
	expect(rows).toHaveLength(1);
	const [row] = rows!;
	expect(row).toMatchObject({ kind: 'image', mime_type: 'image/jpeg', original_name: 'Kniebeuge Pässe.jpg' });
	expect(row.path).toBe(`${trainer.id}/${row.message_id}/Kniebeuge-Passe.jpg`);
	expect(row.meta).toMatchObject({ width: 2048, height: 1365 });
	// What was stored carries no EXIF block and no location.
	const { data: stored } = await trainee.client.storage.from('attachments').download(row.path);
	const storedBytes = Buffer.from(await stored!.arrayBuffer());
	expect(storedBytes.includes(GPS_MARKER)).toBe(false);
	expect(storedBytes.includes('Exif')).toBe(false);
	await shoot(page, 'attachments-chat-photo-sent');

	// The trainee sees it, sized before it loads, and opens it full screen.
	const other = await signedIn(browser, trainee.email);
	await other.page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	const theirs = other.page.getByTestId('attachment-image');
	await expect(theirs).toBeVisible();
	const box = await theirs.boundingBox();
	expect(box!.width / box!.height).toBeCloseTo(2048 / 1365, 1);
	await theirs.click();
	const viewer = other.page.getByTestId('media-viewer');
	await expect(viewer.getByTestId('viewer-image')).toBeVisible();
	await expect(viewer).toContainText('Kniebeuge Pässe.jpg');
	await shoot(other.page, 'attachments-viewer');
	await other.page.keyboard.press('Escape');
	await expect(viewer).toBeHidden();
	await other.context.close();
	await context.close();
});

test('a photo dropped on the chat before its file tools have loaded is kept, uploaded once they arrive, and sent', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	const { context, page } = await signedInWithoutWorker(browser, trainer.email);

	// The page's own modules (its preload list) arrive at once; what it loads on demand (the file
	// tools among it) waits until released.
	const path = `/messages/with/${trainee.id}`;
	const preloaded = await preloadList(page, path);
	expect(preloaded.size).toBeGreaterThan(5);
	let release!: () => void;
	const held = new Promise<void>((r) => (release = r));
	let heldBack = 0;
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		if (!preloaded.has(route.request().url())) {
			heldBack++;
			await held;
		}
		await route.continue();
	});
	await visit(page, path);
	await expect(page.getByTestId('attach-input')).toHaveCount(0);

	const photo = await photoWithExif(page, 800, 600);
	const prevented = await dropPhoto(page, photo, 'dropped squat.jpg');
	// Taken by the chat (the browser does not open the file in place of the app)…
	expect(prevented).toBe(true);
	expect(heldBack).toBeGreaterThan(0);
	await expect(page.getByTestId('pending-file')).toHaveCount(0);

	// …and added once the code arrives.
	release();
	const pending = page.getByTestId('pending-file');
	await expect(pending).toHaveCount(1);
	await expect(pending).toContainText('dropped squat.jpg');
	await expect(pending).toHaveAttribute('data-status', 'uploaded');
	await page.unrouteAll();
	await composer(page).fill('Dropped in before the page was ready');
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	const image = page.getByTestId('message').getByTestId('attachment-image');
	await expect(image.locator('img')).toHaveJSProperty('complete', true);
	expect(await image.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
	await context.close();
});

test('a photo dropped while the file tools cannot be fetched is refused with a reason, and taken once they can', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	const { context, page } = await signedInWithoutWorker(browser, trainer.email);
	// Every chunk the page loads on demand fails, as offline before the app was installed.
	const path = `/messages/with/${trainee.id}`;
	const preloaded = await preloadList(page, path);
	await page.route('**/_app/immutable/**/*.js', (route) =>
		preloaded.has(route.request().url()) ? route.continue() : route.abort('internetdisconnected')
	);
	await visit(page, path);
	const photo = await photoWithExif(page, 640, 480);
	expect(await dropPhoto(page, photo, 'lost squat.jpg')).toBe(true);
	await expect(page.getByTestId('action-error')).toContainText('Files cannot be attached right now');
	await expect(page.getByTestId('pending-file')).toHaveCount(0);

	// The code can be fetched again: the next drop loads it and takes the photo.
	await page.unrouteAll();
	expect(await dropPhoto(page, photo, 'second try.jpg')).toBe(true);
	await expect(page.getByTestId('pending-file')).toContainText('second try.jpg');
	await expect(page.getByTestId('pending-file')).toHaveAttribute('data-status', 'uploaded');
	await context.close();
});

test('files that cannot be sent are refused with their reason before anything is uploaded', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	const { context, page } = await signedIn(browser, trainer.email);
	await visit(page, `/messages/with/${trainee.id}`);
	let uploads = 0;
	page.on('request', (r) => {
		if (r.url().includes('/storage/v1/')) uploads++;
	});

	const jpegStart = Buffer.from([
		0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0
	]);
	const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]), Buffer.alloc(40)]);
	const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
	// 21 MB made in the page (sending it through the test driver takes a minute), picked as a file.
	await page.getByTestId('attach-input').evaluate(
		(input: HTMLInputElement, start) => {
			const picked = new DataTransfer();
			const bytes = new Uint8Array(21 * 1024 * 1024);
			bytes.set(start);
			picked.items.add(new File([bytes], 'huge.jpg', { type: 'image/jpeg' }));
			input.files = picked.files;
			input.dispatchEvent(new Event('change', { bubbles: true }));
		},
		[...jpegStart]
	);
	await page.getByTestId('attach-input').setInputFiles([
		{ name: 'program.zip', mimeType: 'application/zip', buffer: zip },
		{ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: pdf }
	]);
	const errors = page.getByTestId('file-error');
	await expect(errors).toHaveText([
		'“huge.jpg” is 21 MB. Photos can be at most 20 MB.',
		'“program.zip” can’t be sent: only photos, videos, audio, PDFs and plain text files can (this is ZIP).',
		'“photo.jpg” is named like a photo, but its contents are a PDF. Rename or re-export it and try again.'
	]);
	// Nothing to send, nothing sent.
	await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
	expect(uploads).toBe(0);
	await shoot(page, 'attachments-refused');
	// Removed, they are gone.
	for (const name of ['huge.jpg', 'program.zip', 'photo.jpg']) {
		await page.getByRole('button', { name: `Remove ${name}` }).click();
	}
	await expect(page.getByTestId('pending-file')).toHaveCount(0);
	await context.close();
});

/** The files the device outbox keeps for unsent messages (IndexedDB "spotter", store "outbox-files"). */
function keptFiles(page: Page): Promise<{ path: string; name: string; size: number }[]> {
	return page.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('spotter');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					if (!db.objectStoreNames.contains('outbox-files')) {
						db.close();
						resolve([]);
						return;
					}
					const request = db.transaction('outbox-files').objectStore('outbox-files').getAll();
					request.onsuccess = () => {
						db.close();
						resolve(
							request.result.map((f: { path: string; name: string; blob: Blob }) => ({
								path: f.path,
								name: f.name,
								size: f.blob.size
							}))
						);
					};
					request.onerror = () => reject(request.error);
				};
			})
	);
}

test('a photo sent offline survives a reload while still offline, and arrives once when the network is back', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	await send(trainer.client, trainee.id, 'Send me your squat from today');
	const { context, page } = await signedIn(browser, trainee.email);
	await controlledByServiceWorker(page);
	await page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	const photo = await photoWithExif(page, 800, 600);

	await context.setOffline(true);
	await page
		.getByTestId('attach-input')
		.setInputFiles({ name: 'squat.jpg', mimeType: 'image/jpeg', buffer: photo });
	await expect(page.getByTestId('pending-file')).toHaveAttribute('data-status', 'offline');
	await composer(page).fill('Here it is');
	await page.getByRole('button', { name: 'Send' }).click();
	const mine = page.getByTestId('message').filter({ hasText: 'Here it is' });
	await expect(mine.getByTestId('pending-file')).toHaveAttribute('data-status', 'offline');
	// On the device with its message: the re-encoded photo, under the message's own key.
	await expect
		.poll(() => keptFiles(page))
		.toEqual([
			{
				path: expect.stringMatching(new RegExp(`^${trainee.id}/[0-9a-f-]{36}/squat\\.jpg$`)),
				name: 'squat.jpg',
				size: expect.any(Number)
			}
		]);
	const [kept] = await keptFiles(page);
	expect(kept.size).toBeGreaterThan(0);

	// Reloaded without a network: the message and its photo come back from the device.
	const reloaded = await page.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	const restored = page.getByTestId('message').filter({ hasText: 'Here it is' });
	await expect(restored.getByTestId('pending-file')).toHaveAttribute('data-status', 'offline');
	await expect(restored.getByTestId('pending-file').locator('img')).toHaveJSProperty('complete', true);
	await shoot(page, 'attachments-offline-restored');
	await context.setOffline(false);

	await expect(restored.getByTestId('attachment-image')).toBeVisible({ timeout: 20_000 });
	// Once in the database, once on the trainer's side; the device keeps nothing more.
	const { data } = await trainer.client.from('messages').select('id, body').eq('sender_id', trainee.id);
	expect(data).toEqual([{ id: kept.path.split('/')[1], body: 'Here it is' }]);
	const { data: files } = await trainer.client
		.from('message_attachments')
		.select('path, original_name')
		.eq('message_id', data![0].id);
	expect(files).toEqual([{ path: kept.path, original_name: 'squat.jpg' }]);
	await expect.poll(() => keptFiles(page)).toEqual([]);
	await expect.poll(async () => (await deviceOutbox(page)).length).toBe(0);
	const other = await signedIn(browser, trainer.email);
	await other.page.getByTestId('conversation-row').filter({ hasText: trainee.name }).click();
	await expect(other.page.getByTestId('attachment-image')).toHaveCount(1);
	await expect(other.page.getByTestId('message').filter({ hasText: 'Here it is' })).toHaveCount(1);
	await other.context.close();
	await context.close();
});

test('a photo sent offline from a conversation left for the list, reloaded there, goes from the device outbox once when back', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	await send(trainer.client, trainee.id, 'Film the last set');
	const { context, page } = await signedIn(browser, trainee.email);
	await controlledByServiceWorker(page);
	await page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	const photo = await photoWithExif(page, 640, 480);

	await context.setOffline(true);
	await page
		.getByTestId('attach-input')
		.setInputFiles({ name: 'last set.jpg', mimeType: 'image/jpeg', buffer: photo });
	await expect(page.getByTestId('pending-file')).toHaveAttribute('data-status', 'offline');
	await page.getByRole('button', { name: 'Send' }).click();
	await expect.poll(async () => (await keptFiles(page)).length).toBe(1);
	// No conversation on screen: whatever sends it now is the outbox flush of the app itself.
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: /^Messages/ })
		.click();
	await expect(page).toHaveURL(/\/messages$/);
	const reloaded = await page.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await context.setOffline(false);

	const sentByAlex = async () =>
		(await trainer.client.from('messages').select('id').eq('sender_id', trainee.id)).data ?? [];
	await expect.poll(sentByAlex, { timeout: 20_000 }).toHaveLength(1);
	const [message] = await sentByAlex();
	const { data: files } = await trainer.client
		.from('message_attachments')
		.select('kind, original_name')
		.eq('message_id', message.id);
	expect(files).toEqual([{ kind: 'image', original_name: 'last set.jpg' }]);
	await expect.poll(() => keptFiles(page)).toEqual([]);
	await expect.poll(async () => (await deviceOutbox(page)).length).toBe(0);
	expect(await sentByAlex()).toHaveLength(1);
	await context.close();
});

/** A trainee with the conversation open in which the trainer asked for a photo. */
async function askedForAPhoto(browser: Browser, { worker }: { worker: boolean }) {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	await send(trainer.client, trainee.id, 'Show me the deadlift');
	const { context, page } = await signedIn(browser, trainee.email);
	if (worker) await controlledByServiceWorker(page);
	await page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
	return { trainer, trainee, context, page };
}

/**
 * A photo uploaded, its message's request lost (a connection that drops) and the phone then offline
 * for over a day, while the server removes the upload no message references (as its hourly job does
 * after a day, through the Storage API). Resolves with the photo's key in Storage.
 */
async function photoHeldPastItsUpload(page: Page, context: BrowserContext, text: string): Promise<string> {
	const photo = await photoWithExif(page, 640, 480);
	await page
		.getByTestId('attach-input')
		.setInputFiles({ name: 'deadlift.jpg', mimeType: 'image/jpeg', buffer: photo });
	await expect(page.getByTestId('pending-file')).toHaveAttribute('data-status', 'uploaded');
	await page.route('**/rest/v1/rpc/send_message', (route) => route.abort('internetdisconnected'));
	await composer(page).fill(text);
	await page.getByRole('button', { name: 'Send' }).click();
	const mine = page.getByTestId('message').filter({ hasText: text });
	await expect(mine.getByTestId('receipt')).toHaveAttribute('data-state', 'offline');
	await context.setOffline(true);
	// The device keeps the photo with its message, though it reached Storage.
	await expect.poll(async () => (await keptFiles(page)).length).toBe(1);
	const [kept] = await keptFiles(page);
	const admin = createClient(apiUrl, secretKey, { auth: { persistSession: false } });
	const removed = await admin.storage.from('attachments').remove([kept.path]);
	expect(removed.error).toBeNull();
	expect(removed.data).toHaveLength(1);
	await page.unrouteAll();
	return kept.path;
}

/** The message stored once, with its photo in the database and in Storage; the device keeps nothing. */
async function arrivedWithItsPhoto(page: Page, trainer: Trainer, sender: string, path: string, text: string) {
	const sentBy = async () =>
		(await trainer.client.from('messages').select('id, body').eq('sender_id', sender)).data ?? [];
	await expect.poll(sentBy, { timeout: 20_000 }).toEqual([{ id: path.split('/')[1], body: text }]);
	const { data: files } = await trainer.client
		.from('message_attachments')
		.select('path, original_name')
		.eq('message_id', path.split('/')[1]);
	expect(files).toEqual([{ path, original_name: 'deadlift.jpg' }]);
	const { data: stored, error } = await trainer.client.storage.from('attachments').download(path);
	expect(error).toBeNull();
	expect(stored!.size).toBeGreaterThan(0);
	const mine = page.getByTestId('message').filter({ hasText: text });
	await expect(mine.getByTestId('attachment-image')).toBeVisible();
	await expect(page.getByRole('alert')).toHaveCount(0);
	await expect.poll(() => keptFiles(page)).toEqual([]);
	await expect.poll(async () => (await deviceOutbox(page)).length).toBe(0);
}

test('a photo whose upload the server removed while its message waited offline for over a day is uploaded again from the chat, and arrives once', async ({
	browser
}) => {
	const { trainer, trainee, context, page } = await askedForAPhoto(browser, { worker: false });
	const path = await photoHeldPastItsUpload(page, context, 'Top set, 140 kg');
	await context.setOffline(false);
	await arrivedWithItsPhoto(page, trainer, trainee.id, path, 'Top set, 140 kg');
	await context.close();
});

test('after a restart, a photo whose upload the server removed while its message waited offline is uploaded again from the device, and arrives once', async ({
	browser
}) => {
	const { trainer, trainee, context, page } = await askedForAPhoto(browser, { worker: true });
	const path = await photoHeldPastItsUpload(page, context, 'Top set, 150 kg');
	// The app closed and opened again, still offline: only the device has the photo now.
	const reloaded = await page.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	const restored = page.getByTestId('message').filter({ hasText: 'Top set, 150 kg' });
	await expect(restored.getByTestId('receipt')).toHaveAttribute('data-state', 'offline');
	await context.setOffline(false);
	await arrivedWithItsPhoto(page, trainer, trainee.id, path, 'Top set, 150 kg');
	await context.close();
});

test('a photo removed again right after it was uploaded again offers Retry (the device still has it), which sends it once with its photo', async ({
	browser
}) => {
	const { trainer, trainee, context, page } = await askedForAPhoto(browser, { worker: false });
	const text = 'Top set, 160 kg';
	const path = await photoHeldPastItsUpload(page, context, text);
	// Back online the send is refused (the file is gone) and the photo uploaded again; the server
	// removes it once more as soon as that upload is stored, before the app hears it was.
	const admin = createClient(apiUrl, secretKey, { auth: { persistSession: false } });
	let removedAgain = 0;
	await page.route('**/storage/v1/**', async (route) => {
		const response = await route.fetch();
		if (route.request().method() !== 'GET' && removedAgain === 0) {
			const { data } = await admin.storage.from('attachments').remove([path]);
			removedAgain += data?.length ?? 0;
		}
		await route.fulfill({ response });
	});
	await context.setOffline(false);
	const refusal = page.getByRole('alert').filter({ hasText: 'This device still has it' });
	await expect(refusal).toBeVisible({ timeout: 20_000 });
	expect(removedAgain).toBe(1);
	await page.unrouteAll();
	await refusal.getByRole('button', { name: 'Retry' }).click();
	await arrivedWithItsPhoto(page, trainer, trainee.id, path, text);
	await context.close();
});

test('a photo whose signed URL has expired (a chat open for over an hour) is signed again once and shows', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	const { context, page } = await signedInWithoutWorker(browser, trainee.email);
	const photo = await photoWithExif(page, 800, 600);
	const messageId = crypto.randomUUID();
	const path = `${trainer.id}/${messageId}/form.jpg`;
	const upload = await trainer.client.storage
		.from('attachments')
		.upload(path, photo, { contentType: 'image/jpeg' });
	expect(upload.error).toBeNull();
	const sent = await trainer.client.rpc('send_message', {
		recipient_id: trainee.id,
		body: 'Look at your hips here',
		message_id: messageId,
		attachments: [{ path, name: 'form.jpg', width: 800, height: 600 }]
	});
	expect(sent.error).toBeNull();

	// The first URL the page was given answers as Storage does once it has expired.
	const loads: string[] = [];
	let signings = 0;
	await page.route('**/storage/v1/object/sign/attachments**', async (route) => {
		const request = route.request();
		if (request.method() === 'POST') {
			signings++;
			return route.continue();
		}
		loads.push(request.url());
		if (loads.length > 1) return route.continue();
		// A signed URL's token counts in whole seconds: signed again within the same second it would
		// be the very same URL. Answered a little later, the fresh one differs, as an hour later.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		await route.fulfill({
			status: 400,
			contentType: 'application/json',
			body: JSON.stringify({
				statusCode: '400',
				error: 'InvalidJWT',
				message: '"exp" claim timestamp check failed'
			})
		});
	});
	await page.getByTestId('conversation-row').filter({ hasText: trainer.name }).click();
	const img = page.getByTestId('attachment-image').locator('img');
	await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(800);
	// Signed for the chat, then once more for the failed photo, with a URL of its own.
	expect(signings).toBe(2);
	expect(loads).toHaveLength(2);
	expect(loads[1]).not.toBe(loads[0]);
	await context.close();
});

test('a profile photo chosen in Settings is cropped to a square and shown to the other side instead of initials', async ({
	browser
}) => {
	const trainer = await newTrainer('Coach');
	const trainee = await newTraineeOf(trainer, 'Alex');
	await send(trainer.client, trainee.id, 'Welcome!');
	const { context, page } = await signedIn(browser, trainer.email);
	await visit(page, '/settings');
	const photo = await photoWithExif(page, 1200, 800);
	await page
		.getByTestId('avatar-input')
		.setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: photo });
	await expect(page.getByTestId('photo-status')).toHaveText('Saved.');
	const { data: me } = await trainer.client
		.from('profiles')
		.select('avatar_path, avatar_url')
		.eq('id', trainer.id)
		.single();
	expect(me!.avatar_path).toMatch(new RegExp(`^${trainer.id}/[0-9a-f-]{36}\\.jpg$`));
	// Public, square, without the EXIF block.
	const response = await fetch(me!.avatar_url);
	expect(response.status).toBe(200);
	const bytes = Buffer.from(await response.arrayBuffer());
	expect(bytes.includes(GPS_MARKER)).toBe(false);
	const side = await page.evaluate(async (url) => {
		const bitmap = await createImageBitmap(await (await fetch(url)).blob());
		return [bitmap.width, bitmap.height];
	}, me!.avatar_url);
	expect(side).toEqual([256, 256]);

	const other = await signedIn(browser, trainee.email);
	const row = other.page.getByTestId('conversation-row').filter({ hasText: trainer.name });
	await expect(row.locator('img.avatar')).toHaveAttribute('src', me!.avatar_url);
	await other.context.close();
	await context.close();
});
