// Message attachments and avatars: the one module that knows the database's side of media
// (send_message's `attachments` argument, the message_attachments table, profiles.avatar_path)
// and what the chat asks Storage for. Storage's own client loads with its first use
// (src/lib/supabase/storage.ts).
//
// The generated types (src/lib/database.types.ts) follow the merged migrations; until the
// attachments migration is among them, the calls below name its columns and argument through
// `untyped` — one place to remove once the types are regenerated.
import { z } from 'zod/mini';
import type { AttachmentInput } from '$lib/attachments/pending.svelte';
import type { Supabase } from '$lib/supabase/types';
import { messageSchema, type Message } from '$lib/schemas/rows';
import { failed, ok, run, type Result } from './result';
import { OFFLINE } from '$lib/errors';
import { publicUrl, storageClient } from '$lib/supabase/storage';
import { SIGNED_URL_SECONDS } from '$lib/attachments/resign';

export const ATTACHMENTS_BUCKET = 'attachments';
export const AVATARS_BUCKET = 'avatars';

const count = z.coerce.number();
const optionalNumber = z.optional(z.nullable(count));

export const attachmentSchema = z.object({
	id: z.string(),
	message_id: z.string(),
	path: z.string(),
	kind: z.enum(['image', 'video', 'audio', 'file']),
	mime_type: z.string(),
	size_bytes: count,
	original_name: z.string(),
	meta: z.catch(
		z.object({
			width: optionalNumber,
			height: optionalNumber,
			duration_ms: optionalNumber,
			poster_path: z.optional(z.nullable(z.string()))
		}),
		{}
	),
	position: count
});
export type Attachment = z.infer<typeof attachmentSchema>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the note at the top
const untyped = (supabase: Supabase) => supabase as unknown as any;

/** Sends a message with its (already uploaded) files; idempotent on `id` like messages.send. */
export function send(
	supabase: Supabase,
	message: {
		recipientId: string;
		body: string;
		id: string;
		replyToId?: string | null;
		attachments: AttachmentInput[];
	}
): Promise<Result<Message>> {
	return run(
		untyped(supabase).rpc('send_message', {
			recipient_id: message.recipientId,
			body: message.body,
			message_id: message.id,
			reply_to_id: message.replyToId ?? undefined,
			attachments: message.attachments
		}),
		messageSchema
	);
}

/** The attachments of these messages, in their order, by message id (messages without: absent). */
export async function forMessages(
	supabase: Supabase,
	messageIds: string[]
): Promise<Result<Map<string, Attachment[]>>> {
	const byMessage = new Map<string, Attachment[]>();
	if (messageIds.length === 0) return ok(byMessage);
	const rows = await run(
		untyped(supabase)
			.from('message_attachments')
			.select('id, message_id, path, kind, mime_type, size_bytes, original_name, meta, position')
			.in('message_id', messageIds)
			.order('position'),
		z.array(attachmentSchema)
	);
	if (!rows.ok) return rows;
	for (const row of rows.data) byMessage.set(row.message_id, [...(byMessage.get(row.message_id) ?? []), row]);
	return ok(byMessage);
}

/** Signed URLs to show these attachment paths (RLS decides: missing or hidden paths are absent). */
export async function signedUrls(supabase: Supabase, paths: string[]): Promise<Result<Map<string, string>>> {
	const urls = new Map<string, string>();
	if (paths.length === 0) return ok(urls);
	if (typeof navigator !== 'undefined' && navigator.onLine === false) return failed(OFFLINE);
	const { data, error } = await (
		await storageClient(supabase)
	)
		.from(ATTACHMENTS_BUCKET)
		.createSignedUrls(paths, SIGNED_URL_SECONDS);
	if (error) return run(Promise.resolve({ data: null, error }), z.never());
	for (const item of data)
		if (item.path && item.signedUrl && !item.error) urls.set(item.path, item.signedUrl);
	return ok(urls);
}

/**
 * Uploads my new profile photo (cropped, JPEG) and points my profile at it: `avatar_path` names the
 * object, `avatar_url` is its public URL, which every view that shows a person already reads.
 */
export async function setAvatar(supabase: Supabase, userId: string, photo: Blob): Promise<Result<string>> {
	const path = `${userId}/${crypto.randomUUID()}.jpg`;
	const { error } = await (
		await storageClient(supabase)
	)
		.from(AVATARS_BUCKET)
		.upload(path, photo, { contentType: 'image/jpeg', cacheControl: '31536000', upsert: false });
	if (error) return run(Promise.resolve({ data: null, error }), z.never());
	const url = publicUrl(AVATARS_BUCKET, path);
	const updated = await run(
		untyped(supabase)
			.from('profiles')
			.update({ avatar_path: path, avatar_url: url })
			.eq('id', userId)
			.select('id'),
		z.array(z.object({ id: z.string() }))
	);
	return updated.ok ? ok(url) : updated;
}

/** Back to initials (the old object stays: it may still be in someone's cache). */
export function removeAvatar(supabase: Supabase, userId: string): Promise<Result<unknown>> {
	return run(
		untyped(supabase)
			.from('profiles')
			.update({ avatar_path: null, avatar_url: null })
			.eq('id', userId)
			.select('id'),
		z.array(z.object({ id: z.string() }))
	);
}
