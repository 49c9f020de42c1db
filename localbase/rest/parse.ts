// PostgREST's URL grammar (select, filters, logic trees, order, Prefer) parsed into plain values;
// nothing here touches SQL. Grammar: docs.postgrest.org "Tables and Views"; what localbase accepts
// and refuses is listed in localbase/README.md.
import { parseError, unsupported } from './errors.ts';

export interface JsonStep {
	arrow: '->' | '->>';
	key: string;
}

export interface Field {
	name: string;
	path: JsonStep[];
}

export type SelectItem =
	| { kind: 'star' }
	| { kind: 'column'; field: Field; alias?: string; cast?: string }
	| {
			kind: 'embed';
			name: string;
			alias?: string;
			hint?: string;
			inner: boolean;
			items: SelectItem[];
	  };

export const operators = {
	eq: '=',
	neq: '<>',
	gt: '>',
	gte: '>=',
	lt: '<',
	lte: '<=',
	like: 'like',
	ilike: 'ilike',
	match: '~',
	imatch: '~*',
	cs: '@>',
	cd: '<@',
	ov: '&&',
	sl: '<<',
	sr: '>>',
	nxr: '&<',
	nxl: '&>',
	adj: '-|-',
	isdistinct: 'is distinct from'
} as const;
export const ftsOperators = {
	fts: 'to_tsquery',
	plfts: 'plainto_tsquery',
	phfts: 'phraseto_tsquery',
	wfts: 'websearch_to_tsquery'
} as const;

export type Condition = {
	kind: 'cond';
	field: Field;
	negate: boolean;
} & (
	| { op: keyof typeof operators; quantifier?: 'any' | 'all'; value: string }
	| { op: 'in'; values: string[] }
	| { op: 'is'; value: 'null' | 'not_null' | 'true' | 'false' | 'unknown' }
	| { op: keyof typeof ftsOperators; config?: string; value: string }
);

export interface Logic {
	kind: 'logic';
	op: 'and' | 'or';
	negate: boolean;
	children: (Condition | Logic)[];
}

export type Filter = Condition | Logic;

export interface OrderTerm {
	field: Field;
	dir: 'asc' | 'desc';
	nulls?: 'first' | 'last';
}

/** Splits on commas that are outside parentheses and double quotes. */
export function splitTopLevel(input: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let quoted = false;
	let current = '';
	for (let i = 0; i < input.length; i++) {
		const c = input[i];
		if (quoted) {
			if (c === '\\' && i + 1 < input.length) {
				current += c + input[++i];
				continue;
			}
			if (c === '"') quoted = false;
			current += c;
			continue;
		}
		if (c === '"') quoted = true;
		else if (c === '(') depth++;
		else if (c === ')') {
			depth--;
			if (depth < 0) throw parseError(`unexpected ")" in "${input}"`);
		} else if (c === ',' && depth === 0) {
			parts.push(current);
			current = '';
			continue;
		}
		current += c;
	}
	if (quoted || depth !== 0) throw parseError(`unbalanced quotes or parentheses in "${input}"`);
	parts.push(current);
	return parts;
}

function unquote(value: string): string {
	if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
		return value.slice(1, -1).replace(/\\(.)/g, '$1');
	}
	return value;
}

const identifier = /^(?:"(?:[^"]|"")+"|[^\s,.:()!"'>-]+(?:-(?!>)[^\s,.:()!"'>-]+)*)/;

function readName(input: string, what: string): [string, string] {
	const m = identifier.exec(input);
	if (!m) throw parseError(`"${input}" is not a valid ${what}`);
	const raw = m[0];
	const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw;
	return [name, input.slice(raw.length)];
}

/** `col`, `"odd col"`, `data->a->>b`, `arr->0`. */
export function parseField(input: string): Field {
	const [name, rest0] = readName(input, 'column name');
	let rest = rest0;
	const path: JsonStep[] = [];
	while (rest.length > 0) {
		const arrow = rest.startsWith('->>') ? '->>' : rest.startsWith('->') ? '->' : null;
		if (!arrow) throw parseError(`"${input}" is not a valid column reference`);
		if (path.at(-1)?.arrow === '->>') throw parseError(`"${input}": ->> must be the last JSON step`);
		rest = rest.slice(arrow.length);
		const [key, after] = rest.startsWith("'")
			? (() => {
					const end = rest.indexOf("'", 1);
					if (end < 0) throw parseError(`unterminated JSON key in "${input}"`);
					return [rest.slice(1, end), rest.slice(end + 1)] as [string, string];
				})()
			: readName(rest, 'JSON key');
		path.push({ arrow, key });
		rest = after;
	}
	return { name, path };
}

