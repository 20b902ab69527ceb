// A shared space: the first document type, a titled page of notes and a checklist that
// several people edit together. Pure functions over the Automerge document; state first.
import * as A from '@automerge/automerge';

// Type aliases (not interfaces) so Automerge's Record<string, unknown> constraint accepts them.
export type ChecklistItem = {
	id: string;
	text: string;
	done: boolean;
};

export type Space = {
	kind: 'space';
	title: string;
	notes: string;
	items: ChecklistItem[];
	createdAt: number;
};

export const TITLE_MAX = 120;
export const ITEM_MAX = 500;

export function newSpace(title: string, now = Date.now()): Space {
	return { kind: 'space', title: cleanTitle(title), notes: '', items: [], createdAt: now };
}

export function cleanTitle(title: string): string {
	return title.replace(/\s+/g, ' ').trim().slice(0, TITLE_MAX);
}

export function isSpace(doc: unknown): doc is Space {
	const d = doc as Space;
	return typeof d === 'object' && d !== null && d.kind === 'space' && typeof d.title === 'string' && Array.isArray(d.items);
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

/** Character-level edit, so two people typing in the same title both keep their words. */
export function renameSpace(doc: Space, title: string): void {
	A.updateText(doc, ['title'], title.slice(0, TITLE_MAX));
}

export function editNotes(doc: Space, notes: string): void {
	A.updateText(doc, ['notes'], notes);
}

export function addItem(doc: Space, text: string, id: string): void {
	const clean = text.trim().slice(0, ITEM_MAX);
	if (!clean) return;
	doc.items.push({ id, text: clean, done: false });
}

export function setItemDone(doc: Space, id: string, done: boolean): void {
	const item = doc.items.find((i) => i.id === id);
	if (item) item.done = done;
}

export function removeItem(doc: Space, id: string): void {
	const index = doc.items.findIndex((i) => i.id === id);
	if (index >= 0) doc.items.splice(index, 1);
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

export function displayTitle(doc: Space | undefined): string {
	return doc?.title.trim() || 'Untitled space';
}

export function progress(doc: Space): { done: number; total: number } {
	return { done: doc.items.filter((i) => i.done).length, total: doc.items.length };
}
