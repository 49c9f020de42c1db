// Coach tools, for trainers: broadcasts (one message to many trainees, each as an ordinary 1:1
// message; RPCs broadcast_message and broadcast_summaries), saved replies (the saved_replies table
// under RLS) and send later (RPCs schedule_message and schedule_broadcast; the scheduled_messages
// and scheduled_broadcasts tables for reading, editing and cancelling). The database checks every
// rule; these calls only carry the trainer's choices.
import { z } from 'zod/mini';
import type { Json } from '$lib/database.types';
import type { Supabase } from '$lib/supabase/types';
import { timestamp } from '$lib/schemas/rows';
import type { AttachmentInput } from '$lib/attachments/pending.svelte';
import { first, ok, run, type Result } from './result';

export const broadcastOutcomeSchema = z.object({
	recipient_id: z.string(),
	conversation_id: z.nullable(z.string()),
	message_id: z.nullable(z.string()),
	outcome: z.enum(['sent', 'already_sent', 'not_linked'])
});
export type BroadcastOutcome = z.infer<typeof broadcastOutcomeSchema>;

export const broadcastSummarySchema = z.object({
	id: z.string(),
	body: z.string(),
	created_at: timestamp,
	recipient_count: z.number(),
	sent_count: z.number(),
	read_count: z.number()
});
export type BroadcastSummary = z.infer<typeof broadcastSummarySchema>;

export const savedReplySchema = z.object({ id: z.string(), name: z.string(), body: z.string() });
export type SavedReply = z.infer<typeof savedReplySchema>;

export const scheduledMessageSchema = z.object({
	id: z.string(),
	recipient_id: z.string(),
	body: z.string(),
	send_at: timestamp,
	status: z.enum(['scheduled', 'sent', 'failed', 'cancelled']),
	failure: z.nullable(z.string()),
	sent_at: z.nullable(timestamp)
});
export type ScheduledMessage = z.infer<typeof scheduledMessageSchema>;

/**
 * Sends `body` to each of `recipientIds` in one call. `broadcastId` is made once per broadcast by
 * the caller and kept while retrying: the database then answers a retry with what it already sent.
 * `attachments` were uploaded under attachments/<my id>/<broadcastId>/, one upload for every copy.
 */
export function broadcast(
	supabase: Supabase,
	recipientIds: string[],
	body: string,
	broadcastId: string,
	attachments: AttachmentInput[] = []
): Promise<Result<BroadcastOutcome[]>> {
	return run(
		supabase.rpc('broadcast_message', {
			recipient_ids: recipientIds,
			body,
			broadcast_id: broadcastId,
			attachments: attachments as unknown as Json
		}),
		z.array(broadcastOutcomeSchema)
	);
}

export const BROADCASTS_PAGE_SIZE = 20;

/** My latest broadcasts, newest first, with how many copies were sent and read. */
export function broadcastSummaries(supabase: Supabase): Promise<Result<BroadcastSummary[]>> {
	return run(
		supabase.rpc('broadcast_summaries', { page_size: BROADCASTS_PAGE_SIZE }),
		z.array(broadcastSummarySchema)
	);
}

const replyColumns = 'id, name, body';

/** My saved replies by name. */
export function savedReplies(supabase: Supabase): Promise<Result<SavedReply[]>> {
	return run(
		supabase.from('saved_replies').select(replyColumns).order('name').order('id'),
		z.array(savedReplySchema)
	);
}

export function addSavedReply(
	supabase: Supabase,
	name: string,
	body: string
): Promise<Result<SavedReply | null>> {
	return first(supabase.from('saved_replies').insert({ name, body }).select(replyColumns), savedReplySchema);
}

export function editSavedReply(
	supabase: Supabase,
	id: string,
	name: string,
	body: string
): Promise<Result<SavedReply | null>> {
	return first(
		supabase.from('saved_replies').update({ name, body }).eq('id', id).select(replyColumns),
		savedReplySchema
	);
}

export async function deleteSavedReply(supabase: Supabase, id: string): Promise<Result<null>> {
	const result = await run(supabase.from('saved_replies').delete().eq('id', id), z.null());
	return result.ok ? ok(null) : result;
}

/**
 * Fills the placeholder `{first_name}` as the database does for broadcasts: with the first word of
 * the person's display name.
 */
export function fillFirstName(body: string, displayName: string | null | undefined): string {
	const firstName = (displayName ?? '').trim().split(/\s+/)[0] ?? '';
	return body.replaceAll('{first_name}', firstName);
}

const scheduledColumns = 'id, recipient_id, body, send_at, status, failure, sent_at';

/** Schedules `body` for `sendAt` (an ISO instant); `messageId` is kept while retrying. */
export function schedule(
	supabase: Supabase,
	recipientId: string,
	body: string,
	messageId: string,
	sendAt: string
): Promise<Result<ScheduledMessage>> {
	return run(
		supabase.rpc('schedule_message', {
			recipient_id: recipientId,
			body,
			message_id: messageId,
			send_at: sendAt
		}),
		scheduledMessageSchema
	);
}

