// Object keys for uploads. Storage refuses keys outside a small ASCII set (InvalidKey), so a file
// name becomes a safe ASCII name here; the original name travels in the attachment row.

const MAX_NAME = 100;

/** An ASCII file name Storage accepts, close to the original: "Trainingsplan März.pdf" → "Trainingsplan-Marz.pdf". */
export function sanitiseFileName(name: string): string {
	const ascii = (part: string) =>
		part
			// Letters with accents become the letter; the accents are separate code points after NFKD.
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.replace(/[^A-Za-z0-9_-]+/g, '-')
			.replace(/-{2,}/g, '-')
			.replace(/^-+|-+$/g, '');
	const dot = name.lastIndexOf('.');
	const extension = dot > 0 ? ascii(name.slice(dot + 1)).slice(0, 9) : '';
	const stem = ascii(dot > 0 ? name.slice(0, dot) : name) || 'file';
	const suffix = extension ? `.${extension}` : '';
	return stem.slice(0, MAX_NAME - suffix.length) + suffix;
}

/** Safe names for a message's files, distinct from each other ("a.jpg", "a-2.jpg"). */
export function uniqueNames(names: readonly string[]): string[] {
	const taken = new Set<string>();
	return names.map((name) => {
		const safe = sanitiseFileName(name);
		let candidate = safe;
		const dot = safe.lastIndexOf('.');
		const [stem, extension] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
		for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${extension}`;
		taken.add(candidate.toLowerCase());
		return candidate;
	});
}

/** Where a message's file goes in the `attachments` bucket: my folder, then the message's. */
export function objectKey(userId: string, messageId: string, safeName: string): string {
	return `${userId}/${messageId}/${safeName}`;
}

/** The poster image uploaded beside a video. */
export function posterName(safeName: string): string {
	const dot = safeName.lastIndexOf('.');
	return `${dot > 0 ? safeName.slice(0, dot) : safeName}.poster.jpg`;
}
