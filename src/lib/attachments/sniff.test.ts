import { describe, expect, it } from 'vitest';
import { sniff } from './sniff';

// The first bytes of real files: what file-type reads.
const jpeg = new Uint8Array([
	0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0
]);
const png = new Uint8Array([
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52
]);
const pdf = new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, ...new Array(30).fill(0)]);
const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0]);
const webm = new Uint8Array([
	0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42,
	0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d
]);

describe('sniffing a file’s real type', () => {
	it('reads a photo, a PDF and plain text from their bytes', async () => {
		expect(await sniff(new Blob([jpeg]), 'IMG_0001.JPG')).toEqual({
			ok: true,
			mime: 'image/jpeg',
			kind: 'image'
		});
		expect(await sniff(new Blob([png]), 'chart.png')).toEqual({ ok: true, mime: 'image/png', kind: 'image' });
		expect(await sniff(new Blob([pdf]), 'plan.pdf')).toEqual({
			ok: true,
			mime: 'application/pdf',
			kind: 'file'
		});
		expect(await sniff(new Blob(['Week 1: squats 5×5\n']), 'notes.txt')).toEqual({
			ok: true,
			mime: 'text/plain',
			kind: 'file'
		});
	});

	it('ignores what the browser or the name claims when the bytes say otherwise', async () => {
		// A PNG named .png but labelled image/jpeg by whatever produced it: the bytes win.
		expect(await sniff(new Blob([png], { type: 'image/jpeg' }), 'x.png')).toMatchObject({
			mime: 'image/png'
		});
	});

	it('refuses a file whose name claims a photo but whose bytes are a PDF', async () => {
		const result = await sniff(new Blob([pdf]), 'photo.jpg');
		expect(result).toEqual({
			ok: false,
			message:
				'“photo.jpg” is named like a photo, but its contents are a PDF. Rename or re-export it and try again.'
		});
	});

	it('refuses archives and programs, naming what they are', async () => {
		expect(await sniff(new Blob([zip]), 'program.zip')).toMatchObject({
			ok: false,
			message: expect.stringMatching(
				/^“program\.zip” can’t be sent: only photos, videos, audio, PDFs and plain text files can \(this is ZIP\)\.$/
			)
		});
		expect(await sniff(new Blob([exe]), 'setup.exe')).toMatchObject({ ok: false });
	});

	it('refuses unknown bytes, and text that is not a .txt file or not text', async () => {
		expect(await sniff(new Blob(['just words']), 'notes.md')).toMatchObject({ ok: false });
		expect(await sniff(new Blob([new Uint8Array([1, 0, 2, 0])]), 'data.txt')).toMatchObject({ ok: false });
		expect(await sniff(new Blob([new Uint8Array([0xc3, 0x28])]), 'bad.txt')).toMatchObject({ ok: false });
	});

	it('takes a voice note’s recorded type for WebM, whose bytes do not tell audio from video', async () => {
		expect(await sniff(new Blob([webm]), 'voice.webm', 'audio/webm;codecs=opus')).toEqual({
			ok: true,
			mime: 'audio/webm',
			kind: 'audio'
		});
	});
});
