// /rest/v1 — PostgREST over the public schema. Each request is one transaction run as the JWT's
// role with request.jwt.claims set (the settings PostgREST sets per request), so RLS applies as on hosted Supabase;
// results are built by Postgres (json_agg), so values serialize exactly as PostgREST's do.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queryable } from '../../db/index.ts';
import type { LocalbaseContext } from '../context.ts';
import { header, HttpError, readBody, send } from '../http.ts';
import { actAsLive, bearerOf, SESSION_ENDED, verifyToken, type Caller } from '../request-auth.ts';
import { exposedSchema, findFunctions, findRelation, type DbFunction, type Relation } from './catalog.ts';
import { fromPgError, isPgError, PgrstError, unsupported } from './errors.ts';
import {
	parseCondition,
	parseLogic,
	parseNonNegativeInt,
	parseOrder,
	parsePrefer,
	parseRangeHeader,
	parseSelect,
	splitTopLevel,
	type Prefer,
	type SelectItem
} from './parse.ts';
import {
	emptyLevel,
	ident,
	orderSql,
	pagingSql,
	Params,
	selectListSql,
	whereSql,
	type Level,
	type SelectContext
} from './sql.ts';

/** Supabase's local PostgREST caps every read at this many rows (`max_rows` in config.toml). */
const maxRows = 1000;
const singularMedia = 'application/vnd.pgrst.object+json';
const roleTimeouts: Record<string, string> = { anon: '3s', authenticated: '8s' };

interface Reply {
	status: number;
	body?: string;
	headers: Record<string, string>;
}

export async function handleRest(
	ctx: LocalbaseContext,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	let role = 'anon';
	try {
		const reply = await serve(ctx, req, url, (r) => (role = r));
		send(res, reply.status, reply.body, reply.headers);
	} catch (err) {
		const e = toPgrstError(err, role);
		send(res, e.status, e.body, e.headers);
	}
}

function toPgrstError(err: unknown, role: string): PgrstError {
	if (err instanceof PgrstError) return err;
	if (err instanceof HttpError) {
		return new PgrstError(
			err.status,
			String(err.body.code ?? 'PGRST000'),
			err.message,
			null,
			null,
			err.headers
		);
	}
	// The connection died under the request (terminated backend, restart): PostgREST's answer to a
	// client-side database error, 503, so the caller knows a retry may work.
	if (isPgError(err) && err.code?.startsWith('08')) {
		return new PgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', err.message);
	}
	if (isPgError(err)) return fromPgError(err, role);
	console.error('[localbase] rest: unexpected error:', err);
	return new PgrstError(500, 'PGRST000', 'localbase internal error', String(err));
}

const jwtError = (code: 'PGRST301' | 'PGRST303', message: string) =>
	new PgrstError(401, code, message, null, null, {
		'www-authenticate': `Bearer error="invalid_token", error_description="${message.replace(/"/g, "'")}"`
	});

/** Parameters that are not filters (`columns`/`on_conflict` on writes; `<embed>.x` variants too). */
const reserved = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict']);

interface ParsedQuery {
	select: SelectItem[];
	levels: Map<string, Level>;
	columns?: string[];
	onConflict?: string[];
	rest: Map<string, string[]>;
}

