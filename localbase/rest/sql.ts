// SQL fragments for parsed PostgREST requests. Identifiers are always quoted; every value from
// the request is a bound parameter (only validated integers and catalog type names are spliced).
import type { Queryable } from '../../db/index.ts';
import { findForeignKeys, findRelation, type ForeignKey, type Relation } from './catalog.ts';
import { parseError, PgrstError, unsupported } from './errors.ts';
import {
	ftsOperators,
	operators,
	type Condition,
	type Field,
	type Filter,
	type OrderTerm,
	type SelectItem
} from './parse.ts';

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class Params {
	readonly values: unknown[] = [];
	add(value: unknown): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

export function fieldSql(alias: string, field: Field, p: Params): string {
	let sql = `${ident(alias)}.${ident(field.name)}`;
	for (const step of field.path) {
		sql += step.arrow + (/^-?\d+$/.test(step.key) ? step.key : `${p.add(step.key)}::text`);
	}
	return sql;
}

/** The JSON key PostgREST gives a selected field: the last JSON key, else the column name. */
export const fieldLabel = (field: Field) => field.path.at(-1)?.key ?? field.name;

export function conditionSql(alias: string, c: Condition, p: Params): string {
	const col = fieldSql(alias, c.field, p);
	let sql: string;
	if (c.op === 'in') {
		sql = c.values.length === 0 ? 'false' : `${col} in (${c.values.map((v) => p.add(v)).join(', ')})`;
	} else if (c.op === 'is') {
		sql = c.value === 'not_null' ? `${col} is not null` : `${col} is ${c.value}`;
	} else if (c.op in ftsOperators) {
		const fn = ftsOperators[c.op as keyof typeof ftsOperators];
		const cond = c as Extract<Condition, { config?: string }>;
		const config = cond.config ? `${p.add(cond.config)}::regconfig, ` : '';
		sql = `${col} @@ ${fn}(${config}${p.add(cond.value)})`;
	} else {
		const cond = c as Extract<Condition, { quantifier?: 'any' | 'all' }>;
		const op = operators[cond.op];
		let value = cond.value;
		if (cond.op === 'like' || cond.op === 'ilike') value = value.replace(/\*/g, '%');
		if (cond.quantifier) {
			if (!/^\{.*\}$/s.test(value))
				throw parseError(`${cond.op}(${cond.quantifier}) expects a list like {a,b}`);
			sql = `${col} ${op} ${cond.quantifier}(${p.add(value)})`;
		} else {
			sql = `${col} ${op} ${p.add(value)}`;
		}
	}
	return c.negate ? `not (${sql})` : sql;
}

export function filterSql(alias: string, f: Filter, p: Params): string {
	if (f.kind === 'cond') return conditionSql(alias, f, p);
	const parts = f.children.map((child) => `(${filterSql(alias, child, p)})`);
	const sql = parts.length === 0 ? 'true' : parts.join(f.op === 'and' ? ' and ' : ' or ');
	return f.negate ? `not (${sql})` : sql;
}

export function orderSql(alias: string, terms: OrderTerm[], p: Params): string {
	if (terms.length === 0) return '';
	return (
		' order by ' +
		terms
			.map((t) => `${fieldSql(alias, t.field, p)} ${t.dir}${t.nulls ? ` nulls ${t.nulls}` : ''}`)
			.join(', ')
	);
}

/** Filters, order and paging for one level of the select tree (the root or an embedded resource). */
export interface Level {
	filters: Filter[];
	order: OrderTerm[];
	limit?: number;
	offset?: number;
}

export const emptyLevel = (): Level => ({ filters: [], order: [] });

export interface SelectContext {
	q: Queryable;
	p: Params;
	/** Levels keyed by embedding path, e.g. "" for the root, "messages" or "author.posts". */
	levels: Map<string, Level>;
	/** Aliases in use along the current path, so a self-embedding gets a distinct one. */
	usedAliases: Set<string>;
}

export function whereSql(alias: string, filters: Filter[], p: Params, extra: string[] = []): string {
	const parts = [...filters.map((f) => filterSql(alias, f, p)), ...extra];
	return parts.length ? ` where ${parts.map((s) => `(${s})`).join(' and ')}` : '';
}

export function pagingSql(level: Level): string {
	return (
		(level.limit !== undefined ? ` limit ${level.limit}` : '') +
		(level.offset ? ` offset ${level.offset}` : '')
	);
}

/**
 * The select list for `alias` (a row of `relation`, or of a function result when relation is
 * undefined), plus `exists` conditions the parent must satisfy for `!inner` embeddings.
 */
export async function selectListSql(
	ctx: SelectContext,
	alias: string,
	relation: Relation | undefined,
	items: SelectItem[],
	path: string
): Promise<{ columns: string; innerConditions: string[] }> {
	const columns: string[] = [];
	const innerConditions: string[] = [];
	for (const item of items) {
		if (item.kind === 'star') {
			columns.push(`${ident(alias)}.*`);
		} else if (item.kind === 'column') {
			let expr = fieldSql(alias, item.field, ctx.p);
			if (item.cast) expr = `(${expr})::${item.cast}`;
			columns.push(`${expr} as ${ident(item.alias ?? fieldLabel(item.field))}`);
		} else {
			if (!relation) throw unsupported('embedding resources in the result of a function');
			const label = item.alias ?? item.name;
			const childPath = path ? `${path}.${label}` : label;
			const embed = await embedSql(ctx, alias, relation, item, childPath);
			columns.push(`${embed.sql} as ${ident(label)}`);
			if (item.inner) innerConditions.push(embed.existsSql);
		}
	}
	if (columns.length === 0) throw parseError('select must name at least one column');
	return { columns: columns.join(', '), innerConditions };
}

function pickRelationship(parent: string, child: string, hint: string | undefined, fks: ForeignKey[]) {
	const candidates: { fk: ForeignKey; toOne: boolean }[] = [];
	for (const fk of fks) {
		const matchesHint =
			hint === undefined ||
			hint === fk.name ||
			(fk.fromColumns.length === 1 && hint === fk.fromColumns[0]) ||
			(fk.toColumns.length === 1 && hint === fk.toColumns[0] && fk.from !== fk.to);
		if (!matchesHint) continue;
		// parent holds the key → to-one (many-to-one); child holds the key → to-many (one-to-many).
		if (fk.from === parent) candidates.push({ fk, toOne: true });
		if (fk.to === parent && fk.from === child && fk.from !== fk.to) candidates.push({ fk, toOne: false });
	}
	if (candidates.length === 0) {
		throw new PgrstError(
			400,
			'PGRST200',
			`Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
			`Searched for a foreign key relationship between '${parent}' and '${child}'${hint ? ` using the hint '${hint}'` : ''} in the schema 'public', but no matches were found.`,
			'localbase embeds only along a direct foreign key between two tables (no many-to-many, no views).'
		);
	}
	if (candidates.length > 1) {
		throw new PgrstError(
			300,
			'PGRST201',
			`Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
			candidates.map((c) => `${c.fk.from} using ${c.fk.name}`).join('; '),
			`Try changing '${child}' to one of: ${candidates.map((c) => `'${child}!${c.fk.name}'`).join(', ')}.`
		);
	}
	return candidates[0];
}

async function embedSql(
	ctx: SelectContext,
	parentAlias: string,
	parent: Relation,
	item: Extract<SelectItem, { kind: 'embed' }>,
	path: string
): Promise<{ sql: string; existsSql: string }> {
	const child = await findRelation(ctx.q, item.name);
	if (parent.kind === 'view' || child.kind === 'view') {
		throw unsupported('embedding through views (embed the underlying tables)');
	}
	const { fk, toOne } = pickRelationship(
		parent.name,
		child.name,
		item.hint,
		await findForeignKeys(ctx.q, parent.name, child.name)
	);
	let alias = child.name;
	for (let i = 1; ctx.usedAliases.has(alias); i++) alias = `${child.name}_${i}`;
	ctx.usedAliases.add(alias);
	const level = ctx.levels.get(path) ?? emptyLevel();
	ctx.levels.delete(path);
	const join = toOne
		? fk.fromColumns.map(
				(c, i) => `${ident(alias)}.${ident(fk.toColumns[i])} = ${ident(parentAlias)}.${ident(c)}`
			)
		: fk.fromColumns.map(
				(c, i) => `${ident(alias)}.${ident(c)} = ${ident(parentAlias)}.${ident(fk.toColumns[i])}`
			);
	const { columns, innerConditions } = await selectListSql(ctx, alias, child, item.items, path);
	const where = whereSql(alias, level.filters, ctx.p, [...join, ...innerConditions]);
	const from = `from ${ident(child.schema)}.${ident(child.name)} as ${ident(alias)}${where}`;
	ctx.usedAliases.delete(alias);
	const existsSql = `exists (select 1 ${from})`;
	if (toOne) {
		if (level.order.length || level.limit !== undefined || level.offset) {
			throw parseError(`order, limit and offset do not apply to the to-one embedding "${path}"`);
		}
		return { sql: `(select row_to_json(_e) from (select ${columns} ${from} limit 1) as _e)`, existsSql };
	}
	const order = orderSql(alias, level.order, ctx.p);
	return {
		sql: `(select coalesce(json_agg(_e), '[]') from (select ${columns} ${from}${order}${pagingSql(level)}) as _e)`,
		existsSql
	};
}
