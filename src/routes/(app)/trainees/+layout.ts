import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent }) => {
	const { profile } = await parent();
	if (profile.role !== 'trainer') error(403, 'Only trainers have trainees.');
};
