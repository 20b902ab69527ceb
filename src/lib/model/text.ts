// Helpers for collaborative text fields: character-level updates and stable cursors, so a
// remote edit never throws your caret somewhere else.
import * as A from '@automerge/automerge';

export type TextPath = Array<string | number>;

export function textAt(doc: unknown, path: TextPath): string {
	let v: unknown = doc;
	for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p];
	return typeof v === 'string' ? v : '';
}

/** Rewrites the text with the smallest character-level edit from its current value. */
export function setText(doc: unknown, path: TextPath, value: string): void {
	A.updateText(doc as A.Doc<unknown>, path, value);
}

export function cursorAt(doc: unknown, path: TextPath, position: number): A.Cursor | undefined {
	try {
		const length = textAt(doc, path).length;
		return A.getCursor(doc as A.Doc<unknown>, path, position >= length ? 'end' : position);
	} catch {
		return undefined;
	}
}

export function positionOf(doc: unknown, path: TextPath, cursor: A.Cursor | undefined, fallback: number): number {
	if (!cursor) return fallback;
	try {
		return A.getCursorPosition(doc as A.Doc<unknown>, path, cursor);
	} catch {
		return fallback;
	}
}
