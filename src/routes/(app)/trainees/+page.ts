import { error } from '@sveltejs/kit';
import * as api from '$lib/messaging/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
	const { supabase, profile } = await parent();
	const [trainees, invitations] = await Promise.all([
		api.listTrainees(supabase, profile.id),
		api.listActiveInvitations(supabase)
	]);
	if (!trainees.ok) error(503, trainees.error.message);
	if (!invitations.ok) error(503, invitations.error.message);
	const conversations = await api.conversationsWithTrainees(
		supabase,
		profile.id,
		trainees.data.map((t) => t.id)
	);
	if (!conversations.ok) error(503, conversations.error.message);
	return { trainees: trainees.data, conversations: conversations.data, invitations: invitations.data };
};
