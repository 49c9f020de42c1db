// Reactions to messages: each user at most once per emoji, from a fixed set (REACTION_EMOJI).
// How they are read: the message_reactions table under RLS (participants of the conversation), for a
// page of messages at once; toggled through the RPC toggle_reaction, which answers the message's new
// summary (the same shape as the reactions_changed event).
import { z } from 'zod/mini';
import type { Supabase } from '$lib/supabase/types';
import { REACTION_EMOJI, reactionSummarySchema, type ReactionSummary } from '$lib/schemas/rows';
import { ok, run, type Result } from './result';

export { REACTION_EMOJI };

/** Adds my reaction with `emoji`, or takes it back if I had it; resolves to the message's reactions. */
export function toggle(
	supabase: Supabase,
	messageId: string,
	emoji: string
): Promise<Result<ReactionSummary>> {
	return run(supabase.rpc('toggle_reaction', { message_id: messageId, emoji }), reactionSummarySchema);
}

const reactionRowSchema = z.object({
	message_id: z.string(),
	conversation_id: z.string(),
	user_id: z.string(),
	emoji: z.string()
});

/** The reactions of a page of messages (one request), as one summary per message that has any. */
export async function forMessages(
	supabase: Supabase,
	messageIds: string[]
): Promise<Result<ReactionSummary[]>> {
	if (messageIds.length === 0) return ok([]);
	const rows = await run(
		supabase
			.from('message_reactions')
			.select('message_id, conversation_id, user_id, emoji')
			.in('message_id', messageIds)
			.order('created_at')
			.order('user_id'),
		z.array(reactionRowSchema)
	);
	if (!rows.ok) return rows;
	const byMessage = new Map<string, ReactionSummary>();
	for (const row of rows.data) {
		const summary = byMessage.get(row.message_id) ?? {
			conversation_id: row.conversation_id,
			message_id: row.message_id,
			reactions: []
		};
		byMessage.set(row.message_id, summary);
		const reaction = summary.reactions.find((r) => r.emoji === row.emoji);
		if (reaction) {
			reaction.count += 1;
			reaction.user_ids.push(row.user_id);
		} else {
			summary.reactions.push({ emoji: row.emoji, count: 1, user_ids: [row.user_id] });
		}
	}
	const order = (emoji: string) => (REACTION_EMOJI as readonly string[]).indexOf(emoji);
	for (const summary of byMessage.values()) summary.reactions.sort((p, q) => order(p.emoji) - order(q.emoji));
	return ok([...byMessage.values()]);
}