/** Reads the query string; keys in `argNames` (RPC arguments on GET) are returned in `rest`. */
function parseQuery(url: URL, argNames: Set<string> = new Set()): ParsedQuery {
	const levels = new Map<string, Level>([['', emptyLevel()]]);
	const level = (path: string) => {
		let l = levels.get(path);
		if (!l) levels.set(path, (l = emptyLevel()));
		return l;
	};
	const out: ParsedQuery = { select: [{ kind: 'star' }], levels, rest: new Map() };
	for (const [key, value] of url.searchParams) {
		if (argNames.has(key)) {
			out.rest.set(key, [...(out.rest.get(key) ?? []), value]);
			continue;
		}
		if (key === 'select') {
			out.select = parseSelect(value);
			continue;
		}
		if (key === 'columns') {
			out.columns = splitTopLevel(value).map((c) => c.trim().replace(/^"(.*)"$/s, '$1'));
			continue;
		}
		if (key === 'on_conflict') {
			out.onConflict = splitTopLevel(value).map((c) => c.trim().replace(/^"(.*)"$/s, '$1'));
			continue;
		}
		const logic = /^(?:(.+)\.)?(not\.)?(and|or)$/.exec(key);
		if (logic) {
			level(logic[1] ?? '').filters.push(parseLogic(logic[3] as 'and' | 'or', logic[2] !== undefined, value));
			continue;
		}
		const modifier = /^(?:(.+)\.)?(order|limit|offset)$/.exec(key);
		if (modifier) {
			const l = level(modifier[1] ?? '');
			if (modifier[2] === 'order') l.order.push(...parseOrder(value));
			else l[modifier[2] as 'limit' | 'offset'] = parseNonNegativeInt(key, value);
			continue;
		}
		if (reserved.has(key)) continue;
		// `rel.col=eq.1` filters an embedded resource; JSON paths (`data->a`) never contain dots.
		const dot = key.lastIndexOf('.');
		const path = dot > 0 && !key.includes('->') ? key.slice(0, dot) : '';
		const column = path ? key.slice(dot + 1) : key;
		level(path).filters.push(parseCondition(column, value, false));
	}
	return out;
}

function schemaCheck(req: IncomingMessage, method: string): void {
	const profile = header(req, method === 'GET' || method === 'HEAD' ? 'accept-profile' : 'content-profile');
	if (profile !== undefined && profile !== exposedSchema) {
		throw new PgrstError(
			406,
			'PGRST106',
			`Invalid schema: ${profile}`,
			null,
			`Only the following schemas are exposed: ${exposedSchema}`
		);
	}
}

interface Media {
	singular: boolean;
	stripNulls: boolean;
}

function negotiate(req: IncomingMessage): Media {
	const accept = header(req, 'accept');
	if (!accept) return { singular: false, stripNulls: false };
	for (const raw of accept.split(',')) {
		const [type, ...params] = raw.split(';').map((s) => s.trim().toLowerCase());
		const stripNulls = params.includes('nulls=stripped');
		if (type === singularMedia) return { singular: true, stripNulls };
		if (
			type === 'application/json' ||
			type === '*/*' ||
			type === 'application/*' ||
			type === 'application/vnd.pgrst.array+json'
		) {
			return { singular: false, stripNulls };
		}
	}
	throw new PgrstError(
		406,
		'PGRST107',
		`None of these media types are available: ${accept}`,
		null,
		'localbase answers application/json and application/vnd.pgrst.object+json only (no CSV, GeoJSON or EXPLAIN plans)'
	);
}

async function jsonBody(
	ctx: LocalbaseContext,
	req: IncomingMessage
): Promise<{ text: string; value: unknown }> {
	const text = await readBody(req, ctx.config.maxBodyBytes);
	try {
		return { text, value: JSON.parse(text) };
	} catch {
		throw new PgrstError(400, 'PGRST102', 'Empty or invalid json');
	}
}

async function serve(
	ctx: LocalbaseContext,
	req: IncomingMessage,
	url: URL,
	setRole: (role: string) => void
): Promise<Reply> {
	const method = req.method ?? 'GET';
	const path = url.pathname.slice('/rest/v1'.length);
	const segments = path
		.split('/')
		.filter(Boolean)
		.map((segment) => {
			try {
				return decodeURIComponent(segment);
			} catch {
				throw new PgrstError(404, 'PGRST125', `Invalid path specified in request URL: ${path}`);
			}
		});
	if (segments.length === 0) throw unsupported('the OpenAPI description at /rest/v1/');
	const isRpc = segments[0] === 'rpc' && segments.length === 2;
	if (segments.length !== 1 && !isRpc) {
		throw new PgrstError(404, 'PGRST125', `Invalid path specified in request URL: ${path}`);
	}
	schemaCheck(req, method);

	const token = bearerOf(header(req, 'apikey'), header(req, 'authorization'), ctx.config);
	if (!token) throw new PgrstError(401, 'PGRST301', 'No API key found in request', null, null, {});
	const verified = verifyToken(token, ctx.config);
	if (!verified.ok) {
		const f = verified.failure;
		throw jwtError(f.kind === 'expired' ? 'PGRST303' : 'PGRST301', f.message);
	}
	const caller = verified.caller;
	setRole(caller.role);

	const media = negotiate(req);
	const prefer = parsePrefer(
		req.headers.prefer === undefined ? undefined : ([] as string[]).concat(req.headers.prefer).join(',')
	);
	const body =
		method === 'POST' || method === 'PATCH' || method === 'PUT' ? await jsonBody(ctx, req) : undefined;

	const r: RequestState = { ctx, req, url, method, caller, media, prefer, body, path };
	if (isRpc) return callFunction(r, segments[1]);
	const table = segments[0];
	if (method === 'GET' || method === 'HEAD') return read(r, table);
	if (method === 'POST') return insert(r, table);
	if (method === 'PATCH') return update(r, table);
	if (method === 'DELETE') return remove(r, table);
	if (method === 'PUT')
		throw unsupported('PUT (single-row upsert); use POST with Prefer: resolution=merge-duplicates');
	throw new PgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
}

