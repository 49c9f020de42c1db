import type { Transport } from '@sveltejs/kit';
import { serverOnlyTransport } from '$lib/server-only';

export const transport: Transport = { ServerOnly: serverOnlyTransport };
