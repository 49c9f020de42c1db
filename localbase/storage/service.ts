// What every storage route shares: the settings, the files, the service-role requester, and the
// statements on storage.buckets and storage.objects, written as the Storage API writes them (so a
// policy sees the same INSERT, upsert, SELECT, UPDATE or DELETE it sees on hosted).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queryable } from '../../db/index.ts';
import type { LocalbaseContext } from '../context.ts';
import { storageErrors, isPgError } from './errors.ts';
import type { ObjectFiles } from './files.ts';
import { mustBeValidKey } from './limits.ts';
import { runAs, testPermission, type RequestScope, type Requester } from './scope.ts';
import type { StorageSettings } from './settings.ts';

export interface StorageService {
	ctx: LocalbaseContext;
	settings: StorageSettings;
	files: ObjectFiles;
	/** The service role: the Storage API's connection for lookups and final writes. */
	admin: Requester;
}

/** One storage request: the service, the HTTP exchange, its SQL scope and who it acts as. */
export interface Call {
	svc: StorageService;
	req: IncomingMessage;
	res: ServerResponse;
	scope: RequestScope;
	who: Requester;
}

export interface BucketRow {
	id: string;
	name: string;
	public: boolean;
	file_size_limit: number | null;
	allowed_mime_types: string[] | null;
}

export interface ObjectRow {
	id: string;
	bucket_id: string;
	name: string;
	owner_id: string | null;
	version: string | null;
	metadata: ObjectMetadata | null;
	user_metadata: Record<string, unknown> | null;
	created_at: Date;
	updated_at: Date;
	last_accessed_at: Date;
}