interface RequestState {
	ctx: LocalbaseContext;
	req: IncomingMessage;
	url: URL;
	method: string;
	caller: Caller;
	media: Media;
	prefer: Prefer;
	body: { text: string; value: unknown } | undefined;
	path: string;
}

/**
 * One transaction: what `prepare` reads of the catalog (as the server), then the session check with
 * the caller's role and settings, then `fn`. A read-only request makes the transaction READ ONLY
 * before any of the caller's SQL runs.
 */
function inTransaction<T>(
	r: RequestState,
	prepare: (tx: Queryable) => Promise<{ readOnly: boolean }>,
	fn: (tx: Queryable) => Promise<T>
): Promise<T> {
	return r.ctx.db.transaction(async (tx) => {
		const { readOnly } = await prepare(tx);
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(r.req.headers)) if (typeof v === 'string') headers[k] = v;
		const extra: Record<string, string> = {
			search_path: `${exposedSchema}, extensions`,
			'request.method': r.method,
			'request.path': r.path,
			'request.headers': JSON.stringify(headers),
			'request.cookies': '{}'
		};
		if (readOnly) extra.transaction_read_only = 'on';
		const timeout = roleTimeouts[r.caller.role];
		// PGlite runs in this thread and has no timer to cancel a statement with.
		if (timeout && r.ctx.db.kind === 'postgres') extra.statement_timeout = timeout;
		// The session check rides with the settings: one statement fewer per request.
		if (!(await actAsLive(tx, r.caller, extra))) throw jwtError('PGRST301', SESSION_ENDED);
		return fn(tx);
	});
}

function countHeaders(offset: number, page: number, total: number | undefined): Record<string, string> {
	const range = page > 0 ? `${offset}-${offset + page - 1}` : '*';
	return { 'content-range': `${range}/${total ?? '*'}` };
}

function singleError(rows: number): PgrstError {
	return new PgrstError(
		406,
		'PGRST116',
		'Cannot coerce the result to a single JSON object',
		`The result contains ${rows} rows`,
		null
	);
}

const jsonHeaders = (media: Media) => ({
	'content-type': `${media.singular ? singularMedia : 'application/json'}; charset=utf-8`
});

function bodyExpr(media: Media): string {
	const row = media.stripNulls ? 'json_strip_nulls(row_to_json(_r))' : '_r';
	return media.singular
		? `case when count(_r) = 1 then (json_agg(${row}) -> 0)::text end`
		: `coalesce(json_agg(${row}), '[]')::text`;
}

function leftoverLevels(levels: Map<string, Level>): void {
	for (const [path, level] of levels) {
		if (
			path !== '' &&
			(level.filters.length || level.order.length || level.limit !== undefined || level.offset)
		) {
			throw new PgrstError(
				400,
				'PGRST108',
				`'${path}' is not an embedded resource in this request`,
				null,
				`Verify that '${path}' is included in the 'select' query parameter.`
			);
		}
	}
}

// ----------------------------------------------------------------------------------------------
// Reads
// ----------------------------------------------------------------------------------------------

interface Source {
	/** `from …` target with its alias, e.g. `"public"."t" as "t"`. */
	from: string;
	alias: string;
	relation: Relation | undefined;
}

