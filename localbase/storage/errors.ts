// The Storage API's error bodies: `{statusCode, code, error, message}`, where `statusCode` is the
// real status as a string and the HTTP status is 400 for every error below 500 — except the few the
// Storage API sends with their own status (role enforcement 403, an unsatisfiable range 416).
// storage-js reads `statusCode` and `code` from the body, so clients see what they see on hosted.

export class StorageError extends Error {
	constructor(
		/** The status in the body (`statusCode`), and for resumable uploads the HTTP status. */
		readonly statusCode: number,
		readonly code: string,
		message: string,
		/** The body's legacy `error` field; the code when absent. */
		readonly error?: string,
		/** The HTTP status when it is not the Storage API's default (400, or 500 for 500). */
		readonly httpStatus?: number
	) {
		super(message);
	}

	get status(): number {
		return this.httpStatus ?? (this.statusCode === 500 ? 500 : 400);
	}

	body(): Record<string, string> {
		return {
			statusCode: String(this.statusCode),
			code: this.code,
			error: this.error ?? this.code,
			message: this.message
		};
	}
}

export const storageErrors = {
	noSuchKey: () => new StorageError(404, 'NoSuchKey', 'Object not found', 'not_found'),
	/** A row points at a file that is gone: the Storage API's own wording for a missing backend file. */
	missingFile: () => new StorageError(404, 'NoSuchKey', 'The resource was not found', 'Not found'),
	noSuchBucket: () => new StorageError(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found'),
	noSuchUpload: () => new StorageError(404, 'NoSuchUpload', 'Upload not found'),
	accessDenied: (message = 'Access denied') => new StorageError(403, 'AccessDenied', message, 'Unauthorized'),
	keyAlreadyExists: () =>
		new StorageError(409, 'KeyAlreadyExists', 'The resource already exists', 'Duplicate'),
	bucketAlreadyExists: () =>
		new StorageError(409, 'BucketAlreadyExists', 'The resource already exists', 'Duplicate'),
	bucketNotEmpty: () =>
		new StorageError(409, 'ResourceNotEmpty', 'The bucket you tried to delete is not empty'),
	entityTooLarge: (entity = 'object') =>
		new StorageError(
			413,
			'EntityTooLarge',
			`The ${entity} exceeded the maximum allowed size`,
			'Payload too large'
		),
	invalidMimeType: (mimeType: string) =>
		new StorageError(415, 'InvalidMimeType', `mime type ${mimeType} is not supported`, 'invalid_mime_type'),
	invalidKey: (key: string) => new StorageError(400, 'InvalidKey', `Invalid key: ${key}`),
	invalidBucketName: () => new StorageError(400, 'InvalidBucketName', 'Bucket name invalid', 'Invalid Input'),
	invalidJwt: (message = 'Invalid JWT') => new StorageError(400, 'InvalidJWT', message),
	invalidSignature: (message = 'Invalid signature') => new StorageError(400, 'InvalidSignature', message),
	expiredSignature: () => new StorageError(400, 'ExpiredToken', 'The provided token has expired.'),
	invalidRange: () => new StorageError(416, 'InvalidRange', 'invalid range provided', 'invalid_range', 416),
	invalidRequest: (message: string) => new StorageError(400, 'InvalidRequest', message),
	noContent: (message = 'No content provided') => new StorageError(400, 'InvalidRequest', message),
	missingParameter: (name: string) =>
		new StorageError(400, 'MissingParameter', `Missing Required Parameter ${name}`),
	invalidParameter: (name: string, message?: string) =>
		new StorageError(400, 'InvalidParameter', message ?? `Invalid Parameter ${name}`),
	invalidUploadId: (message = 'Invalid upload id') => new StorageError(400, 'InvalidUploadId', message),
	/** What localbase does not implement, named, with the status a disabled feature gets on hosted. */
	notSupported: (feature: string) =>
		new StorageError(
			403,
			'FeatureNotEnabled',
			`localbase does not support ${feature}`,
			'FeatureNotEnabled',
			403
		),
	notFoundRoute: (method: string, path: string) =>
		new StorageError(404, 'NotFound', `Route ${method}:${path} not found`, 'Not Found', 404),
	internal: () => new StorageError(500, 'InternalError', 'Internal Server Error', 'Internal')
};

interface PgErrorLike {
	code: string;
	message: string;
}

export function isPgError(err: unknown): err is PgErrorLike {
	return (
		typeof err === 'object' &&
		err !== null &&
		typeof (err as { code?: unknown }).code === 'string' &&
		/^[0-9A-Z]{5}$/.test((err as { code: string }).code)
	);
}

/** A database error as the Storage API reports it (its mapping of SQLSTATEs to codes). */
export function fromPgError(err: PgErrorLike): StorageError {
	switch (err.code) {
		case '42501':
			return storageErrors.accessDenied(
				err.message.includes('row-level security')
					? 'new row violates row-level security policy'
					: err.message
			);
		case '23505':
			return new StorageError(409, 'ResourceAlreadyExists', 'The resource already exists', 'Duplicate');
		case '57014':
			return new StorageError(
				544,
				'DatabaseTimeout',
				'The connection to the database timed out',
				undefined,
				544
			);
		case '22P02':
			return storageErrors.invalidParameter('value', err.message);
		default:
			return new StorageError(500, 'DatabaseError', `database error, code: ${err.code}`);
	}
}

/** Any thrown value as a Storage error; unexpected ones are logged and become 500. */
export function toStorageError(err: unknown): StorageError {
	if (err instanceof StorageError) return err;
	if (isPgError(err)) {
		const mapped = fromPgError(err);
		if (mapped.statusCode === 500) console.error('[localbase] storage: database error:', err);
		return mapped;
	}
	console.error('[localbase] storage: unexpected error:', err);
	return storageErrors.internal();
}
