// PostgREST's error bodies ({code, message, details, hint}) and its SQLSTATE → HTTP status mapping
// (`mapSQLtoHTTP` in PostgREST's Error.hs).

export class PgrstError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details: string | null = null,
		readonly hint: string | null = null,
		readonly headers: Record<string, string> = {}
	) {
		super(message);
	}

	get body() {
		return { code: this.code, details: this.details, hint: this.hint, message: this.message };
	}
}

/** A query-string or header the parser cannot read: PGRST100. */
export const parseError = (message: string, details: string | null = null) =>
	new PgrstError(400, 'PGRST100', message, details);

/** A feature of PostgREST that localbase deliberately does not implement. */
export const unsupported = (feature: string) =>
	new PgrstError(
		400,
		'PGRST100',
		`localbase does not support ${feature}`,
		null,
		'localbase implements the PostgREST subset listed in localbase/README.md'
	);

export interface PgErrorLike {
	code?: string;
	message: string;
	detail?: string;
	hint?: string;
}

export function isPgError(err: unknown): err is PgErrorLike {
	return (
		err instanceof Error &&
		typeof (err as { code?: unknown }).code === 'string' &&
		/^[0-9A-Z]{5}$/.test((err as unknown as { code: string }).code)
	);
}

export function statusForSqlState(code: string, role: string): number {
	if (code === '42501') return role === 'anon' ? 401 : 403;
	if (code === '23505' || code === '23503') return 409;
	if (code === 'P0001') return 400;
	if (code.startsWith('P0')) return 500;
	if (code === '42P01' || code === '42883') return 404;
	if (code === '25006') return 405;
	if (code === '22023') return 400;
	if (code.startsWith('08') || code === '57P01') return 503;
	if (code.startsWith('53')) return code === '53400' ? 500 : 503;
	if (code.startsWith('28') || code.startsWith('0L') || code.startsWith('0P')) return 403;
	if (code === '42P17' || /^(40|54|55|57|58|XX|F0|HV)/.test(code)) return 500;
	const pt = /^PT(\d{3})$/.exec(code);
	if (pt) return Number(pt[1]);
	return 400;
}

export function fromPgError(err: PgErrorLike, role: string): PgrstError {
	const code = err.code ?? 'XX000';
	// PostgREST answers "role … does not exist" (22023 from SET ROLE) with 401.
	const status =
		code === '22023' && /role .* does not exist/.test(err.message) ? 401 : statusForSqlState(code, role);
	const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
	return new PgrstError(status, code, err.message, err.detail ?? null, err.hint ?? null, headers);
}
