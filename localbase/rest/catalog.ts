// What PostgREST keeps in its schema cache, read from pg_catalog within the request's own
// transaction (so a table created a moment ago is visible, and nothing goes stale).
import type { Queryable } from '../../db/index.ts';
import { PgrstError } from './errors.ts';

export const exposedSchema = 'public';

export interface Relation {
	schema: string;
	name: string;
	kind: 'table' | 'view';
	columns: Map<string, { type: string; generated: boolean }>;
	primaryKey: string[];
}

export async function findRelation(q: Queryable, name: string): Promise<Relation> {
	const { rows } = await q.query<{
		relkind: string;
		attname: string | null;
		type: string | null;
		generated: boolean | null;
		pk: string[] | null;
	}>(
		`select c.relkind::text as relkind, a.attname::text as attname, format_type(a.atttypid, a.atttypmod) as type,
			(a.attgenerated <> '' or a.attidentity = 'a') as generated,
			(select array_agg(k.attname::text order by array_position(i.indkey::int2[], k.attnum))
			 from pg_index i join pg_attribute k on k.attrelid = i.indrelid and k.attnum = any(i.indkey::int2[])
			 where i.indrelid = c.oid and i.indisprimary) as pk
		 from pg_class c
		 join pg_namespace n on n.oid = c.relnamespace
		 left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
		 where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')
		 order by a.attnum`,
		[exposedSchema, name]
	);
	if (rows.length === 0) {
		throw new PgrstError(
			404,
			'PGRST205',
			`Could not find the table '${exposedSchema}.${name}' in the schema cache`,
			null,
			null
		);
	}
	const columns = new Map<string, { type: string; generated: boolean }>();
	for (const r of rows)
		if (r.attname) columns.set(r.attname, { type: r.type ?? 'text', generated: !!r.generated });
	return {
		schema: exposedSchema,
		name,
		kind: rows[0].relkind === 'v' || rows[0].relkind === 'm' ? 'view' : 'table',
		columns,
		primaryKey: rows[0].pk ?? []
	};
}

export interface FunctionArg {
	name: string;
	type: string;
	hasDefault: boolean;
}

export interface DbFunction {
	name: string;
	args: FunctionArg[];
	returnsSet: boolean;
	/** b: base/scalar, c: composite (table row or OUT params), p: pseudo (void, record, trigger) */
	returnKind: 'scalar' | 'composite' | 'void' | 'record';
	returnType: string;
	volatile: boolean;
}

interface ProcRow {
	proname: string;
	argnames: string[] | null;
	argmodes: string[] | null;
	argtypes: string[];
	nargs: number;
	ndefaults: number;
	retset: boolean;
	rettype: string;
	typtype: string;
	volatility: string;
}

/** Every overload of public.<name>, with input arguments in declaration order. */
export async function findFunctions(q: Queryable, name: string): Promise<DbFunction[]> {
	const { rows } = await q.query<ProcRow>(
		`select p.proname::text as proname, p.proargnames::text[] as argnames, p.proargmodes::text[] as argmodes,
			array(select format_type(t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) as t) as argtypes,
			p.pronargs::int as nargs, p.pronargdefaults::int as ndefaults, p.proretset as retset,
			format_type(p.prorettype, null) as rettype, t.typtype::text as typtype, p.provolatile::text as volatility
		 from pg_proc p
		 join pg_namespace n on n.oid = p.pronamespace
		 join pg_type t on t.oid = p.prorettype
		 where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'`,
		[exposedSchema, name]
	);
	return rows.map((r) => {
		const modes = r.argmodes ?? r.argtypes.map(() => 'i');
		const inputs: { name: string; type: string }[] = [];
		let hasOut = false;
		r.argtypes.forEach((type, i) => {
			const mode = modes[i];
			if (mode === 'i' || mode === 'b' || mode === 'v') inputs.push({ name: r.argnames?.[i] ?? '', type });
			if (mode === 'o' || mode === 'b' || mode === 't') hasOut = true;
		});
		const firstDefault = inputs.length - r.ndefaults;
		const returnKind =
			r.rettype === 'void'
				? 'void'
				: r.typtype === 'c' || hasOut
					? 'composite'
					: r.rettype === 'record'
						? 'record'
						: 'scalar';
		return {
			name: r.proname,
			args: inputs.map((a, i) => ({ ...a, hasDefault: i >= firstDefault })),
			returnsSet: r.retset,
			returnKind,
			returnType: r.rettype,
			volatile: r.volatility === 'v'
		};
	});
}

export interface ForeignKey {
	name: string;
	/** The table holding the foreign key columns. */
	from: string;
	fromColumns: string[];
	/** The referenced table. */
	to: string;
	toColumns: string[];
}

/** Foreign keys between two relations of the exposed schema, in either direction. */
export async function findForeignKeys(q: Queryable, a: string, b: string): Promise<ForeignKey[]> {
	const { rows } = await q.query<ForeignKey>(
		`select con.conname::text as name, fc.relname::text as "from", tc.relname::text as "to",
			array(select attname::text from unnest(con.conkey) with ordinality k(n, o)
				join pg_attribute on attrelid = con.conrelid and attnum = k.n order by k.o) as "fromColumns",
			array(select attname::text from unnest(con.confkey) with ordinality k(n, o)
				join pg_attribute on attrelid = con.confrelid and attnum = k.n order by k.o) as "toColumns"
		 from pg_constraint con
		 join pg_class fc on fc.oid = con.conrelid
		 join pg_class tc on tc.oid = con.confrelid
		 join pg_namespace fn on fn.oid = fc.relnamespace
		 join pg_namespace tn on tn.oid = tc.relnamespace
		 where con.contype = 'f' and fn.nspname = $1 and tn.nspname = $1
			and ((fc.relname = $2 and tc.relname = $3) or (fc.relname = $3 and tc.relname = $2))
		 order by con.conname`,
		[exposedSchema, a, b]
	);
	return rows;
}
