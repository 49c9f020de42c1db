// /storage/v1/bucket: list, get, create, update, empty and delete, each run as the caller against
// storage.buckets (RLS on, no policy: in practice the service role), and the buckets of
// supabase/config.toml created or brought up to date at start, as `supabase start` does.
import { storageErrors, isPgError } from './errors.ts';
import { mustBeValidBucketName, mustBeValidMimeTypeEntry, parseBucketSizeLimit } from './limits.ts';
import { sendJson } from './respond.ts';
import { runAs } from './scope.ts';
import { deleteObjectRows, jsonRow, ownerColumns, type Call, type StorageService } from './service.ts';

const listColumns =
	'id, name, public, owner, created_at, updated_at, file_size_limit, allowed_mime_types, type';
const getColumns = 'id, name, owner, public, created_at, updated_at, file_size_limit, allowed_mime_types';

export async function listBuckets(call: Call, query: URLSearchParams): Promise<void> {
	const { svc, res, scope, who } = call;
	const values: unknown[] = [];
	const where: string[] = [];
	const search = query.get('search');
	if (search) {
		values.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
		where.push(`name ilike $${values.length}`);
	}
	const sortColumn = query.get('sortColumn');
	if (sortColumn && !['id', 'name', 'created_at', 'updated_at'].includes(sortColumn)) {
		throw storageErrors.invalidRequest('querystring/sortColumn must be equal to one of the allowed values');
	}
	const order = query.get('sortOrder') === 'desc' ? 'desc' : 'asc';
	let paging = '';
	for (const name of ['limit', 'offset'] as const) {
		const raw = query.get(name);
		if (raw === null) continue;
		const n = Number(raw);
		if (!Number.isSafeInteger(n) || n < (name === 'limit' ? 1 : 0)) {
			throw storageErrors.invalidRequest(`querystring/${name} must be an integer`);
		}
		values.push(n);
		paging += ` ${name} $${values.length}`;
	}
	const { rows } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query(
			`select ${listColumns} from storage.buckets ${where.length ? `where ${where.join(' and ')}` : ''}
			 ${sortColumn ? `order by "${sortColumn}" ${order}` : ''}${paging}`,
			values
		)
	);
	sendJson(res, 200, jsonRow(rows));
}

export async function getBucket(call: Call, id: string): Promise<void> {
	const { svc, res, scope, who } = call;
	const { rows } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query(`select ${getColumns} from storage.buckets where id = $1 limit 1`, [id])
	);
	if (!rows[0]) throw storageErrors.noSuchBucket();
	sendJson(res, 200, jsonRow(rows[0]));
}

interface BucketFields {
	public?: boolean;
	file_size_limit?: number | null;
	allowed_mime_types?: string[] | null;
}

function bucketFields(svc: StorageService, body: Record<string, unknown>): BucketFields {
	const fields: BucketFields = {};
	if (body.public !== undefined) {
		if (typeof body.public !== 'boolean') throw storageErrors.invalidRequest('body/public must be boolean');
		fields.public = body.public;
	}
	const limit = body.file_size_limit;
	if (limit === null) fields.file_size_limit = null;
	else if (typeof limit === 'number' || typeof limit === 'string') {
		fields.file_size_limit = parseBucketSizeLimit(limit, svc.settings.fileSizeLimit);
	} else if (limit !== undefined) {
		throw storageErrors.invalidRequest('body/file_size_limit must be integer,string,null');
	}
	const types = body.allowed_mime_types;
	if (types === null) fields.allowed_mime_types = null;
	else if (Array.isArray(types)) {
		if (types.some((t) => typeof t !== 'string')) {
			throw storageErrors.invalidRequest('body/allowed_mime_types must be array of strings');
		}
		const list = (types as string[]).filter((t) => t);
		list.forEach(mustBeValidMimeTypeEntry);
		fields.allowed_mime_types = list;
	} else if (types !== undefined) {
		throw storageErrors.invalidRequest('body/allowed_mime_types must be array');
	}
	return fields;
}

