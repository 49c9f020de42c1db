// "Download my data": my profile and every message I can read, as one JSON file, streamed as it
// is read (a keyset page at a time), so a long history never sits in memory.
import { createClient } from '@supabase/supabase-js';
import { error } from '@sveltejs/kit';
import { exportJson } from '$lib/data/account';
import { supabaseKey, supabaseUrl } from '$lib/supabase/env';
import type { Database } from '$lib/supabase/types';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals: { session, user } }) => {
	if (!session || !user) error(401, 'Sign in to download your data.');
	// A client of its own with the checked access token: the response is streamed after this
	// handler returns, when the request's cookies can no longer be written, so nothing may refresh.
	const supabase = createClient<Database>(supabaseUrl, supabaseKey, {
		global: { headers: { Authorization: `Bearer ${session.access_token}` } },
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
	const pieces = exportJson(supabase, { user });
	const encoder = new TextEncoder();
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const next = await pieces.next();
				if (next.done) controller.close();
				else controller.enqueue(encoder.encode(next.value));
			} catch (err) {
				// A page that could not be read ends the download as failed: a cut file must not look whole.
				console.error('[export] reading a page failed:', err);
				controller.error(err);
			}
		},
		async cancel() {
			await pieces.return(undefined);
		}
	});
	const day = new Date().toISOString().slice(0, 10);
	return new Response(body, {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="spotter-export-${day}.json"`,
			'cache-control': 'private, no-store'
		}
	});
};
