// Visit notes (care-records access circle): what happened on a visit, written by whoever gave
// the support, seen by the Team Owner, who can add to a note but never edit the worker's
// words. Every note written is its own entry, keyed by a random id: a worker who writes in the
// morning and again in the evening keeps both, two workers on a visit each keep theirs, and
// notes written offline on two devices both survive the merge. (Notes used to be one per
// visit and author, keyed `${visitKey}~${author}`, and saving again overwrote the text; such
// notes still read as they are, and nothing new is ever written under those keys.)
//
// Anyone who may write this document could change any field of it, so each note is signed by
// its author's device over its words, icons, visit and time (authorship.ts), and signed again
// whenever the author edits it. A note changed by anyone else, or written in someone else's
// name, shows as altered (`noteAuthorship`); notes from before notes were signed show as such.
import { words } from '$lib/words';
import { authorship, signFields, type Authorship, type Signature } from './authorship';
import type { DeviceCheck, SigningDevice } from './mar';
import { isIsoDate, type IsoDate, type IsoMonth } from './calendar';
import { isPlainId, OK, refuse, type PersonKey, type Result } from './ids';
import { parseVisitKey, type VisitKey } from './rota';
import { setText } from './text';

const msg = words.messages.model.visitNotes;

export type Activity =
	| 'personal-care'
	| 'meal'
	| 'drink'
	| 'medication'
	| 'shopping'
	| 'outing'
	| 'housework'
	| 'social-time'
	| 'exercise'
	| 'other';

/** The quick icons, in the order the app shows them, with their plain-English labels. */
export const ACTIVITIES: Record<Activity, string> = words.team.activities;

export type OwnerComment = { text: string; at: number };

export type VisitNote = {
	visit: VisitKey;
	author: PersonKey;
	createdAt: number;
	/** Collaborative text, edited with `A.updateText` (through `setText`) by the author only. */
	text: string;
	/** A set as a map (flag → true): ticking two icons on two devices keeps both. */
	activities: Partial<Record<Activity, true>>;
	/** The Team Owner's additions, keyed by random id so additions from two devices both survive. */
	ownerComments: Record<string, OwnerComment>;
	/** The author's device signature (see `noteBytes`); absent on notes written before notes were signed. */
	signed?: Signature;
};

export type VisitNotes = {
	kind: 'visit-notes';
	/** The Team Owner: the one person who may add to anyone's note. */
	owner: PersonKey;
	/** By note id: a random id (or, for notes written before, `${visitKey}~${author}`). */
	notes: Record<string, VisitNote>;
	/**
	 * The month of the visits whose notes this document holds. Years of notes in one document
	 * would make opening the team slow, so each month has its own; a document without a period
	 * (from before) holds any month.
	 */
	period?: IsoMonth;
};

export const NOTE_MAX = 20_000;
export const COMMENT_MAX = 2_000;

export function newVisitNotes(owner: PersonKey, period?: IsoMonth): VisitNotes {
	return period ? { kind: 'visit-notes', owner, notes: {}, period } : { kind: 'visit-notes', owner, notes: {} };
}

export function isVisitNotes(doc: unknown): doc is VisitNotes {
	const d = doc as VisitNotes;
	return typeof d === 'object' && d !== null && d.kind === 'visit-notes' && typeof d.owner === 'string' && typeof d.notes === 'object';
}

export function isActivity(value: unknown): value is Activity {
	return typeof value === 'string' && Object.hasOwn(ACTIVITIES, value);
}

/**
 * The key a note had when there was one note per visit and author. Documents written then
 * still hold notes under it; new notes never use it (a new note's id has no `~`).
 */
export function legacyNoteKey(visit: VisitKey, author: PersonKey): string {
	return `${visit}~${author}`;
}

function activitySet(activities: readonly Activity[]): Partial<Record<Activity, true>> {
	return Object.fromEntries(activities.map((a) => [a, true as const]));
}

const NOTE_TAG = 'hearth/visit-note/v1';

/** What a note's signature covers: its id, visit, author, time, words and ticked icons (in ACTIVITIES order). */
function noteFields(id: string, n: { visit: string; author: string; createdAt: number; text: string; activities: readonly Activity[] }) {
	return [id, n.visit, n.author, n.createdAt, n.text, ...n.activities];
}

function ordered(activities: readonly Activity[]): Activity[] {
	return (Object.keys(ACTIVITIES) as Activity[]).filter((a) => activities.includes(a));
}