async function selectRows(
	r: RequestState,
	tx: Queryable,
	q: ParsedQuery,
	source: Source,
	p: Params
): Promise<Reply> {
	const root = q.levels.get('') ?? emptyLevel();
	const range = parseRangeHeader(header(r.req, 'range'));
	const offset = root.offset ?? range?.offset ?? 0;
	const requested = root.limit ?? range?.limit;
	const limit = Math.min(requested ?? maxRows, maxRows);
	const ctx: SelectContext = { q: tx, p, levels: q.levels, usedAliases: new Set([source.alias]) };
	const { columns, innerConditions } = await selectListSql(ctx, source.alias, source.relation, q.select, '');
	leftoverLevels(q.levels);
	const where = whereSql(source.alias, root.filters, p, innerConditions);
	const order = orderSql(source.alias, root.order, p);
	const counting = r.prefer.count !== undefined;
	const sql = `select ${counting ? `(select count(*) from ${source.from}${where})::int8` : 'null::int8'} as total,
			count(_r)::int8 as page, ${bodyExpr(r.media)} as body
		from (select ${columns} from ${source.from}${where}${order}${pagingSql({ ...root, limit, offset })}) as _r`;
	const { rows } = await tx.query<{ total: number | null; page: number; body: string | null }>(sql, p.values);
	const { total, page, body } = rows[0];
	if (r.media.singular && page !== 1) throw singleError(page);
	if (counting && total !== null && offset > total) {
		throw new PgrstError(
			416,
			'PGRST103',
			'Requested range not satisfiable',
			`An offset of ${offset} was requested, but there are only ${total} rows.`
		);
	}
	const status = counting && total !== null && page < total ? 206 : 200;
	return {
		status,
		body: r.method === 'HEAD' ? undefined : (body ?? '[]'),
		headers: {
			...jsonHeaders(r.media),
			...countHeaders(offset, page, counting ? (total ?? undefined) : undefined)
		}
	};
}

async function read(r: RequestState, table: string): Promise<Reply> {
	const q = parseQuery(r.url);
	let relation!: Relation;
	return inTransaction(
		r,
		async (tx) => {
			relation = await findRelation(tx, table);
			return { readOnly: true };
		},
		(tx) =>
			selectRows(
				r,
				tx,
				q,
				{
					from: `${ident(relation.schema)}.${ident(relation.name)} as ${ident(relation.name)}`,
					alias: relation.name,
					relation
				},
				new Params()
			)
	);
}

// ----------------------------------------------------------------------------------------------
// Writes
// ----------------------------------------------------------------------------------------------

function requireColumns(relation: Relation, columns: Iterable<string>): void {
	for (const c of columns) {
		if (!relation.columns.has(c)) {
			throw new PgrstError(
				400,
				'PGRST204',
				`Could not find the '${c}' column of '${relation.name}' in the schema cache`
			);
		}
	}
}

function rejectPaging(q: ParsedQuery, what: string): void {
	const root = q.levels.get('') ?? emptyLevel();
	if (root.limit !== undefined || root.offset || root.order.length) {
		throw unsupported(`limit, offset or order on ${what}`);
	}
}

/**
 * Runs a write and answers as PostgREST does: with `return=representation` the written rows
 * (through the select list, so RLS SELECT policies apply), otherwise only the count.
 */
