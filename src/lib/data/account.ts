// The account as a whole: what became of the invitation code given at sign-up, and everything the
// user can read, for the export. Reads go through the same RPCs and tables as the app (RLS decides
// what is mine), a bounded page at a time.
import type { User } from '@supabase/supabase-js';
import { z } from 'zod/mini';
import type { UserError } from '$lib/errors';
import {
	conversationRowSchema,
	messageRowSchema,
	profileSchema,
	type ConversationRow
} from '$lib/schemas/rows';
import type { Supabase } from '$lib/supabase/types';
import * as invitations from './invitations';
import { first, run } from './result';

/**
 * The code a trainee gave at sign-up is redeemed by the database when the address is confirmed;
 * a code that stopped working meanwhile is left unredeemed. Null when there was no code or it was
 * redeemed; otherwise why it was not, in the words the app uses for that code.
 */
export async function signUpInvitationProblem(supabase: Supabase, user: User): Promise<UserError | null> {
	const given = user.user_metadata?.invitation_code;
	if (typeof given !== 'string' || !given.trim()) return null;
	const code = given.trim().toUpperCase();
	const redeemed = await first(
		supabase
			.from('invitation_redemptions')
			.select('code')
			.eq('trainee_id', user.id)
			.eq('code', code)
			.limit(1),
		z.object({ code: z.string() })
	);
	if (!redeemed.ok) return redeemed.error;
	if (redeemed.data) return null;
	const status = await invitations.check(supabase, code);
	if (!status.ok) return status.error;
	if (status.data !== 'valid') return invitations.statusError(status.data);
	// Valid but not redeemed (the account was confirmed before the database redeemed codes at
	// confirmation): redeem it now, as the trainee.
	const linked = await invitations.redeem(supabase, code);
	return linked.ok ? null : linked.error;
}

/** How many rows each request of the export asks for (the RPCs' largest page). */
export const EXPORT_PAGE_SIZE = 100;

export interface ExportSubject {
	user: Pick<User, 'id' | 'email' | 'created_at'>;
}

/**
 * My data as JSON text, piece by piece, so that neither the server nor the browser holds it all:
 * my account and profile, then each conversation I can read with its messages (newest first),
 * each read a keyset page at a time. Throws when a page cannot be read: a partial file must not
 * look complete.
 */
export async function* exportJson(
	supabase: Supabase,
	{ user }: ExportSubject,
	{ pageSize = EXPORT_PAGE_SIZE } = {}
): AsyncGenerator<string> {
	const profile = await first(
		supabase
			.from('profiles')
			.select('id, role, display_name, avatar_url, trainer_id')
			.eq('id', user.id)
			.limit(1),
		profileSchema
	);
	if (!profile.ok) throw new Error(profile.error.message);
	yield `{"format":"spotter-export/1","exported_at":${JSON.stringify(new Date().toISOString())},`;
	yield `"account":${JSON.stringify({ id: user.id, email: user.email ?? null, created_at: user.created_at })},`;
	yield `"profile":${JSON.stringify(profile.data)},"messages_order":"newest_first","conversations":[`;

	let cursor: ConversationRow | undefined;
	let firstConversation = true;
	for (;;) {
		const page = await run(
			supabase.rpc('list_conversations', {
				page_size: pageSize,
				before_last_message_at: cursor?.last_message_at ?? undefined,
				before_id: cursor?.id
			}),
			z.array(conversationRowSchema)
		);
		if (!page.ok) throw new Error(page.error.message);
		for (const conversation of page.data) {
			yield `${firstConversation ? '' : ','}${conversationHead(conversation)}"messages":[`;
			firstConversation = false;
			yield* messagesOf(supabase, conversation.id, user.id, pageSize);
			yield ']}';
		}
		if (page.data.length < pageSize) break;
		cursor = page.data.at(-1);
	}
	yield ']}\n';
}

function conversationHead(c: ConversationRow): string {
	const head = {
		id: c.id,
		with: c.other_party_id
			? { id: c.other_party_id, name: c.other_party_name, role: c.other_party_role }
			: { id: null, name: 'Deleted user', role: null },
		archived_at: c.archived_at,
		archived_reason: c.archived_reason
	};
	// The object is left open for its messages.
	return JSON.stringify(head).slice(0, -1) + ',';
}

async function* messagesOf(
	supabase: Supabase,
	conversationId: string,
	me: string,
	pageSize: number
): AsyncGenerator<string> {
	let beforeSeq: number | undefined;
	let firstMessage = true;
	for (;;) {
		const page = await run(
			supabase.rpc('list_messages', {
				conversation_id: conversationId,
				before_seq: beforeSeq,
				page_size: pageSize
			}),
			z.array(messageRowSchema)
		);
		if (!page.ok) throw new Error(page.error.message);
		for (const m of page.data) {
			const row = { ...m, from_me: m.sender_id === me };
			yield `${firstMessage ? '' : ','}${JSON.stringify(row)}`;
			firstMessage = false;
		}
		if (page.data.length < pageSize) return;
		beforeSeq = page.data.at(-1)!.seq;
	}
}
