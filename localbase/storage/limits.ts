// The Storage API's input rules: which keys and bucket names it accepts, how a MIME type is matched
// against a bucket's list, and which size limit applies to an upload.
import { storageErrors } from './errors.ts';

// S3-safe characters only (no non-ASCII, `%`, `#`, brackets…); the hyphen is last to stay literal.
const validKey = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const validBucketName = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;

export function mustBeValidKey(key: string | undefined): asserts key is string {
	if (!key || !validKey.test(key)) throw storageErrors.invalidKey(key ?? '');
}

export function mustBeValidBucketName(name: string | undefined): asserts name is string {
	if (!name || name.length > 100 || !validBucketName.test(name)) throw storageErrors.invalidBucketName();
}

/** Folder placeholders (what the dashboard writes for an empty folder) are limited to 0 bytes. */
export function isEmptyFolder(key: string): boolean {
	return key.endsWith('.emptyFolderPlaceholder');
}

/**
 * Whether `mimeType` is in the bucket's list: `type/subtype` or `type/*`, compared as written —
 * parameters are not stripped, so `text/plain;charset=UTF-8` does not match `text/plain`.
 */
export function mustBeAllowedMimeType(mimeType: string, allowed: string[] | null | undefined): void {
	if (!allowed || allowed.length === 0) return;
	const [type, subtype] = mimeType.split('/');
	if (subtype === undefined) throw storageErrors.invalidMimeType(mimeType);
	for (const entry of allowed) {
		const [allowedType, allowedSubtype] = entry.split('/');
		if (allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype)) return;
	}
	throw storageErrors.invalidMimeType(mimeType);
}

/** A bucket's allowed_mime_types entry as bucket creation validates it. */
export function mustBeValidMimeTypeEntry(entry: string): void {
	if (
		entry.length > 1000 ||
		!/^([a-zA-Z0-9\-+.]+)\/([a-zA-Z0-9\-+.]+)(;\s*charset=[a-zA-Z0-9-]+)?$|\*$/.test(entry)
	) {
		throw storageErrors.invalidMimeType(entry);
	}
}

/** The upload limit: the bucket's, capped by the global one; 0 for a folder placeholder. */
export function uploadLimit(
	key: string,
	bucketLimit: number | null | undefined,
	globalLimit: number
): number {
	if (isEmptyFolder(key)) return 0;
	return typeof bucketLimit === 'number' ? Math.min(bucketLimit, globalLimit) : globalLimit;
}

/**
 * A bucket's file_size_limit from a request: bytes, or a string with a decimal unit (`"5MB"`,
 * `"1.5GB"`), refused with 413 when above the global limit.
 */
export function parseBucketSizeLimit(value: number | string, globalLimit: number): number {
	let bytes: number;
	if (typeof value === 'number') {
		bytes = value;
	} else {
		const match = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(value);
		if (!match)
			throw storageErrors.invalidRequest('Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B');
		const amount = Number(Number.parseFloat(match[1]).toPrecision(3));
		const unit = { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 }[match[2].toLowerCase() as 'gb' | 'mb' | 'kb' | 'b'];
		bytes = amount * unit;
	}
	if (!Number.isFinite(bytes) || bytes < 0) throw storageErrors.invalidRequest('Invalid file size limit');
	if (bytes > globalLimit) throw storageErrors.entityTooLarge();
	return Math.floor(bytes);
}
