// The long press's rules, with the clock in hand: which pointers count, how far a finger may
// drift, what happens to the click and the context menu. Elements and events are small stand-ins
// (Node has EventTarget and Event, not the DOM); the real browser is tests/e2e/phone.spec.ts.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { LONG_PRESS_MS, longPress, type LongPressOptions } from './long-press';

class FakeElement extends EventTarget {
	readonly style: Record<string, string> = {};
	constructor(readonly tag = 'li') {
		super();
		// CSSStyleDeclaration's way in for names such as -webkit-touch-callout.
		Object.defineProperty(this.style, 'setProperty', {
			value: (name: string, value: string) => (this.style[name] = value)
		});
	}
	children: FakeElement[] = [];
	contains(other: unknown): boolean {
		return other === this || this.children.some((child) => child.contains(other));
	}
	closest(selector: string): FakeElement | null {
		return selector.split(',').some((s) => s.trim().startsWith(this.tag)) ? this : null;
	}
}

function pointer(type: string, fields: Partial<PointerEvent> = {}): Event {
	return Object.assign(new Event(type, { cancelable: true, bubbles: true }), {
		pointerType: 'touch',
		isPrimary: true,
		pointerId: 1,
		clientX: 100,
		clientY: 100,
		...fields
	});
}

let vibrate: ReturnType<typeof vi.fn>;
let selection: { isCollapsed: boolean; anchorNode: unknown };

beforeEach(() => {
	vi.useFakeTimers();
	vibrate = vi.fn();
	selection = { isCollapsed: true, anchorNode: null };
	vi.stubGlobal('navigator', { vibrate });
	vi.stubGlobal('document', { getSelection: () => selection });
	vi.stubGlobal('Element', FakeElement);
});
afterEach(() => {
	vi.useRealTimers();
	vi.unstubAllGlobals();
});

function attach(options: Partial<LongPressOptions> = {}) {
	const node = new FakeElement();
	const onPress = vi.fn();
	const detach = longPress({ onPress, ...options })(node as unknown as HTMLElement);
	return { node, onPress, detach };
}

describe('a finger or a pen', () => {
	test('resting for the long press opens the menu once, with a short buzz', () => {
		const { node, onPress } = attach();
		node.dispatchEvent(pointer('pointerdown'));
		vi.advanceTimersByTime(LONG_PRESS_MS - 1);
		expect(onPress).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(onPress).toHaveBeenCalledTimes(1);
		expect(vibrate).toHaveBeenCalledWith(10);
	});

	test('a pen counts as a finger; a mouse held down does not', () => {
		const pen = attach();
		pen.node.dispatchEvent(pointer('pointerdown', { pointerType: 'pen' }));
		vi.advanceTimersByTime(LONG_PRESS_MS);
		expect(pen.onPress).toHaveBeenCalledTimes(1);

		const mouse = attach();
		mouse.node.dispatchEvent(pointer('pointerdown', { pointerType: 'mouse' }));
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(mouse.onPress).not.toHaveBeenCalled();
	});

	test('lifted early, it is a tap: no menu, and its click goes through', () => {
		const { node, onPress } = attach();
		node.dispatchEvent(pointer('pointerdown'));
		vi.advanceTimersByTime(LONG_PRESS_MS / 2);
		node.dispatchEvent(pointer('pointerup'));
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(onPress).not.toHaveBeenCalled();
		const click = pointer('click');
		node.dispatchEvent(click);
		expect(click.defaultPrevented).toBe(false);
	});

	test('a tremble within 10 px still presses; a move past it is a scroll and opens nothing', () => {
		const steady = attach();
		steady.node.dispatchEvent(pointer('pointerdown'));
		steady.node.dispatchEvent(pointer('pointermove', { clientX: 106, clientY: 107 }));
		vi.advanceTimersByTime(LONG_PRESS_MS);
		expect(steady.onPress).toHaveBeenCalledTimes(1);

		const scrolling = attach();
		scrolling.node.dispatchEvent(pointer('pointerdown'));
		scrolling.node.dispatchEvent(pointer('pointermove', { clientY: 111 }));
		scrolling.node.dispatchEvent(pointer('pointermove', { clientY: 100 }));
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(scrolling.onPress).not.toHaveBeenCalled();
	});

	test('the browser taking the finger over (pointercancel) ends the press', () => {
		const { node, onPress } = attach();
		node.dispatchEvent(pointer('pointerdown'));
		node.dispatchEvent(pointer('pointercancel'));
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(onPress).not.toHaveBeenCalled();
	});

	test('a second finger (a pinch) does not press', () => {
		const { node, onPress } = attach();
		node.dispatchEvent(pointer('pointerdown', { isPrimary: false, pointerId: 2 }));
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(onPress).not.toHaveBeenCalled();
	});

	test('nothing opens while there is nothing to open', () => {
		const { node, onPress } = attach({ enabled: () => false });
		node.dispatchEvent(pointer('pointerdown'));
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(onPress).not.toHaveBeenCalled();
	});

	test('the click that ends a long press is swallowed, and only that one', () => {
		const { node } = attach();
		node.dispatchEvent(pointer('pointerdown'));
		vi.advanceTimersByTime(LONG_PRESS_MS);
		node.dispatchEvent(pointer('pointerup'));
		const ending = pointer('click');
		node.dispatchEvent(ending);
		// Not followed (a row's link), and stopped before a link or button inside sees it.
		expect(ending.defaultPrevented).toBe(true);
		expect(ending.cancelBubble).toBe(true);

		const next = pointer('click');
		node.dispatchEvent(next);
		expect(next.defaultPrevented).toBe(false);
		expect(next.cancelBubble).toBe(false);
	});

	test('text selection is given up for touch and kept for a mouse', () => {
		const { node } = attach();
		expect(node.style['-webkit-touch-callout']).toBe('none');
		node.dispatchEvent(pointer('pointerdown'));
		expect(node.style.userSelect).toBe('none');
		node.dispatchEvent(pointer('pointerup'));
		node.dispatchEvent(pointer('pointerdown', { pointerType: 'mouse' }));
		expect(node.style.userSelect).toBe('');
	});
});

