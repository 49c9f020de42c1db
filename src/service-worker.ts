// Spotter's service worker: keeps the app shell so every signed-in address opens offline, keeps the
// last signed-in page of each address for a warm start, shows pushes as notifications and opens the
// conversation on click (the logic lives in $lib/push/sw-handlers).
//
// Offline, a navigation gets the app shell (src/routes/app-shell: no SSR, no data) and the client
// router renders the address asked for from what the device keeps (src/lib/device).
//
// A warm start of the list or a conversation (isKeptAddress) gets the page the server last rendered
// for that exact address and that user, at once, while the server renders it again
// (stale-while-revalidate); the app then reads the database
// (src/routes/+layout.svelte). An earlier version kept pages by address alone: a page rendered for
// one address served under another made the app reload itself endlessly, and a kept page showed the
// previous user's data. So a page is kept only as the server answered it for that address (a 200
// the server marks as signed in, for the user it confirmed), shown only while the session cookie
// names that same user, and forgotten when the server answers that address with anything else (a
// redirect to sign-in, 401, 404), on sign-out and account deletion, and when another user's page
// is kept.
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
import { build, files, version } from '$service-worker';
import { handleNotificationClick, handlePush } from '$lib/push/sw-handlers';
import {
	inlineStylesheets,
	isKeptAddress,
	markKept,
	PAGE_USER_HEADER,
	sessionUserId
} from '$lib/device/kept-pages';
import { keepPostedMessage } from '$lib/device/posted-message';
import { isClearPages, keptPath } from '$lib/worker-messages';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_CACHE = `spotter-shell-${version}`;
/** Pages cached by address by earlier versions of this worker: deleted. */
const LEGACY_PAGES_CACHE = 'spotter-pages';
/** The signed-in pages kept for a warm start; one per address, of one user (see the header). */
const PAGES_CACHE = `spotter-kept-pages-${version}`;
/** At most this many addresses are kept (each page is its HTML with its CSS); the oldest go first. */
const KEPT_PAGES = 20;
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
							(key) =>
								(key.startsWith('spotter-shell-') && key !== SHELL_CACHE) ||
								// A page of another version names that version's files.
								(key.startsWith('spotter-kept-pages-') && key !== PAGES_CACHE) ||
								key === LEGACY_PAGES_CACHE
						)
						.map((key) => caches.delete(key))
				)
			)
			// The browser asks for a page while this worker starts, instead of after (a phone's cold
			// worker takes a while): navigate() answers with that response.
			.then(() => sw.registration.navigationPreload?.enable())
			// Never in the way of taking over: a failure is logged, and a slow server waited for 3 s at most.
			.then(() =>
				Promise.race([
					keepOpenPages().catch((err: unknown) => console.warn('[sw] open pages not kept:', err)),
					new Promise((resolve) => setTimeout(resolve, 3000))
				])
			)
			.then(() => sw.clients.claim())
	);
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (request.method !== 'GET') {
		// A message the composer's form posted before the app's code had loaded: the page the server
		// sends back to is shown as it now is (with that message), not as it was kept.
		if (request.mode === 'navigate' && url.origin === sw.location.origin && url.search === '?/send') {
			postedFrom.add(url.pathname);
			event.respondWith(postMessageForm(request, url));
		}
		return;
	}
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

/**
 * A page: the one kept for this address and this session's user, if any, while the network's answer
 * replaces it; else from the network (preloaded, when it was), or offline the app shell.
 */
async function navigate(event: FetchEvent, url: URL): Promise<Response> {
	const generation = pagesGeneration;
	const fromNetwork = (async () => {
		const preloaded = (await event.preloadResponse) as Response | undefined;
		return preloaded ?? (await fetch(event.request));
	})();
	const user = isKeptAddress(url.pathname) ? await cookieUser() : null;
	// Its own copy of the answer, taken before the page's is read.
	const revalidated = fromNetwork.then((response) => keep(url, user, response.clone(), generation));
	// The server's answer decides what is kept (or forgotten) for the next start, whoever shows.
	event.waitUntil(revalidated.catch(() => undefined));
	const posted = postedFrom.delete(url.pathname);
	const kept = user && !posted ? await keptPage(url, user) : undefined;
	if (kept) return kept;
	try {
		return withoutPreloads(await fromNetwork);
	} catch (err) {
		// Back from a form posted offline (its message waits in the outbox): the kept page will do.
		const keptAfterPost = user && posted ? await keptPage(url, user) : undefined;
		if (keptAfterPost) return keptAfterPost;
		// The root only redirects (to the messages when signed in): offline, go there directly.
		if (url.pathname === '/') return Response.redirect(new URL('/messages', url).href, 302);
		const shell = await caches.match(APP_SHELL, { cacheName: SHELL_CACHE });
		if (shell) return shell;
		throw err;
	}
}

/**
 * The composer's form (a conversation's page or a first message's, posted before it was
 * interactive): to the server, or without a network into the device's outbox, and back to the page,
 * where the chat sends it once the app has started and the network is back
 * ($lib/device/posted-message).
 */
async function postMessageForm(request: Request, url: URL): Promise<Response> {
	const form = request
		.clone()
		.formData()
		.catch(() => null);
	try {
		return await fetch(request);
	} catch (err) {
		const posted = await form;
		if (!posted || !(await keepPostedMessage(posted, url.pathname, await cookieUser()))) throw err;
		return Response.redirect(new URL(url.pathname, url).href, 303);
	}
}

