// The optional chime for a message arriving in a background tab (attention.ts), generated with
// WebAudio (no sound file to download). Apart, so that pages load it only when it plays.

let audio: AudioContext | undefined;

/** Two short soft tones. Browsers play it only after the user has interacted with the page. */
export function chime(): void {
	audio ??= new AudioContext();
	const start = audio.currentTime;
	for (const [offset, frequency] of [
		[0, 880],
		[0.12, 1320]
	]) {
		const tone = audio.createOscillator();
		const gain = audio.createGain();
		tone.type = 'sine';
		tone.frequency.value = frequency;
		gain.gain.setValueAtTime(0.0001, start + offset);
		gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
		gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
		tone.connect(gain).connect(audio.destination);
		tone.start(start + offset);
		tone.stop(start + offset + 0.3);
	}
}
