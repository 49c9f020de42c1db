// Stand-ins for the Storage and Functions clients supabase-js builds in its constructor, in the
// browser build (see vite.config.ts): they kept ~8 KB gzip of unused code on every page. Spotter's
// browser code never calls `supabase.storage`; media pages import Storage's own client on demand
// (src/lib/data/attachments.ts). Using a stand-in fails loudly.
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
