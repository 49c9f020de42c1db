// Full-text search over my conversations' messages, through the RPC search_messages: every word
// typed matches as a prefix, accents and case ignored, newest first in keyset pages. The database
// marks each match in the excerpt with U+E000 … U+E001; parsing them here gives the screens text
// segments to render as text (never HTML).
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import { searchHitRowSchema, type SearchHitRow } from '$lib/schemas/rows';
import { ok, run, type Result } from './result';

export const PAGE_SIZE = 20;

/** Where the next page of hits starts: after this one. */
export interface SearchCursor {
	createdAt: string;
	id: string;
}

/** A piece of an excerpt, matched or not. */
export interface Segment {
	text: string;
	match: boolean;
}

export interface SearchHit extends Omit<SearchHitRow, 'headline'> {
	/** The excerpt, in order: matched words and the text around them. */
	excerpt: Segment[];
}

const START = '\uE000';
const END = '\uE001';

/** Splits a headline marked with U+E000 … U+E001 into segments; an unclosed mark runs to the end. */
export function segments(headline: string): Segment[] {
	const out: Segment[] = [];
	let match = false;
	let text = '';
	for (const ch of headline) {
		if (ch === START || ch === END) {
			if (text) out.push({ text, match });
			text = '';
			match = ch === START;
		} else {
			text += ch;
		}
	}
	if (text) out.push({ text, match });
	return out;
}

/** Messages matching `query` in my conversations (or in one), newest first, after the cursor. */
export async function messages(
	supabase: Supabase,
	query: string,
	options: { withinConversationId?: string; after?: SearchCursor; pageSize?: number } = {}
): Promise<Result<SearchHit[]>> {
	const rows = await run(
		supabase.rpc('search_messages', {
			query,
			within_conversation_id: options.withinConversationId,
			before_created_at: options.after?.createdAt,
			before_id: options.after?.id,
			page_size: options.pageSize ?? PAGE_SIZE
		}),
		z.array(searchHitRowSchema)
	);
	if (!rows.ok) return rows;
	return ok(rows.data.map(({ headline, ...hit }) => ({ ...hit, excerpt: segments(headline) })));
}
