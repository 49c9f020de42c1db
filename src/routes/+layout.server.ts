import { ServerOnly } from '$lib/server-only';
import type { LayoutServerLoad } from './$types';

// The hooks' auth guard already asked the Auth server about this request's session. The session
// and the cookies are for the universal load rendering this request on the server; the browser
// reads its session from the cookies itself, so neither is written into the page.
export const load: LayoutServerLoad = async ({ locals: { session, user }, cookies }) => {
	return { user, server: new ServerOnly({ session, cookies: cookies.getAll() }) };
};
