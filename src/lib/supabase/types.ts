import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$lib/database.types';

/** A Supabase client typed by the generated schema (src/lib/database.types.ts). */
export type Supabase = SupabaseClient<Database>;
export type { Database };
