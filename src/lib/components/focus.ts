// Moves keyboard (and screen reader) focus to an element when it appears, e.g. the heading
// of a step that just replaced the one the person was on. Give the element tabindex="-1".
export function focusOnMount(node: HTMLElement): void {
	queueMicrotask(() => node.focus());
}