async function writeRows(
	r: RequestState,
	tx: Queryable,
	q: ParsedQuery,
	relation: Relation,
	statement: string,
	p: Params,
	successStatus: number
): Promise<Reply> {
	const alias = relation.name;
	const representation = r.prefer.return === 'representation';
	let page: number;
	let body: string | null = null;
	if (representation) {
		const ctx: SelectContext = { q: tx, p, levels: q.levels, usedAliases: new Set([alias]) };
		const { columns } = await selectListSql(ctx, alias, relation, q.select, '');
		leftoverLevels(q.levels);
		const sql = `with _m as (${statement} returning ${ident(alias)}.*)
			select count(_r)::int8 as page, ${bodyExpr(r.media)} as body
			from (select ${columns} from _m as ${ident(alias)}) as _r`;
		const { rows } = await tx.query<{ page: number; body: string | null }>(sql, p.values);
		page = rows[0].page;
		body = rows[0].body;
	} else {
		const result = await tx.query(statement, p.values);
		page = result.rowCount;
	}
	if (r.prefer.handling === 'strict' && r.prefer.maxAffected !== undefined && page > r.prefer.maxAffected) {
		throw new PgrstError(
			400,
			'PGRST124',
			'Query result exceeds max-affected preference constraint',
			`The query affects ${page} rows`
		);
	}
	// A singular write that does not touch exactly one row is rolled back, as PostgREST does.
	if (r.media.singular && page !== 1) throw singleError(page);
	const headers: Record<string, string> = {
		'content-range': `*/${r.prefer.count ? page : '*'}`
	};
	if (representation) {
		return {
			status: successStatus === 204 ? 200 : successStatus,
			body: body ?? '[]',
			headers: { ...headers, ...jsonHeaders(r.media) }
		};
	}
	return { status: successStatus, headers };
}

async function insert(r: RequestState, table: string): Promise<Reply> {
	const q = parseQuery(r.url);
	rejectPaging(q, 'inserts');
	const value = r.body!.value;
	const rows = Array.isArray(value) ? value : [value];
	if (!rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
		throw new PgrstError(
			400,
			'PGRST102',
			'Empty or invalid json',
			'Expected a JSON object or an array of JSON objects'
		);
	}
	const objects = rows as Record<string, unknown>[];
	let columns = q.columns;
	if (!columns) {
		columns = Object.keys(objects[0] ?? {});
		const key = columns.slice().sort().join('\u0000');
		if (objects.some((o) => Object.keys(o).sort().join('\u0000') !== key)) {
			throw new PgrstError(400, 'PGRST102', 'All object keys must match');
		}
	}
	let relation!: Relation;
	return inTransaction(
		r,
		async (tx) => {
			relation = await findRelation(tx, table);
			requireColumns(relation, columns);
			requireColumns(relation, q.onConflict ?? []);
			return { readOnly: false };
		},
		async (tx) => {
			const p = new Params();
			const target = `${ident(relation.schema)}.${ident(relation.name)} as ${ident(relation.name)}`;
			const rowType = `${ident(relation.schema)}.${ident(relation.name)}`;
			if (objects.length === 0) {
				return writeRows(
					r,
					tx,
					q,
					relation,
					`insert into ${target} select * from ${rowType} where false`,
					p,
					201
				);
			}
			const cols = columns.map(ident).join(', ');
			let statement: string;
			if (columns.length === 0) {
				const first = [...relation.columns.keys()][0];
				statement = `insert into ${target} (${ident(first)}) values ${objects.map(() => '(default)').join(', ')}`;
			} else if (r.prefer.missing === 'default') {
				// Keys a row leaves out take the column default instead of null.
				const json = p.add(Array.isArray(value) ? r.body!.text : `[${r.body!.text}]`);
				const tuples = objects.map(
					(o, i) =>
						`(${columns
							.map((c) =>
								Object.hasOwn(o, c)
									? `(json_populate_record(null::${rowType}, ${json}::json -> ${i})).${ident(c)}`
									: 'default'
							)
							.join(', ')})`
				);
				statement = `insert into ${target} (${cols}) values ${tuples.join(', ')}`;
			} else {
				const json = p.add(Array.isArray(value) ? r.body!.text : `[${r.body!.text}]`);
				statement = `insert into ${target} (${cols}) select ${cols} from json_populate_recordset(null::${rowType}, ${json}::json) as _j`;
			}
			if (r.prefer.resolution) {
				const conflict = q.onConflict ?? relation.primaryKey;
				if (conflict.length === 0) {
					throw new PgrstError(
						400,
						'PGRST100',
						`upsert on '${relation.name}' needs on_conflict: the relation has no primary key`
					);
				}
				const updates = columns.filter((c) => !conflict.includes(c));
				statement +=
					r.prefer.resolution === 'ignore-duplicates' || updates.length === 0
						? ` on conflict (${conflict.map(ident).join(', ')}) do nothing`
						: ` on conflict (${conflict.map(ident).join(', ')}) do update set ${updates
								.map((c) => `${ident(c)} = excluded.${ident(c)}`)
								.join(', ')}`;
			}
			return writeRows(r, tx, q, relation, statement, p, 201);
		}
	);
}

