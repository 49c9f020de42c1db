// A conversation with this person, who may not have one with me yet: my trainee (I am their
// trainer) or my trainer (I am their trainee). If we already have a conversation, that is where
// this goes; otherwise an empty composer, and nothing is sent until the user writes and sends.
import { browser } from '$app/environment';
import { error, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import * as conversations from '$lib/data/conversations';
import * as profiles from '$lib/data/profiles';
import { lastSeen } from '$lib/device/on-demand';
import { profileDependency } from '$lib/messaging/live-views';
import { uuidParamSchema } from '$lib/schemas/input';
import type { Profile } from '$lib/schemas/rows';
import type { ChatPage } from '../../chat-page';
import type { PageLoad } from './$types';

const NOT_YOURS = 'You can only message your own trainer or trainees.';

export const load: PageLoad = async ({ params, parent, depends }) => {
	const { supabase, profile } = await parent();
	if (!uuidParamSchema.safeParse(params.personId).success) error(404, NOT_YOURS);
	depends(profileDependency(params.personId));

	const other = await profiles.get(supabase, params.personId);
	if (!other.ok && other.error.code === 'offline' && browser) return offline(profile, params.personId);
	if (!other.ok) error(503, other.error.message);
	if (!other.data || !linked(profile, other.data)) error(404, NOT_YOURS);

	const pair =
		profile.role === 'trainer'
			? { trainerId: profile.id, traineeId: other.data.id }
			: { trainerId: other.data.id, traineeId: profile.id };
	const existing = await conversations.between(supabase, pair);
	if (!existing.ok) error(503, existing.error.message);
	if (existing.data) {
		redirect(307, resolve('/(app)/messages/[conversationId]', { conversationId: existing.data.id }));
	}
	if (browser) void lastSeen.savePerson(profile.id, other.data);
	return { chat: newChat(other.data) };
};

function linked(me: Profile, other: Profile): boolean {
	return (
		(me.role === 'trainer' && other.trainer_id === me.id) ||
		(me.role === 'trainee' && me.trainer_id === other.id)
	);
}

function newChat(other: Profile): ChatPage {
	return {
		recipient: { id: other.id, name: other.display_name, avatarUrl: other.avatar_url },
		conversationId: null,
		messages: [],
		hasOlder: false,
		archivedReason: null
	};
}

/**
 * Offline: the person as this device last saw them (from this page, or a trainer's trainee list).
 * A conversation the list already had is opened instead; otherwise what is written waits in the
 * outbox and creates the conversation when the network is back.
 */
async function offline(me: Profile, personId: string) {
	const [inbox, person, trainees] = await Promise.all([
		lastSeen.inbox(me.id),
		lastSeen.person(me.id, personId),
		me.role === 'trainer' ? lastSeen.trainees(me.id) : undefined
	]);
	const existing = inbox?.conversations.find((c) => c.other_party_id === personId);
	if (existing) redirect(307, resolve('/(app)/messages/[conversationId]', { conversationId: existing.id }));
	const other = person ?? trainees?.trainees.find((t) => t.id === personId);
	if (!other) error(503, 'You are offline, and this person has not been opened on this device yet.');
	if (!linked(me, other)) error(404, NOT_YOURS);
	return { chat: newChat(other) };
}
