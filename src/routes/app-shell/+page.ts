// The app shell: an HTML page with no data and no content of its own, which the service worker keeps
// and serves for any navigation it cannot fetch (offline). Rendered without SSR, it only starts the
// client router, which then renders whatever address the browser asked for from what the device
// keeps (src/lib/device). Opened by itself, it goes to the app.
import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const ssr = false;

export const load: PageLoad = () => {
	redirect(307, '/messages');
};