describe('the context menu', () => {
	test("Android's own long press opens the same menu, once, and never the browser's", () => {
		const { node, onPress } = attach();
		node.dispatchEvent(pointer('pointerdown'));
		vi.advanceTimersByTime(LONG_PRESS_MS / 2);
		const android = pointer('contextmenu');
		node.dispatchEvent(android);
		expect(android.defaultPrevented).toBe(true);
		expect(onPress).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(LONG_PRESS_MS * 4);
		expect(onPress).toHaveBeenCalledTimes(1);

		// Or after ours already opened it.
		const late = attach();
		late.node.dispatchEvent(pointer('pointerdown'));
		vi.advanceTimersByTime(LONG_PRESS_MS);
		const after = pointer('contextmenu');
		late.node.dispatchEvent(after);
		expect(after.defaultPrevented).toBe(true);
		expect(late.onPress).toHaveBeenCalledTimes(1);
	});

	test("a right click keeps the browser's menu unless asked to open ours", () => {
		const plain = attach();
		const click = pointer('contextmenu', { pointerType: 'mouse' });
		plain.node.dispatchEvent(click);
		expect(click.defaultPrevented).toBe(false);
		expect(plain.onPress).not.toHaveBeenCalled();

		const menu = attach({ rightClick: true });
		const right = pointer('contextmenu', { pointerType: 'mouse' });
		menu.node.dispatchEvent(right);
		expect(right.defaultPrevented).toBe(true);
		expect(menu.onPress).toHaveBeenCalledTimes(1);
	});

	test("a right click on a link inside, or on selected text, keeps the browser's menu", () => {
		const { node, onPress } = attach({ rightClick: true, nativeMenuOn: 'a[href], img' });
		const link = new FakeElement('a');
		node.children.push(link);
		// The stand-ins have no tree to bubble through: the element gets the event with the link as its target.
		const onLink = pointer('contextmenu', { pointerType: 'mouse' });
		Object.defineProperty(onLink, 'target', { value: link });
		node.dispatchEvent(onLink);
		expect(onLink.defaultPrevented).toBe(false);

		selection = { isCollapsed: false, anchorNode: node };
		const onSelection = pointer('contextmenu', { pointerType: 'mouse' });
		node.dispatchEvent(onSelection);
		expect(onSelection.defaultPrevented).toBe(false);
		expect(onPress).not.toHaveBeenCalled();
	});
});

test('detached, a press in progress opens nothing', () => {
	const { node, onPress, detach } = attach();
	node.dispatchEvent(pointer('pointerdown'));
	detach?.();
	vi.advanceTimersByTime(LONG_PRESS_MS * 4);
	expect(onPress).not.toHaveBeenCalled();
});