async function update(r: RequestState, table: string): Promise<Reply> {
	const q = parseQuery(r.url);
	rejectPaging(q, 'updates');
	const value = r.body!.value;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new PgrstError(400, 'PGRST102', 'Empty or invalid json', 'PATCH expects a single JSON object');
	}
	const columns = q.columns ?? Object.keys(value);
	let relation!: Relation;
	return inTransaction(
		r,
		async (tx) => {
			relation = await findRelation(tx, table);
			requireColumns(relation, columns);
			return { readOnly: false };
		},
		async (tx) => {
			const p = new Params();
			const alias = relation.name;
			const root = q.levels.get('') ?? emptyLevel();
			if (columns.length === 0) {
				// Nothing to set: PostgREST answers without touching any row.
				const representation = r.prefer.return === 'representation';
				return { status: representation ? 200 : 204, body: representation ? '[]' : undefined, headers: {} };
			}
			const json = p.add(r.body!.text);
			const rowType = `${ident(relation.schema)}.${ident(relation.name)}`;
			const where = whereSql(alias, root.filters, p);
			const statement = `update ${rowType} as ${ident(alias)} set ${columns
				.map((c) => `${ident(c)} = _j.${ident(c)}`)
				.join(
					', '
				)} from (select * from json_populate_record(null::${rowType}, ${json}::json)) as _j${where}`;
			return writeRows(r, tx, q, relation, statement, p, 204);
		}
	);
}

async function remove(r: RequestState, table: string): Promise<Reply> {
	const q = parseQuery(r.url);
	rejectPaging(q, 'deletes');
	let relation!: Relation;
	return inTransaction(
		r,
		async (tx) => {
			relation = await findRelation(tx, table);
			return { readOnly: false };
		},
		async (tx) => {
			const p = new Params();
			const alias = relation.name;
			const where = whereSql(alias, (q.levels.get('') ?? emptyLevel()).filters, p);
			const statement = `delete from ${ident(relation.schema)}.${ident(relation.name)} as ${ident(alias)}${where}`;
			return writeRows(r, tx, q, relation, statement, p, 204);
		}
	);
}

// ----------------------------------------------------------------------------------------------
// RPC
// ----------------------------------------------------------------------------------------------

const jsonTypes = new Set(['json', 'jsonb']);