const castPattern = /^[a-zA-Z_][a-zA-Z0-9_]*(\[\])?$/;

export function parseSelect(input: string): SelectItem[] {
	if (input.trim() === '') return [{ kind: 'star' }];
	return splitTopLevel(input).map((raw) => parseSelectItem(raw, input));
}

function parseSelectItem(raw: string, whole: string): SelectItem {
	const item = raw.trim();
	if (item === '') throw parseError(`empty item in select "${whole}"`);
	if (item === '*') return { kind: 'star' };
	if (item.startsWith('...')) throw unsupported('spread embedding ("...") in select');
	const paren = item.indexOf('(');
	if (paren >= 0) {
		if (!item.endsWith(')')) throw parseError(`"${item}" in select is missing a closing ")"`);
		let head = item.slice(0, paren);
		const inner = item.slice(paren + 1, -1);
		if (
			/^(count|sum|avg|min|max)$/.test(head.split('.').at(-1) ?? '') ||
			/\.(count|sum|avg|min|max)$/.test(head)
		) {
			throw unsupported('aggregate functions in select');
		}
		let alias: string | undefined;
		const colon = head.indexOf(':');
		if (colon >= 0) {
			alias = unquote(head.slice(0, colon));
			head = head.slice(colon + 1);
		}
		const [name, ...modifiers] = head.split('!');
		let hint: string | undefined;
		let innerJoin = false;
		for (const m of modifiers) {
			if (m === 'inner') innerJoin = true;
			else if (m === 'left') innerJoin = false;
			else if (hint === undefined && m !== '') hint = m;
			else throw parseError(`"${item}": unexpected embedding modifier "!${m}"`);
		}
		const [embedName, restName] = readName(name, 'embedded resource');
		if (restName !== '') throw parseError(`"${name}" is not a valid embedded resource`);
		return { kind: 'embed', name: embedName, alias, hint, inner: innerJoin, items: parseSelect(inner) };
	}
	let alias: string | undefined;
	let rest = item;
	const aliasMatch = /^("(?:[^"]|"")+"|[^:"]+):(?!:)/.exec(rest);
	if (aliasMatch) {
		alias = unquote(aliasMatch[1]);
		rest = rest.slice(aliasMatch[0].length);
	}
	let cast: string | undefined;
	const castAt = rest.lastIndexOf('::');
	if (castAt >= 0) {
		cast = rest.slice(castAt + 2);
		rest = rest.slice(0, castAt);
		if (!castPattern.test(cast)) throw parseError(`"${cast}" is not a valid type to cast to`);
	}
	return { kind: 'column', field: parseField(rest), alias, cast };
}

/** `op.value`, `not.op.value`, `in.(a,b)`, `like(any).{a,b}`, `fts(english).word`. */
export function parseCondition(fieldText: string, expr: string, inLogicTree: boolean): Condition {
	const field = parseField(fieldText);
	let rest = expr;
	let negate = false;
	if (rest.startsWith('not.')) {
		negate = true;
		rest = rest.slice(4);
	}
	const m = /^([a-z]+)(?:\((any|all)\)|\(([a-zA-Z_][a-zA-Z0-9_]*)\))?\./.exec(rest);
	if (!m)
		throw parseError(`"${fieldText}=${expr}": expected <operator>.<value>`, 'unknown or missing operator');
	const [prefix, op, quantifier, config] = m;
	const raw = rest.slice(prefix.length);
	const value = inLogicTree ? unquote(raw) : raw;
	if (op === 'in') {
		if (!raw.startsWith('(') || !raw.endsWith(')'))
			throw parseError(`"${expr}": in expects a list in parentheses`);
		const inner = raw.slice(1, -1);
		const values = inner === '' ? [] : splitTopLevel(inner).map((v) => unquote(v.trim()));
		return { kind: 'cond', field, negate, op, values };
	}
	if (op === 'is') {
		const v = value.toLowerCase();
		if (!['null', 'not_null', 'true', 'false', 'unknown'].includes(v)) {
			throw parseError(`"${expr}": is expects null, not_null, true, false or unknown`);
		}
		return { kind: 'cond', field, negate, op, value: v as 'null' };
	}
	if (op in ftsOperators) {
		if (quantifier) throw parseError(`"${expr}": full-text operators take no quantifier`);
		return { kind: 'cond', field, negate, op: op as keyof typeof ftsOperators, config, value };
	}
	if (op in operators) {
		if (config) throw parseError(`"${expr}": only full-text operators take a configuration`);
		if (
			quantifier &&
			!['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'].includes(op)
		) {
			throw parseError(`"${expr}": ${op} cannot take (${quantifier})`);
		}
		return {
			kind: 'cond',
			field,
			negate,
			op: op as keyof typeof operators,
			quantifier: quantifier as 'any' | 'all' | undefined,
			value
		};
	}
	throw parseError(`"${fieldText}=${expr}": unknown operator "${op}"`);
}

