import type { LayoutServerLoad } from './$types';

// The hooks' auth guard already asked the Auth server about this request's session.
export const load: LayoutServerLoad = async ({ locals: { session, user }, cookies }) => {
	return { session, user, cookies: cookies.getAll() };
};