/** Signs (or signs again, after an edit) a note as it now reads. */
function signNote(notes: VisitNotes, id: string, device: SigningDevice | undefined, text: string, activities: readonly Activity[]): void {
	const note = notes.notes[id];
	if (!device || !note) return;
	const fields = noteFields(id, { visit: note.visit, author: note.author, createdAt: note.createdAt, text, activities: ordered(activities) });
	note.signed = signFields(device, NOTE_TAG, fields);
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

/**
 * Adds a new note for a visit, under `id` (a fresh `randomId()`). Writing again about the same
 * visit adds another note: what was written before is never replaced.
 */
export function addNote(
	notes: VisitNotes,
	actor: PersonKey,
	id: string,
	visit: VisitKey,
	text: string,
	activities: Activity[] = [],
	now = Date.now(),
	device?: SigningDevice
): Result {
	if (!isPlainId(id)) return refuse(msg.badId);
	if (notes.notes[id]) return refuse(msg.noteExists);
	if (!parseVisitKey(visit)) return refuse(msg.notAVisit);
	if (!activities.every(isActivity)) return refuse(msg.chooseActivities);
	const clipped = text.slice(0, NOTE_MAX);
	if (!clipped.trim()) return refuse(msg.emptyNote);
	notes.notes[id] = { visit, author: actor, createdAt: now, text: clipped, activities: activitySet(activities), ownerComments: {} };
	signNote(notes, id, device, clipped, activities);
	return OK;
}

/**
 * The author changes their own note (e.g. saving again what the device could not yet keep).
 * The text changes character by character, so edits from the author's phone and laptop merge;
 * the ticked icons become exactly `activities`. Refuses an empty text: a note is never emptied.
 */
export function editNote(notes: VisitNotes, actor: PersonKey, id: string, text: string, activities: Activity[], device?: SigningDevice): Result {
	const note = notes.notes[id];
	if (!note) return refuse(msg.noSuchNote);
	if (note.author !== actor) return refuse(msg.onlyAuthorEdits);
	if (!activities.every(isActivity)) return refuse(msg.chooseActivities);
	const clipped = text.slice(0, NOTE_MAX);
	if (!clipped.trim()) return refuse(msg.emptyNote);
	if (note.text !== clipped) setText(notes, ['notes', id, 'text'], clipped);
	for (const a of Object.keys(ACTIVITIES) as Activity[]) {
		const on = activities.includes(a);
		if (on && !note.activities[a]) note.activities[a] = true;
		if (!on && note.activities[a]) delete note.activities[a];
	}
	signNote(notes, id, device, clipped, activities);
	return OK;
}

/** Ticks or unticks one quick icon on the author's own note. */
export function setActivity(notes: VisitNotes, actor: PersonKey, id: string, activity: Activity, on: boolean, device?: SigningDevice): Result {
	const note = notes.notes[id];
	if (!note) return refuse(msg.noSuchNote);
	if (note.author !== actor) return refuse(msg.onlyAuthorEdits);
	if (!isActivity(activity)) return refuse(msg.chooseActivity);
	if (on && !note.activities[activity]) note.activities[activity] = true;
	if (!on && note.activities[activity]) delete note.activities[activity];
	signNote(notes, id, device, note.text, (Object.keys(ACTIVITIES) as Activity[]).filter((a) => note.activities[a]));
	return OK;
}

/** The Team Owner adds to a worker's note; the worker's own words stay as they wrote them. */
export function addOwnerComment(
	notes: VisitNotes,
	actor: PersonKey,
	noteId: string,
	commentId: string,
	text: string,
	now = Date.now()
): Result {
	if (actor !== notes.owner) return refuse(msg.onlyOwnerComments);
	const note = notes.notes[noteId];
	if (!note) return refuse(msg.noSuchNote);
	const clean = text.trim().slice(0, COMMENT_MAX);
	if (!clean) return refuse(msg.emptyComment);
	if (note.ownerComments[commentId]) return refuse(msg.commentExists);
	note.ownerComments[commentId] = { text: clean, at: now };
	return OK;
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

export type NoteView = {
	id: string;
	visit: VisitKey;
	date: IsoDate;
	author: PersonKey;
	createdAt: number;
	text: string;
	/** In the fixed order of ACTIVITIES. */
	activities: Activity[];
	/** Oldest first. */
	ownerComments: Array<{ id: string } & OwnerComment>;
	/** As stored; checked by `noteAuthorship`. */
	signed: unknown;
};

function view(id: string, note: VisitNote): NoteView | undefined {
	const parsed = parseVisitKey(note.visit);
	if (!parsed) return undefined;
	return {
		id,
		visit: note.visit,
		date: parsed.date,
		author: note.author,
		createdAt: note.createdAt,
		text: note.text,
		activities: (Object.keys(ACTIVITIES) as Activity[]).filter((a) => note.activities[a]),
		ownerComments: Object.entries(note.ownerComments)
			.map(([cid, c]) => ({ id: cid, ...c }))
			.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)),
		signed: note.signed
	};
}

/**
 * Whether a note is as its author wrote it: signed by one of the author's devices
 * (`isAuthorDevice`, from the space's membership), altered, or from before notes were signed.
 * Needs `await cryptoReady()` first.
 */
export function noteAuthorship(note: NoteView, isAuthorDevice?: DeviceCheck): Authorship {
	return authorship(note.signed, NOTE_TAG, noteFields(note.id, note), note.author, isAuthorDevice);
}

/** One document or several (the months being shown); a note is listed once even if in two. */
type NoteSource = VisitNotes | readonly VisitNotes[];

function allNotes(source: NoteSource): NoteView[] {
	const docs: readonly VisitNotes[] = Array.isArray(source) ? source : [source as VisitNotes];
	const out = new Map<string, NoteView>();
	for (const doc of docs) for (const [id, n] of Object.entries(doc.notes)) if (!out.has(id)) { const v = view(id, n); if (v) out.set(id, v); }
	return [...out.values()];
}

/** Notes for visits on one day, in the order they were written. */
export function notesForDay(notes: NoteSource, date: IsoDate): NoteView[] {
	if (!isIsoDate(date)) return [];
	return allNotes(notes)
		.filter((n) => n.date === date)
		.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** Notes for one visit (every note anyone wrote about it), in the order they were written. */
export function notesForVisit(notes: NoteSource, visit: VisitKey): NoteView[] {
	return allNotes(notes)
		.filter((n) => n.visit === visit)
		.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** The most recent notes first, by visit date then when written. */
export function latestNotes(notes: NoteSource, limit = 10): NoteView[] {
	return allNotes(notes)
		.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.createdAt - a.createdAt || a.id.localeCompare(b.id)))
		.slice(0, Math.max(0, limit));
}
