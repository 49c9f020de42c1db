// Long press on touch screens and pens, as a Svelte attachment: the chat's bubbles and the
// conversation list's rows open their menus with it (phones have no hover). Written by hand, in one
// place for both: svelte-gestures' `press`, the maintained Svelte 5 gesture library, fires for a held
// mouse button too, lets through the click that ends the press (a row would open its conversation
// under its own menu), and sets `touch-action` on the element; what is left to wrap is most of this.
import type { Attachment } from 'svelte/attachments';

/** How long a finger rests before the menu opens (Android's and iOS's own long press are about this). */
export const LONG_PRESS_MS = 500;
/** How far a finger may drift and still be pressing rather than scrolling. */
export const LONG_PRESS_SLOP_PX = 10;

export interface LongPressOptions {
	/** Opens the element's menu. */
	onPress: () => void;
	/** Whether there is anything to open now (a deleted or read-only message has no actions). */
	enabled?: () => boolean;
	/**
	 * A right click (or the keyboard's menu key) opens the menu too — except over selected text, and
	 * over what `nativeMenuOn` selects inside the element (links, pictures), where the browser's own
	 * menu (copy, open in a new tab, save) is what the user wants.
	 */
	rightClick?: boolean;
	nativeMenuOn?: string;
}

function nativeMenuWanted(node: HTMLElement, event: MouseEvent, inner: string | undefined): boolean {
	const target = event.target instanceof Element ? event.target : null;
	const hit = inner ? target?.closest(inner) : null;
	if (hit && hit !== node && node.contains(hit)) return true;
	const selection = document.getSelection();
	return !!selection && !selection.isCollapsed && node.contains(selection.anchorNode);
}

export function longPress({
	onPress,
	enabled = () => true,
	rightClick = false,
	nativeMenuOn
}: LongPressOptions): Attachment<HTMLElement> {
	return (node) => {
		let timer: ReturnType<typeof setTimeout> | undefined;
		/** The finger (or pen) being held: where it went down. */
		let press: { id: number; x: number; y: number } | null = null;
		/** The menu opened from the current press: the click the press ends with is not a tap. */
		let opened = false;

		// iOS's callout (Copy, Share, link preview) would open over the menu.
		node.style.setProperty('-webkit-touch-callout', 'none');

		function stop() {
			clearTimeout(timer);
			press = null;
		}
		function open() {
			stop();
			opened = true;
			navigator.vibrate?.(10);
			onPress();
		}

		function down(event: PointerEvent) {
			stop();
			opened = false;
			const touch = event.pointerType === 'touch' || event.pointerType === 'pen';
			// A held finger would start selecting words under the menu; touch gives selection up here
			// (the menu has Copy), a mouse keeps it.
			node.style.userSelect = touch ? 'none' : '';
			node.style.setProperty('-webkit-user-select', touch ? 'none' : '');
			if (!touch || !event.isPrimary || !enabled()) return;
			press = { id: event.pointerId, x: event.clientX, y: event.clientY };
			timer = setTimeout(open, LONG_PRESS_MS);
		}
		function move(event: PointerEvent) {
			if (!press || event.pointerId !== press.id) return;
			if (Math.hypot(event.clientX - press.x, event.clientY - press.y) > LONG_PRESS_SLOP_PX) stop();
		}
		function end(event: PointerEvent) {
			if (press && event.pointerId === press.id) stop();
		}
		function click(event: MouseEvent) {
			if (!opened) return;
			opened = false;
			event.preventDefault();
			event.stopPropagation();
		}
		function contextMenu(event: MouseEvent) {
			// Android fires contextmenu for its own long press (iOS never does): the same menu, once,
			// and not the browser's.
			if (press || opened) {
				event.preventDefault();
				if (!opened) open();
				return;
			}
			if (!rightClick || !enabled() || nativeMenuWanted(node, event, nativeMenuOn)) return;
			event.preventDefault();
			onPress();
		}

		node.addEventListener('pointerdown', down);
		node.addEventListener('pointermove', move);
		node.addEventListener('pointerup', end);
		// The browser took the finger over for scrolling or zooming.
		node.addEventListener('pointercancel', end);
		// Capture: the press's click must not reach a link or button inside the element either.
		node.addEventListener('click', click, true);
		node.addEventListener('contextmenu', contextMenu);
		return () => {
			stop();
			node.removeEventListener('pointerdown', down);
			node.removeEventListener('pointermove', move);
			node.removeEventListener('pointerup', end);
			node.removeEventListener('pointercancel', end);
			node.removeEventListener('click', click, true);
			node.removeEventListener('contextmenu', contextMenu);
		};
	};
}
