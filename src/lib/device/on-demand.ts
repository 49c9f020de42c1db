// The device's IndexedDB stores (last-seen.ts, outbox.ts, with idb) for the pages, loaded on
// demand: every call into them is asynchronous, and the first paint needs none of them online (a
// page renders from the server's data; the stores are written after, and read offline). The service
// worker imports the modules themselves: it cannot load code on demand.
import { onDemand } from '$lib/on-demand';

export const lastSeen = onDemand(() => import('./last-seen'));
export const outbox = onDemand(() => import('./outbox'));
