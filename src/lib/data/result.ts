// The one shape of every data call: the data, or a sentence for the user. Expected failures
// (refusals by the database, no network) are values; a row that does not match its schema is a
// bug between the app and the database, so parsing throws.
// Relative imports: the push suites import this chain outside the app's Vite aliases.
import { z } from 'zod/mini';
import { describeApiError, OFFLINE, type UserError } from '../errors';

export type Result<T> = { ok: true; data: T } | { ok: false; error: UserError };

export function ok<T>(data: T): Result<T> {
	return { ok: true, data };
}

export function failed<T>(error: UserError): Result<T> {
	return { ok: false, error };
}

/** What a supabase-js request resolves to. */
interface Response {
	data: unknown;
	error: { code?: string; message?: string } | null;
	status?: number;
}

/** Runs a supabase-js request and checks what it returns against `schema`. */
export async function run<T>(request: PromiseLike<Response>, schema: z.ZodMiniType<T>): Promise<Result<T>> {
	// The browser knows it is offline: answer at once instead of letting supabase-js retry a request
	// that cannot leave (its builders are lazy, so nothing is sent). Callers fall back to the device.
	if (typeof navigator !== 'undefined' && navigator.onLine === false) return failed(OFFLINE);
	const { data, error, status } = await request;
	if (error) return failed(describeApiError({ ...error, status }));
	return ok(schema.parse(data));
}

/** The first row a request returns, or null when there is none (it does not exist, or RLS hides it). */
export async function first<T>(
	request: PromiseLike<Response>,
	schema: z.ZodMiniType<T>
): Promise<Result<T | null>> {
	const rows = await run(request, z.array(schema));
	return rows.ok ? ok(rows.data[0] ?? null) : rows;
}