/** The value of an `or=`/`and=` parameter: `(a.eq.1,and(b.gt.2,c.is.null))`. */
export function parseLogic(op: 'and' | 'or', negate: boolean, value: string): Logic {
	if (!value.startsWith('(') || !value.endsWith(')')) {
		throw parseError(`"${op}=${value}": a logic tree must be enclosed in parentheses`);
	}
	const children = splitTopLevel(value.slice(1, -1)).map((raw): Filter => {
		const item = raw.trim();
		const nested = /^(not\.)?(and|or)(\(.*\))$/s.exec(item);
		if (nested) return parseLogic(nested[2] as 'and' | 'or', nested[1] !== undefined, nested[3]);
		const dot = item.indexOf('.');
		if (dot <= 0) throw parseError(`"${item}" in ${op}=(…) is not <column>.<operator>.<value>`);
		return parseCondition(item.slice(0, dot), item.slice(dot + 1), true);
	});
	return { kind: 'logic', op, negate, children };
}

export function parseOrder(value: string): OrderTerm[] {
	return splitTopLevel(value).map((raw) => {
		const parts = raw.trim().split('.');
		const field = parseField(parts[0]);
		let dir: 'asc' | 'desc' = 'asc';
		let nulls: 'first' | 'last' | undefined;
		for (const p of parts.slice(1)) {
			if (p === 'asc' || p === 'desc') dir = p;
			else if (p === 'nullsfirst') nulls = 'first';
			else if (p === 'nullslast') nulls = 'last';
			else throw parseError(`"${raw}" in order: unknown modifier "${p}"`);
		}
		return { field, dir, nulls };
	});
}

export function parseNonNegativeInt(name: string, value: string): number {
	if (!/^\d+$/.test(value)) throw parseError(`"${name}=${value}" must be a non-negative integer`);
	return Number(value);
}

export interface Prefer {
	return?: 'minimal' | 'representation' | 'headers-only';
	count?: 'exact' | 'planned' | 'estimated';
	resolution?: 'merge-duplicates' | 'ignore-duplicates';
	missing?: 'default' | 'null';
	params?: 'single-object';
	handling?: 'strict' | 'lenient';
	maxAffected?: number;
	tx?: 'commit' | 'rollback';
}

/** Several Prefer headers and comma-joined values are equivalent; unknown preferences are ignored (lenient). */
export function parsePrefer(header: string | undefined): Prefer {
	const out: Prefer = {};
	if (!header) return out;
	for (const raw of header.split(',')) {
		const [key, value] = raw.trim().split('=');
		if (key === 'return' && ['minimal', 'representation', 'headers-only'].includes(value)) {
			out.return = value as Prefer['return'];
		} else if (key === 'count' && ['exact', 'planned', 'estimated'].includes(value)) {
			out.count = value as Prefer['count'];
		} else if (key === 'resolution' && ['merge-duplicates', 'ignore-duplicates'].includes(value)) {
			out.resolution = value as Prefer['resolution'];
		} else if (key === 'missing' && (value === 'default' || value === 'null')) out.missing = value;
		else if (key === 'params' && value === 'single-object') out.params = value;
		else if (key === 'handling' && (value === 'strict' || value === 'lenient')) out.handling = value;
		else if (key === 'max-affected' && /^\d+$/.test(value)) out.maxAffected = Number(value);
		else if (key === 'tx' && (value === 'commit' || value === 'rollback')) out.tx = value;
	}
	return out;
}

/** `Range: 0-9` (items). */
export function parseRangeHeader(value: string | undefined): { offset: number; limit?: number } | undefined {
	if (!value) return undefined;
	const m = /^(?:items=)?(\d+)-(\d*)$/.exec(value.trim());
	if (!m) return undefined;
	const from = Number(m[1]);
	if (m[2] === '') return { offset: from };
	const to = Number(m[2]);
	if (to < from) return undefined;
	return { offset: from, limit: to - from + 1 };
}
