import { browser } from '$app/environment';
import { firstPage } from '$lib/messaging/inbox.svelte';
import type { InboxRow } from '$lib/schemas/rows';
import type { LayoutLoad } from './$types';

/**
 * The conversation list's first page, for the first render only: on the server (so the list is in
 * the HTML, not waiting on a phone for the app's code, then a request), and again while that page
 * hydrates — the same request, which SvelteKit answers from the response it inlined, so hydration
 * shows what the server rendered. Afterwards (navigating within the app) the list reads itself
 * without holding up the navigation, and offline it shows what the device kept (Inbox).
 */
export const load: LayoutLoad = async ({ parent }) => {
	if (browser && (hydrated() || navigator.onLine === false)) return { inboxPage: null };
	const { supabase, profile } = await parent();
	if (!profile) return { inboxPage: null };
	const page = await firstPage(supabase);
	return { inboxPage: page.ok ? page.data : (null as InboxRow[] | null) };
};

/** The root layout marks the document once the app is interactive (src/routes/+layout.svelte). */
function hydrated(): boolean {
	return document.documentElement.dataset.hydrated !== undefined;
}
