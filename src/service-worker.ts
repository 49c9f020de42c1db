// Spotter's service worker: keeps the app shell so every signed-in address opens offline, shows
// pushes as notifications and opens the conversation on click (the logic lives in $lib/push/sw-handlers).
//
// Offline, a navigation gets the app shell (src/routes/app-shell: no SSR, no data) and the client
// router renders the address asked for from what the device keeps (src/lib/device). No page is
// cached by address: a page rendered for one address and served under another is what made the app
// reload itself endlessly, and a cached page holds the previous user's data.
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
import { build, files, version } from '$service-worker';
import { handleNotificationClick, handlePush } from '$lib/push/sw-handlers';
import { isClearPages } from '$lib/worker-messages';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_CACHE = `spotter-shell-${version}`;
/** Pages cached by address by earlier versions of this worker: deleted. */
const LEGACY_PAGES_CACHE = 'spotter-pages';
/** The app shell page, fetched at install (see src/routes/app-shell). */
const APP_SHELL = '/app-shell';
/** Built JS/CSS and static files never change under one version: cache first. */
const SHELL = new Set([...build, ...files].filter((path) => !path.endsWith('.DS_Store')));

/**
 * What SvelteKit's data endpoint (`…/__data.json`) answers when a page's layouts and page have no
 * server data: one entry per node, null for "nothing from the server". Offline, the root layout's
 * server data (the user the server confirmed) cannot be had; answering "nothing" lets the app start
 * and fall back to what the device kept (src/routes/+layout.ts). Failing the request instead sends
 * SvelteKit into a full reload, which offline fails again, endlessly.
 */
const NO_SERVER_DATA = JSON.stringify({ type: 'data', nodes: [null] });

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(SHELL_CACHE)
			.then((cache) =>
				Promise.all([
					cache.addAll([...SHELL]),
					// Without cookies: the shell is the same for everyone and carries nobody's data.
					cache.add(new Request(APP_SHELL, { credentials: 'omit' }))
				])
			)
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(
					keys
						.filter(
							(key) => (key.startsWith('spotter-shell-') && key !== SHELL_CACHE) || key === LEGACY_PAGES_CACHE
						)
						.map((key) => caches.delete(key))
				)
			)
			// The browser asks for a page while this worker starts, instead of after (a phone's cold
			// worker takes a while): navigate() answers with that response.
			.then(() => sw.registration.navigationPreload?.enable())
			.then(() => sw.clients.claim())
	);
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	// Only our own origin: the Supabase APIs are never served from a cache.
	if (url.origin !== sw.location.origin) return;
	if (SHELL.has(url.pathname)) {
		event.respondWith(cacheFirst(request));
	} else if (request.mode === 'navigate') {
		event.respondWith(navigate(event, url));
	} else if (url.pathname.endsWith('/__data.json')) {
		event.respondWith(serverData(request));
	}
});

async function cacheFirst(request: Request): Promise<Response> {
	const cached = await caches.match(request, { cacheName: SHELL_CACHE });
	return cached ?? fetch(request);
}

/** A page: from the network when it can be reached (preloaded, when it was), else the app shell. */
async function navigate(event: FetchEvent, url: URL): Promise<Response> {
	try {
		const preloaded = (await event.preloadResponse) as Response | undefined;
		return preloaded ?? (await fetch(event.request));
	} catch (err) {
		// The root only redirects (to the messages when signed in): offline, go there directly.
		if (url.pathname === '/') return Response.redirect(new URL('/messages', url).href, 302);
		const shell = await caches.match(APP_SHELL, { cacheName: SHELL_CACHE });
		if (shell) return shell;
		throw err;
	}
}

/** A page's server data: from the network, or offline "no server data" (see NO_SERVER_DATA). */
async function serverData(request: Request): Promise<Response> {
	try {
		return await fetch(request);
	} catch {
		return new Response(NO_SERVER_DATA, {
			headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
		});
	}
}

sw.addEventListener('message', (event) => {
	// Sent by the app on sign-out. This worker keeps no one's pages; an earlier version's may remain.
	if (isClearPages(event.data)) {
		event.waitUntil(caches.delete(LEGACY_PAGES_CACHE));
	}
});

sw.addEventListener('push', (event) => {
	event.waitUntil(handlePush(sw, event.data));
});

sw.addEventListener('notificationclick', (event) => {
	event.waitUntil(handleNotificationClick(sw, event.notification));
});
