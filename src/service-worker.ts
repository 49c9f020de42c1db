// Spotter's service worker: caches the app shell so the app opens offline, shows pushes as
// notifications and opens the conversation on click (the logic lives in $lib/push/sw-handlers).
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
import { build, files, version } from '$service-worker';
import { handleNotificationClick, handlePush } from '$lib/push/sw-handlers';
import { isClearPages } from '$lib/worker-messages';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_CACHE = `spotter-shell-${version}`;
const PAGES_CACHE = 'spotter-pages';
/** Built JS/CSS and static files never change under one version: cache first. */
const SHELL = new Set([...build, ...files].filter((path) => !path.endsWith('.DS_Store')));

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(SHELL_CACHE)
			.then((cache) => cache.addAll([...SHELL]))
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
						.filter((key) => key.startsWith('spotter-shell-') && key !== SHELL_CACHE)
						.map((key) => caches.delete(key))
				)
			)
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
	} else if (request.mode === 'navigate' || url.pathname.endsWith('/__data.json')) {
		event.respondWith(networkFirst(request));
	}
});

async function cacheFirst(request: Request): Promise<Response> {
	const cached = await caches.match(request, { cacheName: SHELL_CACHE });
	return cached ?? fetch(request);
}

/** Pages and their data: fresh when online; offline, the copy last seen (or the last page seen). */
async function networkFirst(request: Request): Promise<Response> {
	const cache = await caches.open(PAGES_CACHE);
	try {
		const response = await fetch(request);
		if (response.ok && !response.redirected && response.type === 'basic') {
			await cache.put(request, response.clone());
			if (request.mode === 'navigate') await cache.put('/__last-page', response.clone());
		}
		return response;
	} catch (err) {
		const cached =
			(await cache.match(request)) ??
			(request.mode === 'navigate' ? await cache.match('/__last-page') : undefined);
		if (cached) return cached;
		throw err;
	}
}

sw.addEventListener('message', (event) => {
	// Sent by the app on sign-out: cached pages hold the previous user's data.
	if (isClearPages(event.data)) {
		event.waitUntil(caches.delete(PAGES_CACHE));
	}
});

sw.addEventListener('push', (event) => {
	event.waitUntil(handlePush(sw, event.data));
});

sw.addEventListener('notificationclick', (event) => {
	event.waitUntil(handleNotificationClick(sw, event.notification));
});
