// How the browser reaches Supabase Storage: the uploader's target (project URL, key, the current
// token) and Storage's own client, built on demand (supabase-js's built-in one is a stand-in in the
// browser build: vite.config.ts).
import type { StorageTarget } from '$lib/attachments/upload';
import { supabaseKey, supabaseUrl } from './env';
import type { Supabase } from './types';

async function tokenOf(supabase: Supabase): Promise<string> {
	return (await supabase.auth.getSession()).data.session?.access_token ?? supabaseKey;
}

/** Where uploads go, with the signed-in user's current token. */
export function storageTarget(supabase: Supabase): StorageTarget {
	return { url: supabaseUrl, apikey: supabaseKey, token: () => tokenOf(supabase) };
}

/** Storage's client, as the signed-in user (its code loads with the first call). */
export async function storageClient(supabase: Supabase) {
	const { StorageClient } = await import('@supabase/storage-js');
	return new StorageClient(`${supabaseUrl}/storage/v1`, {
		apikey: supabaseKey,
		authorization: `Bearer ${await tokenOf(supabase)}`
	});
}

/** The public URL of an object in a public bucket (no request, no token). */
export function publicUrl(bucket: string, path: string): string {
	const key = path.split('/').map(encodeURIComponent).join('/');
	return `${supabaseUrl}/storage/v1/object/public/${bucket}/${key}`;
}
