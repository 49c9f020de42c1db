// Storage settings: the `[storage]` sections of supabase/config.toml (the global upload limit and the
// buckets `supabase start` creates), plus localbase's own environment overrides.
import { parseSupabaseConfig, supabaseConfigPath } from '../config.ts';

export interface ConfiguredBucket {
	id: string;
	public: boolean;
	/** Bytes; null when config.toml sets none (the global limit applies). */
	fileSizeLimit: number | null;
	/** Null when config.toml sets none (any type). */
	allowedMimeTypes: string[] | null;
}

export interface StorageSettings {
	/** The global upload limit in bytes (`[storage] file_size_limit`); every bucket limit is capped by it. */
	fileSizeLimit: number;
	buckets: ConfiguredBucket[];
	/** How long a resumable upload URL lives (the Storage API's TUS_URL_EXPIRY_MS, 1 hour). */
	tusUrlExpiryMs: number;
	/** Lifetime of a signed upload URL in seconds (the Supabase CLI configures 2 hours). */
	signedUploadUrlExpirySeconds: number;
	/** Where object files live; undefined lets the service choose (see index.ts). */
	dir: string | undefined;
}

const defaultFileSizeLimit = 50 * 1024 * 1024;

/**
 * A size as the Supabase CLI reads it from config.toml: a number of bytes, or a number with a unit
 * where k/KB/KiB, M/MB/MiB and G/GB/GiB all count in powers of 1024 (the CLI's RAM-size parser).
 */
export function parseSize(value: unknown, where: string): number {
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
	if (typeof value === 'string') {
		const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(value);
		if (match) {
			const power = ['', 'k', 'm', 'g', 't'].indexOf(match[2].toLowerCase());
			return Math.floor(Number(match[1]) * 1024 ** power);
		}
	}
	throw new Error(
		`supabase/config.toml: ${where} must be a size such as "50MiB", not ${JSON.stringify(value)}`
	);
}

export function readStorageSettings(
	env: NodeJS.ProcessEnv = process.env,
	tomlPath = supabaseConfigPath
): StorageSettings {
	const toml = parseSupabaseConfig(tomlPath) as { storage?: Record<string, unknown> };
	const storage = toml.storage ?? {};
	const fileSizeLimit =
		storage.file_size_limit === undefined
			? defaultFileSizeLimit
			: parseSize(storage.file_size_limit, '[storage] file_size_limit');
	const buckets: ConfiguredBucket[] = [];
	const declared = (storage.buckets ?? {}) as Record<string, Record<string, unknown>>;
	for (const [id, bucket] of Object.entries(declared)) {
		const where = `[storage.buckets.${id}]`;
		const types = bucket.allowed_mime_types;
		if (types !== undefined && (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))) {
			throw new Error(`supabase/config.toml: ${where} allowed_mime_types must be a list of strings`);
		}
		buckets.push({
			id,
			public: bucket.public === true,
			fileSizeLimit:
				bucket.file_size_limit === undefined
					? null
					: parseSize(bucket.file_size_limit, `${where} file_size_limit`),
			allowedMimeTypes: (types as string[] | undefined) ?? null
		});
	}
	return {
		fileSizeLimit,
		buckets,
		tusUrlExpiryMs: Number(env.LOCALBASE_TUS_URL_EXPIRY_MS ?? 60 * 60 * 1000),
		signedUploadUrlExpirySeconds: Number(env.LOCALBASE_SIGNED_UPLOAD_URL_EXPIRY ?? 7200),
		dir: env.LOCALBASE_STORAGE_DIR || undefined
	};
}