/** My scheduled messages (waiting, sent, failed; not cancelled), latest time first. */
export function scheduledMessages(supabase: Supabase): Promise<Result<ScheduledMessage[]>> {
	return run(
		supabase
			.from('scheduled_messages')
			.select(scheduledColumns)
			.neq('status', 'cancelled')
			.order('send_at', { ascending: false })
			.order('id')
			.limit(100),
		z.array(scheduledMessageSchema)
	);
}

/** Changes a message that is still scheduled (the database refuses once it is sent: SP305). */
export function editScheduled(
	supabase: Supabase,
	id: string,
	body: string,
	sendAt: string
): Promise<Result<ScheduledMessage | null>> {
	return first(
		supabase
			.from('scheduled_messages')
			.update({ body, send_at: sendAt })
			.eq('id', id)
			.select(scheduledColumns),
		scheduledMessageSchema
	);
}

export function cancelScheduled(supabase: Supabase, id: string): Promise<Result<ScheduledMessage | null>> {
	return first(
		supabase.from('scheduled_messages').update({ status: 'cancelled' }).eq('id', id).select(scheduledColumns),
		scheduledMessageSchema
	);
}

export const scheduledBroadcastSchema = z.object({
	id: z.string(),
	recipient_ids: z.array(z.string()),
	body: z.string(),
	attachments: z.array(z.object({ path: z.string(), name: z.optional(z.string()) })),
	send_at: timestamp,
	status: z.enum(['scheduled', 'sent', 'failed', 'cancelled']),
	failure: z.nullable(z.string()),
	outcomes: z.nullable(
		z.array(z.object({ recipient_id: z.string(), outcome: broadcastOutcomeSchema.shape.outcome }))
	),
	sent_at: z.nullable(timestamp)
});
export type ScheduledBroadcast = z.infer<typeof scheduledBroadcastSchema>;

const scheduledBroadcastColumns =
	'id, recipient_ids, body, attachments, send_at, status, failure, outcomes, sent_at';

/**
 * Schedules a broadcast for `sendAt` (an ISO instant): then it goes out as `broadcast` would send it.
 * `broadcastId` is kept while retrying; the files are uploaded under it beforehand.
 */
export function scheduleBroadcast(
	supabase: Supabase,
	recipientIds: string[],
	body: string,
	broadcastId: string,
	sendAt: string,
	attachments: AttachmentInput[] = []
): Promise<Result<ScheduledBroadcast>> {
	return run(
		supabase.rpc('schedule_broadcast', {
			recipient_ids: recipientIds,
			body,
			broadcast_id: broadcastId,
			send_at: sendAt,
			attachments: attachments as unknown as Json
		}),
		scheduledBroadcastSchema
	);
}

/** My scheduled broadcasts (waiting, sent, failed; not cancelled), latest time first. */
export function scheduledBroadcasts(supabase: Supabase): Promise<Result<ScheduledBroadcast[]>> {
	return run(
		supabase
			.from('scheduled_broadcasts')
			.select(scheduledBroadcastColumns)
			.neq('status', 'cancelled')
			.order('send_at', { ascending: false })
			.order('id')
			.limit(100),
		z.array(scheduledBroadcastSchema)
	);
}

/** Changes a broadcast that is still scheduled: its text and time (SP305 once sent). */
export function editScheduledBroadcast(
	supabase: Supabase,
	id: string,
	body: string,
	sendAt: string
): Promise<Result<ScheduledBroadcast | null>> {
	return first(
		supabase
			.from('scheduled_broadcasts')
			.update({ body, send_at: sendAt })
			.eq('id', id)
			.select(scheduledBroadcastColumns),
		scheduledBroadcastSchema
	);
}

export function cancelScheduledBroadcast(
	supabase: Supabase,
	id: string
): Promise<Result<ScheduledBroadcast | null>> {
	return first(
		supabase
			.from('scheduled_broadcasts')
			.update({ status: 'cancelled' })
			.eq('id', id)
			.select(scheduledBroadcastColumns),
		scheduledBroadcastSchema
	);
}

/** Stores my time zone (an IANA name such as Europe/Berlin). */
export function setTimeZone(supabase: Supabase, userId: string, timeZone: string): Promise<Result<null>> {
	return run(supabase.from('profiles').update({ time_zone: timeZone }).eq('id', userId), z.null());
}

/** My stored time zone, or null. */
export async function timeZone(supabase: Supabase, userId: string): Promise<Result<string | null>> {
	const row = await first(
		supabase.from('profiles').select('time_zone').eq('id', userId).limit(1),
		z.object({ time_zone: z.nullable(z.string()) })
	);
	return row.ok ? ok(row.data?.time_zone ?? null) : row;
}
