// A shared space: the first document type, a titled page of notes and a checklist that
// several people edit together. Pure functions over the Automerge document; state first.
import * as A from '@automerge/automerge';
import { words } from '$lib/words';

const msg = words.messages.model.space;

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
	/**
	 * Private spaces only: what each person in the space is called, by their identity key.
	 * Each person writes their own name. Names are content, so they live here (encrypted)
	 * and never in the space's membership log.
	 */
	people?: Record<string, string>;
	/** Private spaces only: the name of each part of the space people can be given, by id. */
	circles?: Record<string, string>;
	/** Private spaces only: who each invitation was made for, so whoever lets them in knows. */
	invited?: Record<string, string>;
};

export const TITLE_MAX = 120;
export const ITEM_MAX = 500;
export const NAME_MAX = 60;

/** What a part of a new private space is called, by the order it was made in (from 0). */
function defaultCircleName(index: number): string {
	return msg.defaultCircles[index] ?? words.messages.model.common.part(index + 1);
}

export function newSpace(title: string, now = Date.now()): Space {
	return { kind: 'space', title: cleanTitle(title), notes: '', items: [], createdAt: now };
}

/**
 * The shared notes document of a new private space. Its maps are made up front: if two people
 * each created `people` at the same time, one of the two maps (and its names) would be lost.
 */
export function newPrivateSpace(title: string, me: string, myName: string, circleIds: string[], now = Date.now()): Space {
	const circles: Record<string, string> = {};
	circleIds.forEach((id, i) => (circles[id] = defaultCircleName(i)));
	const name = cleanName(myName);
	return { ...newSpace(title, now), people: name ? { [me]: name } : {}, circles, invited: {} };
}

export function cleanName(name: string): string {
	return name.replace(/\s+/g, ' ').trim().slice(0, NAME_MAX);
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

/** A person sets the name others see for them. */
export function setPersonName(doc: Space, person: string, name: string): void {
	const clean = cleanName(name);
	if (!clean) return;
	if (!doc.people) doc.people = {};
	if (doc.people[person] !== clean) doc.people[person] = clean;
}

/** Remembers who an invitation was made for (shown to whoever lets them in). */
export function noteInvitation(doc: Space, invite: string, name: string): void {
	const clean = cleanName(name);
	if (!clean) return;
	if (!doc.invited) doc.invited = {};
	doc.invited[invite] = clean;
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

export function displayTitle(doc: Space | undefined): string {
	return doc?.title.trim() || msg.untitled;
}

export function progress(doc: Space): { done: number; total: number } {
	return { done: doc.items.filter((i) => i.done).length, total: doc.items.length };
}

/** The name a person chose, if they have set one. */
export function nameOf(doc: Space | undefined, person: string): string | undefined {
	return doc?.people?.[person]?.trim() || undefined;
}

/** Who an invitation was made for, if the inviter said. */
export function invitedName(doc: Space | undefined, invite: string | undefined): string | undefined {
	return (invite && doc?.invited?.[invite]?.trim()) || undefined;
}

/** The name of one part of a space: from the document, or the default for its position. */
export function circleName(doc: Space | undefined, circle: string, index: number): string {
	return doc?.circles?.[circle]?.trim() || defaultCircleName(index);
}
