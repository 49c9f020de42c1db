// Code the first paint does not need, loaded once and shared by every component that asks: the
// page renders without it, and what needs it (a menu's button, a dialog) appears a moment later.
let bits: Promise<typeof import('./bits')> | undefined;

/** bits-ui's menus and dialogs (src/lib/ui/bits.ts). */
export function bitsUi(): Promise<typeof import('./bits')> {
	bits ??= import('./bits');
	return bits;
}
