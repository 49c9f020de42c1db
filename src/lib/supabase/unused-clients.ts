// Stand-ins for supabase-js's Storage and Functions clients in the browser build (see
// vite.config.ts): Spotter's browser code uses neither, yet supabase-js builds a Storage client
// in its constructor, which kept ~8 KB gzip of unused code on every page. Using one fails loudly.
const why = 'is not part of Spotter’s browser build (vite.config.ts, browserWithoutUnusedSupabaseClients)';

export class StorageClient {
	from(): never {
		throw new Error(`Supabase Storage ${why}`);
	}
}

export class FunctionsClient {
	invoke(): never {
		throw new Error(`Supabase Edge Functions ${why}`);
	}
}

export class StorageApiError extends Error {}
export class FunctionsError extends Error {}
export class FunctionsFetchError extends FunctionsError {}
export class FunctionsHttpError extends FunctionsError {}
export class FunctionsRelayError extends FunctionsError {}
export const FunctionRegion = {};