export async function createBucket(call: Call, body: Record<string, unknown>): Promise<void> {
	const { svc, res, scope, who } = call;
	if (typeof body.name !== 'string')
		throw storageErrors.invalidRequest("body must have required property 'name'");
	const name = body.name;
	if (name.trim() !== name) throw storageErrors.invalidBucketName();
	mustBeValidBucketName(name);
	if (body.type !== undefined && body.type !== 'STANDARD') {
		throw storageErrors.notSupported(`${String(body.type)} buckets (analytics and vector buckets)`);
	}
	const id = typeof body.id === 'string' && body.id ? body.id : name;
	const fields = bucketFields(svc, body);
	const owner = who.owner;
	try {
		await runAs(svc.ctx, who, scope, (tx) =>
			tx.query(
				`insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, type)
				 values ($1, $2, $3, $4, $5, $6, $7, 'STANDARD')`,
				[
					id,
					name,
					ownerColumns(owner).owner ?? null,
					owner ?? null,
					fields.public ?? false,
					fields.file_size_limit ?? null,
					fields.allowed_mime_types ?? null
				]
			)
		);
	} catch (err) {
		if (isPgError(err) && err.code === '23505') throw storageErrors.bucketAlreadyExists();
		throw err;
	}
	sendJson(res, 200, { name });
}

export async function updateBucket(call: Call, id: string, body: Record<string, unknown>): Promise<void> {
	const { svc, res, scope, who } = call;
	mustBeValidBucketName(id);
	const fields = bucketFields(svc, body);
	const entries = Object.entries(fields);
	if (entries.length === 0) throw storageErrors.noContent();
	const { rowCount } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query(
			`update storage.buckets set ${entries.map(([c], i) => `"${c}" = $${i + 1}`).join(', ')}
			 where id = $${entries.length + 1}`,
			[...entries.map(([, v]) => v), id]
		)
	);
	if (rowCount === 0) throw storageErrors.noSuchBucket();
	sendJson(res, 200, { message: 'Successfully updated' });
}

/** Removes every object of a bucket (rows as the service role, then their files). */
export async function emptyBucket(call: Call, id: string): Promise<void> {
	const { svc, res, scope, who } = call;
	const { rows: found } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query(`select id from storage.buckets where id = $1`, [id])
	);
	if (!found[0]) throw storageErrors.noSuchBucket();
	await deleteObjectRows(call, svc.admin, 'bucket_id = $1', [id]);
	sendJson(res, 200, { message: 'Empty bucket has been queued. Completion may take up to an hour.' });
}

export async function deleteBucket(call: Call, id: string): Promise<void> {
	const { svc, res, scope, who } = call;
	const { rows } = await runAs(svc.ctx, svc.admin, scope, (tx) =>
		tx.query(
			`select exists (select 1 from storage.buckets where id = $1) as bucket,
			        exists (select 1 from storage.objects where bucket_id = $1) as objects`,
			[id]
		)
	);
	const state = rows[0] as { bucket: boolean; objects: boolean };
	if (!state.bucket) throw storageErrors.noSuchBucket();
	if (state.objects) throw storageErrors.bucketNotEmpty();
	const { rowCount } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query(`delete from storage.buckets where id = any($1::text[])`, [[id]])
	);
	if (rowCount === 0) throw storageErrors.noSuchBucket();
	sendJson(res, 200, { message: 'Successfully deleted' });
}

/**
 * The buckets of config.toml, as `supabase start` seeds them: created when missing, otherwise
 * updated to the declared public flag, size limit and MIME types. A declared limit above the global
 * one stops the start with a message naming both.
 */
export async function ensureConfiguredBuckets(svc: StorageService): Promise<void> {
	for (const bucket of svc.settings.buckets) {
		mustBeValidBucketName(bucket.id);
		if (bucket.fileSizeLimit !== null && bucket.fileSizeLimit > svc.settings.fileSizeLimit) {
			throw new Error(
				`supabase/config.toml: [storage.buckets.${bucket.id}] file_size_limit (${bucket.fileSizeLimit} bytes) is above [storage] file_size_limit (${svc.settings.fileSizeLimit} bytes)`
			);
		}
		bucket.allowedMimeTypes?.forEach(mustBeValidMimeTypeEntry);
		await svc.ctx.db.query(
			`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
			 values ($1, $1, $2, $3, $4)
			 on conflict (id) do update set public = excluded.public, file_size_limit = excluded.file_size_limit,
			   allowed_mime_types = excluded.allowed_mime_types`,
			[bucket.id, bucket.public, bucket.fileSizeLimit, bucket.allowedMimeTypes]
		);
	}
}