/**
 * Without the page's `Link` preload header: from the cache every script arrives at once, and the
 * browser compiled them all (at 4× CPU about half a second) before it parsed the page. The page's own
 * start script imports them once its content is in the document.
 */
function withoutPreloads(response: Response): Response {
	if (!response.headers.has('link')) return response;
	const headers = new Headers(response.headers);
	headers.delete('link');
	return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The pages open when this worker first takes over were loaded without it: asked for again, so that
 * the next start of those addresses is warm too (before claiming them, so a page this worker
 * controls already has its copy).
 */
async function keepOpenPages(): Promise<void> {
	const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
	await Promise.all(
		windows.map((window) => keepAddress(new URL(window.url).pathname + new URL(window.url).search))
	);
}

/** Pages a form was just posted from: their next start comes from the network. */
const postedFrom = new Set<string>();

/** Bumped when the app says the user signed out: a page fetched before then is not kept. */
let pagesGeneration = 0;

/** The user this browser's session cookie names (null without one, or without the Cookie Store API). */
async function cookieUser(): Promise<string | null> {
	const store = (sw as { cookieStore?: CookieStore }).cookieStore;
	if (!store) return null;
	const cookies = await store.getAll();
	return sessionUserId(cookies.map((c) => ({ name: c.name ?? '', value: c.value ?? '' })));
}

/** The page kept for exactly this address, if it was rendered for `user`. */
async function keptPage(url: URL, user: string): Promise<Response | undefined> {
	const kept = await caches.match(pageKey(url), { cacheName: PAGES_CACHE });
	return kept?.headers.get(PAGE_USER_HEADER) === user ? kept : undefined;
}

/** Keyed by the exact address (path and query), never by a pattern. */
function pageKey(url: URL): string {
	return url.origin + url.pathname + url.search;
}

/**
 * Keeps the server's answer for the next start when it is a signed-in page of the user the cookie
 * named when it was asked for (and still names); forgets the address's page on any other answer
 * but a server error (a redirect, 401, 404: the page is no longer that user's to see).
 */
async function keep(url: URL, user: string | null, response: Response, generation: number): Promise<void> {
	const cache = await caches.open(PAGES_CACHE);
	const owner = response.headers.get(PAGE_USER_HEADER);
	const page =
		response.status === 200 &&
		response.type === 'basic' &&
		!response.redirected &&
		owner !== null &&
		owner === user;
	if (!page) {
		if (response.status < 500) await cache.delete(pageKey(url));
		return;
	}
	const marked = markKept(await response.text());
	const html = marked && (await inlineStylesheets(marked, shellText));
	// Signed out, or another user, while the page was on its way: not kept.
	if (!html || generation !== pagesGeneration || (await cookieUser()) !== owner) return;
	// One user's pages at a time: another user's go when this one's first page is kept.
	for (const request of await cache.keys()) {
		const other = await cache.match(request);
		if (other?.headers.get(PAGE_USER_HEADER) !== owner) await cache.delete(request);
	}
	const headers = new Headers(response.headers);
	// The body is not the server's any more (marked, stylesheets written in).
	for (const name of ['link', 'content-length', 'etag']) headers.delete(name);
	headers.set('cache-control', 'no-store');
	await cache.put(pageKey(url), new Response(html, { status: 200, headers }));
	// Keys list in the order they were put (a page put again moves to the end).
	const keys = await cache.keys();
	await Promise.all(keys.slice(0, Math.max(0, keys.length - KEPT_PAGES)).map((key) => cache.delete(key)));
}

/** A built file's text from the shell cache (null when it is not there). */
async function shellText(path: string): Promise<string | null> {
	if (!SHELL.has(path)) return null;
	const cached = await caches.match(path, { cacheName: SHELL_CACHE });
	return cached ? cached.text() : null;
}

/** Addresses being asked for by keepAddress: asked once however often the app says so. */
const keeping = new Map<string, Promise<void>>();

/** An address the app went to without a page load: its page, asked for once, unless already kept. */
function keepAddress(path: string): Promise<void> {
	const url = new URL(path, sw.location.origin);
	if (url.origin !== sw.location.origin || !isKeptAddress(url.pathname)) return Promise.resolve();
	const key = pageKey(url);
	const running = keeping.get(key);
	if (running) return running;
	const done = (async () => {
		const generation = pagesGeneration;
		try {
			const user = await cookieUser();
			if (!user || (await keptPage(url, user))) return;
			await keep(url, user, await fetch(url, { redirect: 'manual' }), generation);
		} catch (err) {
			// Offline or the server away: that address starts from the network next time.
			console.info('[sw] page not kept:', url.pathname, err);
		}
	})().finally(() => keeping.delete(key));
	keeping.set(key, done);
	return done;
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
	// Sent by the app on sign-out and account deletion: the kept pages hold the user's data.
	if (isClearPages(event.data)) {
		pagesGeneration++;
		event.waitUntil(Promise.all([caches.delete(PAGES_CACHE), caches.delete(LEGACY_PAGES_CACHE)]));
	}
	const path = keptPath(event.data);
	if (path) event.waitUntil(keepAddress(path));
});

sw.addEventListener('push', (event) => {
	event.waitUntil(handlePush(sw, event.data));
});

sw.addEventListener('notificationclick', (event) => {
	event.waitUntil(handleNotificationClick(sw, event.notification));
});
