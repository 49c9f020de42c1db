// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Session, User } from '@supabase/supabase-js';
import type { Supabase } from '$lib/supabase/types';

declare global {
	namespace App {
		// interface Error {}
		interface Locals {
			supabase: Supabase;
			/** The session and user, only when the Auth server confirms the token. */
			safeGetSession: () => Promise<{ session: Session | null; user: User | null }>;
			session: Session | null;
			user: User | null;
		}
		interface PageData {
			session: Session | null;
		}
		// interface PageState {}
		// interface Platform {}
	}
}

export {};