/** storage.objects.metadata as the Storage API writes it after an upload. */
export interface ObjectMetadata {
	eTag: string;
	size: number;
	mimetype: string;
	cacheControl: string;
	lastModified: string;
	contentLength: number;
	httpStatusCode: number;
	[key: string]: unknown;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[089ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The owner columns: owner_id is the JWT's sub as text, owner the same only when it is a UUID. */
export function ownerColumns(owner: string | undefined): Record<string, string | undefined> {
	return { owner: owner && uuidPattern.test(owner) ? owner : undefined, owner_id: owner };
}

export async function findBucket(
	svc: StorageService,
	who: Requester,
	scope: RequestScope,
	id: string,
	options: { mustExist?: boolean } = {}
): Promise<BucketRow | undefined> {
	const { rows } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query<BucketRow>(
			`select id, name, public, file_size_limit, allowed_mime_types from storage.buckets where id = $1 limit 1`,
			[id]
		)
	);
	if (!rows[0] && options.mustExist !== false) throw storageErrors.noSuchBucket();
	return rows[0];
}

export const objectColumns =
	'id, bucket_id, name, owner_id, version, metadata, user_metadata, created_at, updated_at, last_accessed_at';

export async function findObject(
	tx: Queryable,
	bucketId: string,
	name: string,
	options: { forUpdate?: boolean } = {}
): Promise<ObjectRow | undefined> {
	const { rows } = await tx.query<ObjectRow>(
		`select ${objectColumns} from storage.objects where name = $1 and bucket_id = $2 limit 1${options.forUpdate ? ' for update' : ''}`,
		[name, bucketId]
	);
	return rows[0];
}

/** Finds an object the requester can see: 404 NoSuchKey when it is missing or hidden by RLS. */
export async function mustFindObject(
	svc: StorageService,
	who: Requester,
	scope: RequestScope,
	bucketId: string,
	name: string
): Promise<ObjectRow> {
	mustBeValidKey(name);
	const row = await runAs(svc.ctx, who, scope, (tx) => findObject(tx, bucketId, name));
	if (!row) throw storageErrors.noSuchKey();
	return row;
}

interface Columns {
	[column: string]: unknown;
}

/** INSERT of the defined columns; jsonb values are sent as text and cast. */
function insertSql(record: Columns): { columns: string; placeholders: string; values: unknown[] } {
	const entries = Object.entries(record).filter(([, v]) => v !== undefined);
	return {
		columns: entries.map(([c]) => `"${c}"`).join(', '),
		placeholders: entries.map(([c], i) => `$${i + 1}${jsonColumns.has(c) ? '::jsonb' : ''}`).join(', '),
		values: entries.map(([c, v]) => (jsonColumns.has(c) && v !== null ? JSON.stringify(v) : v))
	};
}
const jsonColumns = new Set(['metadata', 'user_metadata']);

export interface UploadRecord {
	bucketId: string;
	name: string;
	owner: string | undefined;
	version: string;
	metadata: Record<string, unknown> | undefined;
	userMetadata: Record<string, unknown> | undefined;
}

/** The upload statement: a plain INSERT, or with upsert INSERT … ON CONFLICT DO UPDATE … RETURNING. */
export async function writeObject(
	tx: Queryable,
	record: UploadRecord,
	upsert: boolean
): Promise<ObjectRow | undefined> {
	const insert = insertSql({
		bucket_id: record.bucketId,
		name: record.name,
		...ownerColumns(record.owner),
		metadata: record.metadata,
		user_metadata: record.userMetadata,
		version: record.version
	});
	if (!upsert) {
		await tx.query(
			`insert into storage.objects (${insert.columns}) values (${insert.placeholders})`,
			insert.values
		);
		return undefined;
	}
	const updates = ['metadata', 'user_metadata', 'version', 'owner', 'owner_id']
		.filter((c) => insert.columns.includes(`"${c}"`))
		.map((c) => `"${c}" = excluded."${c}"`);
	const { rows } = await tx.query<ObjectRow>(
		`insert into storage.objects (${insert.columns}) values (${insert.placeholders})
		 on conflict (name, bucket_id) ${updates.length ? `do update set ${updates.join(', ')}` : 'do nothing'}
		 returning ${objectColumns}`,
		insert.values
	);
	return rows[0];
}

/**
 * Whether the requester may upload here: the upload statement run as them and rolled back (with
 * version '1' and the declared type and length as metadata, as the Storage API checks it).
 */
export async function canUpload(
	svc: StorageService,
	who: Requester,
	scope: RequestScope,
	options: {
		bucketId: string;
		name: string;
		owner: string | undefined;
		upsert: boolean;
		userMetadata: Record<string, unknown> | undefined;
		metadata: { mimetype?: string; contentLength?: number } | undefined;
	}
): Promise<void> {
	try {
		await testPermission(svc.ctx, who, scope, (tx) =>
			writeObject(
				tx,
				{
					bucketId: options.bucketId,
					name: options.name,
					owner: options.owner,
					version: '1',
					metadata: options.metadata,
					userMetadata: options.userMetadata
				},
				options.upsert
			)
		);
	} catch (err) {
		if (isPgError(err) && err.code === '23505') throw storageErrors.keyAlreadyExists();
		throw err;
	}
}

/**
 * The final write of an upload, as the service role: the row now points at `version`, and the file
 * of the version it replaces is removed once that commits. A non-upsert upload that finds the key
 * taken meanwhile (another upload finished first) is refused with 409 and its file removed.
 */
export async function completeUpload(
	svc: StorageService,
	scope: RequestScope,
	record: UploadRecord & { upsert: boolean }
): Promise<ObjectRow> {
	let replaced: string | null = null;
	try {
		const row = await runAs(svc.ctx, svc.admin, scope, async (tx) => {
			await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [
				`storage.objects/${record.bucketId}/${record.name}`
			]);
			const current = await findObject(tx, record.bucketId, record.name, { forUpdate: true });
			if (current && !record.upsert) throw storageErrors.keyAlreadyExists();
			replaced = current?.version ?? null;
			const written = await writeObject(tx, record, true);
			if (!written) throw new Error('upload upsert returned no row');
			return written;
		});
		if (replaced && replaced !== record.version) await svc.files.remove([replaced]);
		return row;
	} catch (err) {
		await svc.files.remove([record.version]);
		throw err;
	}
}

/**
 * Deletes storage.objects rows with one statement as `who` (rows RLS hides are skipped), then the
 * files of the deleted versions. Returns the deleted rows.
 */
export async function deleteObjectRows(
	call: Pick<Call, 'svc' | 'scope'>,
	who: Requester,
	where: string,
	params: unknown[]
): Promise<(Record<string, unknown> & { version: string | null })[]> {
	const { rows } = await runAs(call.svc.ctx, who, call.scope, (tx) =>
		tx.query<Record<string, unknown> & { version: string | null }>(
			`delete from storage.objects where ${where} returning *`,
			params
		)
	);
	await call.svc.files.remove(rows.map((r) => r.version));
	return rows;
}

/** The metadata column for an upload that was just written. */
export function uploadedMetadata(options: {
	md5: string;
	size: number;
	mimetype: string;
	cacheControl: string;
}): ObjectMetadata {
	return {
		eTag: `"${options.md5}"`,
		size: options.size,
		mimetype: options.mimetype,
		cacheControl: options.cacheControl,
		lastModified: new Date().toISOString(),
		contentLength: options.size,
		httpStatusCode: 200
	};
}

/** A row as JSON the way the Storage API (node-postgres) serializes it. */
export function jsonRow<T extends object>(row: T): T {
	return JSON.parse(JSON.stringify(row)) as T;
}
