// Code the first paint does not need, loaded once and shared by every component that asks: the
// page renders without it, and what needs it (a menu's button, a dialog) appears a moment later.
import { loadOnce } from '$lib/on-demand';

/** bits-ui's menus and dialogs (src/lib/ui/bits.ts). */
export const bitsUi = loadOnce(() => import('./bits'));
