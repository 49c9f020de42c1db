// The files of a message being written (pending.svelte.ts) and where they upload, loaded on demand:
// a page's first paint has none to show. They are needed once a file is attached, or once a message
// kept on the device turns out to have files.
import { loadOnce } from '$lib/on-demand';

export const attachmentDrafts = loadOnce(async () => {
	const [drafts, { storageTarget }] = await Promise.all([
		import('./pending.svelte'),
		import('$lib/supabase/storage')
	]);
	return { ...drafts, storageTarget };
});
