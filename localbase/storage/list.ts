// Listing, as the caller (RLS decides what is listed): list() through storage.search, as the
// Storage API calls it, and list-v2 with folders, a cursor and `hasNext`.
import { storageErrors } from './errors.ts';
import { sendJson } from './respond.ts';
import { runAs } from './scope.ts';
import { jsonRow, type Call } from './service.ts';

function optionalInt(value: unknown, name: string, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
		throw storageErrors.invalidRequest(`body/${name} must be a non-negative integer`);
	}
	return value;
}

export async function listObjects(
	call: Call,
	bucketId: string,
	body: Record<string, unknown>
): Promise<void> {
	const { svc, res, scope, who } = call;
	if (typeof body.prefix !== 'string')
		throw storageErrors.invalidRequest("body must have required property 'prefix'");
	let prefix = body.prefix;
	if (prefix.length > 0 && !prefix.endsWith('/')) prefix = `${prefix}/`;
	const sortBy = (typeof body.sortBy === 'object' && body.sortBy !== null ? body.sortBy : {}) as {
		column?: unknown;
		order?: unknown;
	};
	const { rows } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query(`select * from storage.search($1, $2, $3, $4, $5, $6, $7, $8)`, [
			prefix,
			bucketId,
			optionalInt(body.limit, 'limit', 100),
			prefix.split('/').length,
			optionalInt(body.offset, 'offset', 0),
			typeof body.search === 'string' ? body.search : '',
			typeof sortBy.column === 'string' ? sortBy.column : 'name',
			typeof sortBy.order === 'string' ? sortBy.order : 'asc'
		])
	);
	sendJson(res, 200, jsonRow(rows));
}

interface Cursor {
	after: string;
}

function encodeCursor(cursor: Cursor): string {
	return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: unknown): Cursor | undefined {
	if (typeof value !== 'string' || !value) return undefined;
	try {
		const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
		if (typeof parsed.after === 'string') return parsed;
	} catch {
		// fall through
	}
	throw storageErrors.invalidParameter('cursor', 'Invalid cursor');
}

interface ListedRow {
	key: string;
	id: string | null;
	name: string;
	updated_at: Date | null;
	created_at: Date | null;
	last_accessed_at: Date | null;
	metadata: Record<string, unknown> | null;
}

/**
 * list-v2: objects under `prefix` in byte order of their names; with `with_delimiter`, each folder
 * directly under the prefix appears once (its name ending in "/") instead of its contents.
 */
export async function listObjectsV2(
	call: Call,
	bucketId: string,
	body: Record<string, unknown>
): Promise<void> {
	const { svc, res, scope, who } = call;
	const prefix = typeof body.prefix === 'string' ? body.prefix : '';
	const limit = Math.min(optionalInt(body.limit, 'limit', 1000) || 1000, 1000);
	const delimited = body.with_delimiter === true;
	const sortBy = (typeof body.sortBy === 'object' && body.sortBy !== null ? body.sortBy : {}) as {
		order?: unknown;
	};
	const descending = sortBy.order === 'desc';
	const cursor = decodeCursor(body.cursor);
	const { rows } = await runAs(svc.ctx, who, scope, (tx) =>
		tx.query<ListedRow>(
			`with matched as (
			   select o.id, o.name, o.updated_at, o.created_at, o.last_accessed_at, o.metadata,
			          case when $4 and strpos(substr(o.name, char_length($2) + 1), '/') > 0
			               then left(o.name, char_length($2) + strpos(substr(o.name, char_length($2) + 1), '/'))
			          end as folder
			   from storage.objects o
			   where o.bucket_id = $1 and left(o.name, char_length($2)) = $2
			 ), entries as (
			   select distinct on (coalesce(m.folder, m.name) collate "C")
			          coalesce(m.folder, m.name) as key,
			          case when m.folder is null then m.id end as id,
			          coalesce(m.folder, m.name) as name,
			          case when m.folder is null then m.updated_at end as updated_at,
			          case when m.folder is null then m.created_at end as created_at,
			          case when m.folder is null then m.last_accessed_at end as last_accessed_at,
			          case when m.folder is null then m.metadata end as metadata
			   from matched m
			   order by coalesce(m.folder, m.name) collate "C"
			 )
			 select * from entries e
			 where $3::text is null or (case when $6 then e.key collate "C" < $3 else e.key collate "C" > $3 end)
			 order by case when $6 then null else e.key end collate "C" asc,
			          case when $6 then e.key end collate "C" desc
			 limit $5`,
			[bucketId, prefix, cursor?.after ?? null, delimited, limit + 1, descending]
		)
	);
	const hasNext = rows.length > limit;
	const page = rows.slice(0, limit);
	const folders = page.filter((r) => r.id === null).map((r) => ({ id: null, name: r.name, key: r.key }));
	const objects = page.filter((r) => r.id !== null).map(({ key, ...r }) => jsonRow({ ...r, key }));
	sendJson(res, 200, {
		hasNext,
		...(hasNext ? { nextCursor: encodeCursor({ after: page[page.length - 1].key }) } : {}),
		folders,
		objects
	});
}