function chooseFunction(
	name: string,
	overloads: DbFunction[],
	keys: string[],
	singleObject: boolean
): { fn: DbFunction; wholeBody: boolean } {
	const given = new Set(keys);
	const single = overloads.find(
		(f) => f.args.length === 1 && jsonTypes.has(f.args[0].type) && (f.args[0].name === '' || singleObject)
	);
	if (singleObject && single) return { fn: single, wholeBody: true };
	const matches = overloads.filter(
		(f) =>
			f.args.every((a) => a.name !== '' || a.hasDefault) &&
			keys.every((k) => f.args.some((a) => a.name === k)) &&
			f.args.every((a) => a.hasDefault || given.has(a.name))
	);
	if (matches.length === 1) return { fn: matches[0], wholeBody: false };
	if (matches.length > 1) {
		const exact = matches.filter((f) => f.args.length === keys.length);
		if (exact.length === 1) return { fn: exact[0], wholeBody: false };
		throw new PgrstError(
			300,
			'PGRST203',
			`Could not choose the best candidate function between: ${matches
				.map((f) => `${exposedSchema}.${name}(${f.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`)
				.join(', ')}`,
			null,
			'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
		);
	}
	if (single && single.args[0].name === '') return { fn: single, wholeBody: true };
	const sorted = [...keys].sort();
	throw new PgrstError(
		404,
		'PGRST202',
		`Could not find the function ${exposedSchema}.${name}${sorted.length ? `(${sorted.join(', ')})` : ' without parameters'} in the schema cache`,
		`Searched for the function ${exposedSchema}.${name}${sorted.length ? ` with parameters ${sorted.join(', ')}` : ' without parameters'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
		null
	);
}

async function callFunction(r: RequestState, name: string): Promise<Reply> {
	const readMethod = r.method === 'GET' || r.method === 'HEAD';
	if (!readMethod && r.method !== 'POST') {
		throw new PgrstError(405, 'PGRST101', 'Only GET, HEAD and POST are allowed for functions');
	}
	if (r.body && (typeof r.body.value !== 'object' || r.body.value === null || Array.isArray(r.body.value))) {
		if (r.prefer.params !== 'single-object') {
			throw unsupported('calling a function with a JSON array body (bulk calls)');
		}
	}
	let q!: ParsedQuery;
	let chosen!: { fn: DbFunction; wholeBody: boolean };
	let argsJson = '{}';
	return inTransaction(
		r,
		async (tx) => {
			const overloads = await findFunctions(tx, name);
			const argNames = new Set(overloads.flatMap((f) => f.args.map((a) => a.name)).filter(Boolean));
			q = parseQuery(r.url, readMethod ? argNames : new Set());
			let keys: string[];
			if (readMethod) {
				const args: Record<string, string> = {};
				for (const [k, values] of q.rest) args[k] = values.at(-1)!;
				keys = Object.keys(args);
				argsJson = JSON.stringify(args);
			} else {
				keys = Object.keys(r.body!.value as object);
				argsJson = r.body!.text;
			}
			chosen = chooseFunction(name, overloads, keys, r.prefer.params === 'single-object');
			return { readOnly: readMethod || !chosen.fn.volatile };
		},
		async (tx) => {
			const { fn, wholeBody } = chosen;
			if (fn.returnKind === 'record')
				throw unsupported(`calling ${name}: functions returning an untyped record`);
			const p = new Params();
			const target = `${ident(exposedSchema)}.${ident(fn.name)}`;
			const provided = wholeBody ? new Set<string>() : new Set(Object.keys(JSON.parse(argsJson) as object));
			const used = fn.args.filter((a) => provided.has(a.name));
			let call: string;
			let argsFrom = '';
			if (wholeBody) {
				call = `${target}(${p.add(argsJson)}::${fn.args[0].type})`;
			} else if (used.length === 0) {
				call = `${target}()`;
			} else {
				// json_to_record converts each JSON value (arrays and objects included) to the argument's type.
				argsFrom = `json_to_record(${p.add(argsJson)}::json) as _a(${used.map((a) => `${ident(a.name)} ${a.type}`).join(', ')})`;
				call = `${target}(${used.map((a) => `${ident(a.name)} => _a.${ident(a.name)}`).join(', ')})`;
			}
			const fromArgs = argsFrom ? ` from ${argsFrom}` : '';
			const noBody = r.method === 'HEAD';
			if (fn.returnKind === 'void') {
				await tx.query(`select ${call}${fromArgs}`, p.values);
				return { status: 204, headers: {} };
			}
			if (fn.returnKind === 'scalar' && !fn.returnsSet) {
				const { rows } = await tx.query<{ body: string }>(
					`select coalesce(to_json(${call})::text, 'null') as body${fromArgs}`,
					p.values
				);
				return { status: 200, body: noBody ? undefined : rows[0].body, headers: jsonHeaders(r.media) };
			}
			const lateral = (alias: string) =>
				argsFrom ? `${argsFrom} cross join lateral ${call} as ${alias}` : `${call} as ${alias}`;
			if (fn.returnKind === 'scalar') {
				// setof <scalar>: an array of values, to which select and filters do not apply.
				const { rows } = await tx.query<{ body: string }>(
					`select coalesce(json_agg(_r.v), '[]')::text as body from ${lateral('_r(v)')}`,
					p.values
				);
				return { status: 200, body: noBody ? undefined : rows[0].body, headers: jsonHeaders(r.media) };
			}
			// A table-like result: select, filters, order and paging apply as on a table. A single
			// composite (not setof) is answered as one object, as PostgREST does.
			const reply = await selectRows(
				fn.returnsSet ? r : { ...r, media: { ...r.media, singular: true } },
				tx,
				q,
				{ from: lateral(ident(fn.name)), alias: fn.name, relation: undefined },
				p
			);
			if (!fn.returnsSet) delete reply.headers['content-range'];
			return reply;
		}
	);
}
