// How a Circle is laid out as a private space, what a wider circle receives when minutes are
// published to it, and a member's personal logbook. Pure: no keys, no I/O.
//
// A circle's space has one access circle (everyone in the circle) holding the space's shared
// notes (names, invitations), the circle document and the logbook. Published minutes are a new
// document written into the *wider* circle's space, so they are encrypted to that circle's key;
// the circle's own logbook never leaves its space. A personal logbook is a document in a
// private space of its own: only its owner holds the key unless they invite someone in.
import { words } from '$lib/words';
import type { IsoDate } from './calendar';
import type { Circle } from './circle';
import type { Logbook, Meeting } from './logbook';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { setText } from './text';

const msg = words.messages.model.circleSpace;

export type PublishedMinutes = {
	kind: 'published-minutes';
	/** The circle that published, as it named itself. */
	fromSpace: string;
	fromName: string;
	meetingTitle: string;
	date: IsoDate;
	/** Empty when only decisions were shared. */
	minutes: string;
	decisions: Array<{ title: string; text: string; reviewDate: IsoDate; measure: string; term: string }>;
	publishedBy: PersonKey;
	publishedAt: number;
};

export function isPublishedMinutes(doc: unknown): doc is PublishedMinutes {
	const d = doc as PublishedMinutes;
	return typeof d === 'object' && d !== null && d.kind === 'published-minutes' && Array.isArray(d.decisions);
}

/**
 * What a selection of a meeting looks like when shared with a wider circle: only what was
 * chosen, copied (not linked), so readers there need no key to this circle.
 */
export function publication(
	circle: Circle,
	fromSpace: string,
	book: Logbook,
	meetingId: string,
	choice: { minutes: boolean; decisions: string[] },
	by: PersonKey,
	now = Date.now()
): { ok: true; doc: PublishedMinutes } | { ok: false; error: string } {
	const meeting: Meeting | undefined = book.meetings[meetingId];
	if (!meeting) return { ok: false, error: msg.noSuchMeeting };
	if (!circle.parent) return { ok: false, error: msg.noParent };
	const decisions = [];
	for (const id of choice.decisions) {
		const p = book.proposals[id];
		if (!p?.decision) return { ok: false, error: msg.onlyDecisions };
		const d = p.decision;
		decisions.push({ title: p.title, text: d.text, reviewDate: d.reviewDate, measure: d.measure, term: d.term });
	}
	if (!choice.minutes && decisions.length === 0) return { ok: false, error: msg.nothingChosen };
	return {
		ok: true,
		doc: {
			kind: 'published-minutes',
			fromSpace,
			fromName: circle.name,
			meetingTitle: meeting.title,
			date: meeting.date,
			minutes: choice.minutes ? meeting.minutes : '',
			decisions,
			publishedBy: by,
			publishedAt: now
		}
	};
}

export type PersonalEntry = { date: IsoDate; text: string; at: number };

export type PersonalLogbook = {
	kind: 'personal-logbook';
	owner: PersonKey;
	/** What I am working towards. Collaborative text. */
	goals: string;
	entries: Record<string, PersonalEntry>;
	createdAt: number;
};

export function newPersonalLogbook(owner: PersonKey, now = Date.now()): PersonalLogbook {
	return { kind: 'personal-logbook', owner, goals: '', entries: {}, createdAt: now };
}

export function isPersonalLogbook(doc: unknown): doc is PersonalLogbook {
	const d = doc as PersonalLogbook;
	return typeof d === 'object' && d !== null && d.kind === 'personal-logbook' && typeof d.entries === 'object';
}

export function addPersonalEntry(book: PersonalLogbook, actor: PersonKey, id: string, date: IsoDate, now = Date.now()): Result {
	if (actor !== book.owner) return refuse(msg.onlyOwnerWrites);
	if (book.entries[id]) return refuse(msg.entryExists);
	book.entries[id] = { date, text: '', at: now };
	return OK;
}

export function editPersonalEntry(book: PersonalLogbook, actor: PersonKey, id: string, value: string): Result {
	if (actor !== book.owner) return refuse(msg.onlyOwnerWrites);
	if (!book.entries[id]) return refuse(msg.noSuchEntry);
	setText(book, ['entries', id, 'text'], value.slice(0, 20_000));
	return OK;
}

export function editPersonalGoals(book: PersonalLogbook, actor: PersonKey, value: string): Result {
	if (actor !== book.owner) return refuse(msg.onlyOwnerWrites);
	setText(book, ['goals'], value.slice(0, 5000));
	return OK;
}

export function personalEntries(book: PersonalLogbook): Array<{ id: string } & PersonalEntry> {
	return Object.entries(book.entries)
		.map(([id, e]) => ({ id, ...e }))
		.sort((a, b) => b.date.localeCompare(a.date) || b.at - a.at);
}
