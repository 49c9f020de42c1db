// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Session, User } from '@supabase/supabase-js';
import type { Supabase } from '$lib/supabase/types';

declare global {
	namespace App {
		// interface Error {}
		interface Locals {
			supabase: Supabase;
			/**
			 * The session and user, only when the Auth server confirms the token; `ended` when the
			 * request carried a session the Auth server no longer accepts (signed out elsewhere).
			 */
			safeGetSession: () => Promise<{ session: Session | null; user: User | null; ended: boolean }>;
			session: Session | null;
			user: User | null;
		}
		// interface PageData {}: the root layout's universal load gives every page `session`
		// (read in the browser from the cookies; never written into the page by the server).
		// interface PageState {}
		// interface Platform {}
	}
}

export {};
