// The app icon badge (Badging API), shared by the service worker and the page. On its own so
// the page does not pull in the push payload schema with it.

export interface BadgeScope {
	navigator?: { setAppBadge?(count?: number): Promise<void>; clearAppBadge?(): Promise<void> };
}

/** Sets the app icon badge where the Badging API exists; elsewhere there is nothing to do. */
export async function setBadge(scope: BadgeScope, count: number): Promise<void> {
	const nav = scope.navigator;
	if (!nav?.setAppBadge) return;
	if (count > 0) await nav.setAppBadge(count);
	else await (nav.clearAppBadge ? nav.clearAppBadge() : nav.setAppBadge(0));
}
