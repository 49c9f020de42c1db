// The thin data layer: one plain async function per database call. Expected failures come back
// as values ({ ok: false, error }) carrying a sentence for the user; malformed rows throw.
import type { Supabase } from '$lib/supabase/types';
import { z } from 'zod/mini';
import { describeApiError, OFFLINE, type UserError } from './errors';
import {
	conversationRowSchema,
	conversationSchema,
	invitationSchema,
	messageRowSchema,
	profileSchema,
	type Conversation,
	type ConversationRow,
	type Invitation,
	type MessageRow,
	type Profile
} from './schema';

export type Result<T> = { ok: true; data: T } | { ok: false; error: UserError };

interface Response {
	data: unknown;
	error: { code?: string; message?: string } | null;
	status?: number;
}

async function run<T>(request: PromiseLike<Response>, schema: z.ZodMiniType<T>): Promise<Result<T>> {
	// The browser knows it is offline: answer at once instead of letting supabase-js retry a request
	// that cannot leave (its builders are lazy, so nothing is sent). Callers fall back to the device.
	if (typeof navigator !== 'undefined' && navigator.onLine === false) {
		return { ok: false, error: OFFLINE };
	}
	const { data, error, status } = await request;
	if (error) return { ok: false, error: describeApiError({ ...error, status }) };
	return { ok: true, data: schema.parse(data) };
}

export const CONVERSATION_PAGE_SIZE = 30;
export const MESSAGE_PAGE_SIZE = 20;

export interface ConversationCursor {
	lastMessageAt: string;
	id: string;
}

/** My conversations, newest first, after the keyset cursor. */
export function listConversations(
	supabase: Supabase,
	after?: ConversationCursor,
	pageSize = CONVERSATION_PAGE_SIZE
): Promise<Result<ConversationRow[]>> {
	return run(
		supabase.rpc('list_conversations', {
			page_size: pageSize,
			before_last_message_at: after?.lastMessageAt,
			before_id: after?.id
		}),
		z.array(conversationRowSchema)
	);
}

/** One page of history before `beforeSeq` (the newest page without it), oldest first. */
export async function listMessages(
	supabase: Supabase,
	conversationId: string,
	beforeSeq?: number
): Promise<Result<MessageRow[]>> {
	const result = await run(
		supabase.rpc('list_messages', {
			conversation_id: conversationId,
			before_seq: beforeSeq,
			page_size: MESSAGE_PAGE_SIZE
		}),
		z.array(messageRowSchema)
	);
	return result.ok ? { ok: true, data: result.data.toReversed() } : result;
}

/** Everything after the newest message I hold: the catch-up after (re)subscribing. */
export function messagesAfter(
	supabase: Supabase,
	conversationId: string,
	afterSeq: number
): Promise<Result<MessageRow[]>> {
	return run(
		supabase.from('messages').select().eq('conversation_id', conversationId).gt('seq', afterSeq).order('seq'),
		z.array(messageRowSchema)
	);
}

export function sendMessage(
	supabase: Supabase,
	message: { recipientId: string; body: string; id: string }
): Promise<Result<MessageRow>> {
	return run(
		supabase.rpc('send_message', {
			recipient_id: message.recipientId,
			body: message.body,
			message_id: message.id
		}),
		messageRowSchema
	);
}

export function markConversationRead(supabase: Supabase, conversationId: string): Promise<Result<number>> {
	return run(supabase.rpc('mark_conversation_read', { conversation_id: conversationId }), z.coerce.number());
}

export function unreadTotal(supabase: Supabase): Promise<Result<number>> {
	return run(supabase.rpc('unread_total'), z.coerce.number());
}

const conversationColumns =
	'id, trainer_id, trainee_id, last_message_seq, trainer_unread_count, trainee_unread_count, archived_at, archived_reason';

/** A conversation I take part in, or null (it does not exist or RLS hides it). */
export async function getConversation(supabase: Supabase, id: string): Promise<Result<Conversation | null>> {
	const result = await run(
		supabase.from('conversations').select(conversationColumns).eq('id', id).limit(1),
		z.array(conversationSchema)
	);
	return result.ok ? { ok: true, data: result.data[0] ?? null } : result;
}

/** The conversation between a trainer and a trainee, if they have one. */
export async function findConversation(
	supabase: Supabase,
	pair: { trainerId: string; traineeId: string }
): Promise<Result<Conversation | null>> {
	const result = await run(
		supabase
			.from('conversations')
			.select(conversationColumns)
			.eq('trainer_id', pair.trainerId)
			.eq('trainee_id', pair.traineeId)
			.limit(1),
		z.array(conversationSchema)
	);
	return result.ok ? { ok: true, data: result.data[0] ?? null } : result;
}

/** The conversations of a page of trainees (one query for the whole page). */
export function conversationsWithTrainees(
	supabase: Supabase,
	trainerId: string,
	traineeIds: string[]
): Promise<Result<Conversation[]>> {
	if (traineeIds.length === 0) return Promise.resolve({ ok: true, data: [] });
	return run(
		supabase
			.from('conversations')
			.select(conversationColumns)
			.eq('trainer_id', trainerId)
			.in('trainee_id', traineeIds),
		z.array(conversationSchema)
	);
}

const profileColumns = 'id, role, display_name, avatar_url, trainer_id';

/** A profile I may see (myself, my trainer, my trainees, past partners), or null. */
export async function getProfile(supabase: Supabase, id: string): Promise<Result<Profile | null>> {
	const result = await run(
		supabase.from('profiles').select(profileColumns).eq('id', id).limit(1),
		z.array(profileSchema)
	);
	return result.ok ? { ok: true, data: result.data[0] ?? null } : result;
}

export const TRAINEE_PAGE_SIZE = 50;

export interface TraineeCursor {
	displayName: string;
	id: string;
}

/** A trainer's trainees by name, keyset-paginated on (display_name, id). */
export function listTrainees(
	supabase: Supabase,
	trainerId: string,
	after?: TraineeCursor
): Promise<Result<Profile[]>> {
	let query = supabase.from('profiles').select(profileColumns).eq('trainer_id', trainerId);
	if (after) {
		const name = JSON.stringify(after.displayName);
		query = query.or(`display_name.gt.${name},and(display_name.eq.${name},id.gt.${after.id})`);
	}
	return run(query.order('display_name').order('id').limit(TRAINEE_PAGE_SIZE), z.array(profileSchema));
}

export function removeTrainee(supabase: Supabase, traineeId: string): Promise<Result<unknown>> {
	return run(supabase.rpc('remove_trainee', { trainee_id: traineeId }), z.unknown());
}

export function createInvitation(supabase: Supabase): Promise<Result<Invitation>> {
	return run(supabase.rpc('create_invitation'), invitationSchema);
}

/** My invitation codes that can still be redeemed, newest first. */
export function listActiveInvitations(supabase: Supabase): Promise<Result<Invitation[]>> {
	return run(
		supabase
			.from('invitations')
			.select('code, created_at, expires_at')
			.is('revoked_at', null)
			.gt('expires_at', new Date().toISOString())
			.order('created_at', { ascending: false })
			.limit(5),
		z.array(invitationSchema)
	);
}

export function redeemInvitation(supabase: Supabase, code: string): Promise<Result<Profile>> {
	return run(supabase.rpc('redeem_invitation', { code }), profileSchema);
}

export async function updateDisplayName(
	supabase: Supabase,
	userId: string,
	displayName: string
): Promise<Result<null>> {
	return run(supabase.from('profiles').update({ display_name: displayName }).eq('id', userId), z.null());
}
