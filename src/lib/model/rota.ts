// The Rota document (whole-team access circle): support visits, who is on each, open shifts,
// swaps between colleagues and gaps. Recurring visits are stored once, as a rule, and their
// occurrences are worked out by a pure function (`occurrences`), so a weekly visit does not
// write a year of entries into the document.
//
// Everything two people might change offline at the same time lives in flat maps whose keys
// say exactly what is being changed, so the merge keeps both:
//   assignments  `${visitKey}~${person}` → on/off   (one entry per person per occurrence)
//   cancelled    visitKey → who cancelled
//   done         visitKey → who marked it worked
//   swaps        random id → the request and its answer
// A visit key is `${visitId}:${date}` for one-off and recurring visits alike. Per-occurrence
// changes are *not* nested objects under the visit key: two devices each creating
// `overrides[key] = {…}` for the same occurrence would conflict and one object (with its
// change) would be lost; with one flat entry per person, taking a place and swapping on the
// same visit both survive.
//
// Concurrent takes of the same open place: each taker's entry survives the merge, so a visit
// can end up with more workers than places. The rule, the same on every device: regular
// workers first (by key), then takers in the order they took the place (time, then key);
// the first `places` of them are on the visit and the rest are *over-booked*, listed by
// `overBooked()` for the team to sort out. Nobody is silently dropped.
import { words } from '$lib/words';
import {
	addDays, daysBetween, isIsoDate, isTimeOfDay, isWeekday, minutesOf, weekdayOf,
	type IsoDate, type TimeOfDay, type Weekday
} from './calendar';
import { ImmutableString } from '@automerge/automerge';
import { isPlainId, OK, refuse, type PersonKey, type Result } from './ids';
import { cleanTitle } from './space';
import { authorship, signFields, type Authorship, type Signature } from './authorship';
import type { DeviceCheck, SigningDevice } from './mar';

const msg = words.messages.model.rota;

/** `${visitId}:${date}`: one occurrence of a visit. */
export type VisitKey = string & { readonly __brand: 'VisitKey' };

export type VisitWhen =
	| { repeat: 'once'; date: IsoDate }
	| { repeat: 'weekly'; weekdays: Weekday[]; from: IsoDate; until: IsoDate | null };

export type Visit = {
	title: string;
	when: VisitWhen;
	start: TimeOfDay;
	/** Earlier than `start` means the visit runs past midnight (an overnight stay). */
	end: TimeOfDay;
	/** How many workers the visit needs. */
	places: number;
	/** Who is on every occurrence unless an assignment says otherwise. */
	regulars: Record<string, true>;
	createdBy: PersonKey;
	createdAt: number;
};

export type Assignment = {
	visit: VisitKey;
	person: PersonKey;
	/** true: on this occurrence (took it, was put on, accepted a swap); false: off it. */
	on: boolean;
	at: number;
	by: PersonKey;
};

export type SwapStatus = 'requested' | 'accepted' | 'declined';

export type Swap = {
	requester: PersonKey;
	/** The requester's visit that they ask the colleague to cover. */
	visit: VisitKey;
	colleague: PersonKey;
	/** Optionally, one of the colleague's visits the requester covers in return. */
	inReturn: VisitKey | null;
	status: SwapStatus;
	requestedAt: number;
	answeredAt: number | null;
};

/**
 * Who did something to an occurrence (cancelled it, marked it done), and when. A done mark is
 * what pay is worked out from, so it is signed by the marker's device (`signed`, see
 * `doneAuthorship`); marks from before marks were signed have none.
 */
export type Mark = { by: PersonKey; at: number; signed?: Signature };

/**
 * A mark as stored: one immutable string, `${at}|${by}`, or `${at}|${by}|${device}|${sig}` when
 * signed (keys and signatures are base64url, so never hold a `|`). Every visit gets one and
 * none is ever edited; as a nested object of editable strings (Automerge keeps ordinary
 * strings as text, an operation per character) three years of them made the rota slow to
 * load. Marks written as objects by earlier versions still read. Read with `readMark`.
 */
export type StoredMark = ImmutableString | Mark;

function storeMark(by: PersonKey, at: number, signed?: Signature): StoredMark {
	return new ImmutableString(signed ? `${at}|${by}|${signed.device}|${signed.sig}` : `${at}|${by}`);
}

export function readMark(stored: StoredMark): Mark {
	if (stored instanceof ImmutableString || typeof (stored as { val?: unknown }).val === 'string') {
		const text = String((stored as ImmutableString).val);
		const [at, by, device, sig, ...rest] = text.split('|');
		const mark: Mark = { at: Number(at), by: (by ?? '') as PersonKey };
		// Anything but nothing or exactly a device and a signature after `by` was not written as a mark.
		if (device !== undefined || rest.length) mark.signed = { device, sig, ...(rest.length ? { rest } : {}) } as Signature;
		return mark;
	}
	return stored as Mark;
}

const DONE_TAG = 'hearth/visit-done/v1';

/**
 * What a done mark's signature covers: the occurrence, who marked it and when, and what pay
 * is worked out from as it was then: the times and who worked (sorted). Changing the visit's
 * hours or workers afterwards breaks it, so the change shows.
 */
function doneFields(o: Occurrence, mark: Pick<Mark, 'by' | 'at'>) {
	return [o.key, mark.by, mark.at, o.start, o.end, o.minutes, ...[...o.workers].sort()];
}

export type Rota = {
	kind: 'rota';
	visits: Record<string, Visit>;
	assignments: Record<string, Assignment>;
	cancelled: Record<string, StoredMark>;
	done: Record<string, StoredMark>;
	swaps: Record<string, Swap>;
};

export const MAX_PLACES = 10;
/** Longest range `occurrences` will expand, so a mistaken range cannot hang the app. */
export const MAX_RANGE_DAYS = 800;

export function newRota(): Rota {
	return { kind: 'rota', visits: {}, assignments: {}, cancelled: {}, done: {}, swaps: {} };
}

export function isRota(doc: unknown): doc is Rota {
	const d = doc as Rota;
	return typeof d === 'object' && d !== null && d.kind === 'rota' && typeof d.visits === 'object' && typeof d.assignments === 'object';
}

export function visitKey(visitId: string, date: IsoDate): VisitKey {
	return `${visitId}:${date}` as VisitKey;
}

export function parseVisitKey(key: string): { visitId: string; date: IsoDate } | undefined {
	const i = key.lastIndexOf(':');
	const visitId = key.slice(0, i);
	const date = key.slice(i + 1);
	return i > 0 && isPlainId(visitId) && isIsoDate(date) ? { visitId, date } : undefined;
}

/** Minutes a visit lasts; an end earlier than its start runs past midnight. */
export function visitMinutes(start: TimeOfDay, end: TimeOfDay): number {
	const m = minutesOf(end) - minutesOf(start);
	return m > 0 ? m : m + 24 * 60;
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

export type NewVisit = {
	title: string;
	when: VisitWhen;
	start: TimeOfDay;
	end: TimeOfDay;
	places: number;
	regulars?: PersonKey[];
};

export function addVisit(rota: Rota, actor: PersonKey, id: string, v: NewVisit, now = Date.now()): Result {
	if (!isPlainId(id)) return refuse(msg.badId);
	if (rota.visits[id]) return refuse(msg.visitExists);
	if (!isTimeOfDay(v.start) || !isTimeOfDay(v.end)) return refuse(msg.badTimes);
	if (v.start === v.end) return refuse(msg.sameTimes);
	if (!Number.isInteger(v.places) || v.places < 1 || v.places > MAX_PLACES) return refuse(msg.places(MAX_PLACES));
	const regulars = v.regulars ?? [];
	if (regulars.length > v.places) return refuse(msg.tooManyRegulars);
	let when: VisitWhen;
	if (v.when.repeat === 'once') {
		if (!isIsoDate(v.when.date)) return refuse(words.messages.model.common.notADate);
		when = { repeat: 'once', date: v.when.date };
	} else {
		const weekdays = [...new Set(v.when.weekdays)].sort((a, b) => a - b);
		if (weekdays.length === 0 || !weekdays.every(isWeekday)) return refuse(msg.chooseDays);
		if (!isIsoDate(v.when.from)) return refuse(msg.repeatsFrom);
		const until = v.when.until ?? null;
		if (until !== null && (!isIsoDate(until) || until < v.when.from)) return refuse(msg.endsAfterStart);
		when = { repeat: 'weekly', weekdays, from: v.when.from, until };
	}
	rota.visits[id] = {
		title: cleanTitle(v.title) || msg.defaultTitle,
		when,
		start: v.start,
		end: v.end,
		places: v.places,
		regulars: Object.fromEntries(regulars.map((p) => [p, true as const])),
		createdBy: actor,
		createdAt: now
	};
	return OK;
}

/** Stops a recurring visit after `until` (occurrences already worked keep their records). */
export function endSeries(rota: Rota, visitId: string, until: IsoDate): Result {
	const when = rota.visits[visitId]?.when;
	if (!when || when.repeat !== 'weekly') return refuse(msg.notRepeating);
	if (!isIsoDate(until) || until < when.from) return refuse(msg.endsAfterStart);
	when.until = until;
	return OK;
}

export function cancelVisit(rota: Rota, actor: PersonKey, key: VisitKey, now = Date.now()): Result {
	if (!occurrence(rota, key)) return refuse(msg.noSuchVisit);
	if (rota.done[key]) return refuse(msg.markedDone);
	if (!rota.cancelled[key]) rota.cancelled[key] = storeMark(actor, now);
	return OK;
}

export function restoreVisit(rota: Rota, key: VisitKey): Result {
	if (!rota.cancelled[key]) return refuse(msg.notCancelled);
	delete rota.cancelled[key];
	return OK;
}

/** A member takes an open place on a visit. */
export function takeShift(rota: Rota, key: VisitKey, person: PersonKey, now = Date.now()): Result {
	const occ = occurrence(rota, key);
	if (!occ) return refuse(msg.noSuchVisit);
	if (occ.cancelled) return refuse(msg.cancelled);
	if (occ.workers.includes(person) || occ.overBooked.includes(person)) return refuse(msg.youAreOn);
	if (occ.workers.length >= occ.places) return refuse(msg.full);
	setOn(rota, key, person, true, person, now);
	return OK;
}

/** Someone (usually the Rota Holder) puts a member on a visit. */
export function assign(rota: Rota, actor: PersonKey, key: VisitKey, person: PersonKey, now = Date.now()): Result {
	const occ = occurrence(rota, key);
	if (!occ) return refuse(msg.noSuchVisit);
	if (occ.cancelled) return refuse(msg.cancelled);
	if (occ.workers.includes(person) || occ.overBooked.includes(person)) return refuse(msg.theyAreOn);
	if (occ.workers.length >= occ.places) return refuse(msg.full);
	setOn(rota, key, person, true, actor, now);
	return OK;
}

/** Takes someone off one occurrence; the place becomes open (and shows as a gap). */
export function unassign(rota: Rota, actor: PersonKey, key: VisitKey, person: PersonKey, now = Date.now()): Result {
	const occ = occurrence(rota, key);
	if (!occ) return refuse(msg.noSuchVisit);
	if (!occ.workers.includes(person) && !occ.overBooked.includes(person)) return refuse(msg.theyAreNotOn);
	setOn(rota, key, person, false, actor, now);
	return OK;
}

export function requestSwap(
	rota: Rota,
	id: string,
	swap: { requester: PersonKey; visit: VisitKey; colleague: PersonKey; inReturn?: VisitKey | null },
	now = Date.now()
): Result {
	if (rota.swaps[id]) return refuse(msg.swapExists);
	if (swap.requester === swap.colleague) return refuse(msg.swapWithSelf);
	const checked = swapStillPossible(rota, swap.requester, swap.visit, swap.colleague, swap.inReturn ?? null);
	if (!checked.ok) return checked;
	rota.swaps[id] = {
		requester: swap.requester,
		visit: swap.visit,
		colleague: swap.colleague,
		inReturn: swap.inReturn ?? null,
		status: 'requested',
		requestedAt: now,
		answeredAt: null
	};
	return OK;
}

/** Only the colleague asked can accept; accepting moves the assignment (both ways for an exchange). */
export function acceptSwap(rota: Rota, actor: PersonKey, id: string, now = Date.now()): Result {
	const swap = rota.swaps[id];
	if (!swap) return refuse(msg.noSuchSwap);
	if (swap.colleague !== actor) return refuse(msg.onlyColleagueAccepts);
	if (swap.status !== 'requested') return refuse(msg.swapAlready(swap.status));
	const checked = swapStillPossible(rota, swap.requester, swap.visit, swap.colleague, swap.inReturn);
	if (!checked.ok) return checked;
	setOn(rota, swap.visit, swap.requester, false, actor, now);
	setOn(rota, swap.visit, swap.colleague, true, actor, now);
	if (swap.inReturn) {
		setOn(rota, swap.inReturn, swap.colleague, false, actor, now);
		setOn(rota, swap.inReturn, swap.requester, true, actor, now);
	}
	swap.status = 'accepted';
	swap.answeredAt = now;
	return OK;
}

export function declineSwap(rota: Rota, actor: PersonKey, id: string, now = Date.now()): Result {
	const swap = rota.swaps[id];
	if (!swap) return refuse(msg.noSuchSwap);
	if (swap.colleague !== actor) return refuse(msg.onlyColleagueDeclines);
	if (swap.status !== 'requested') return refuse(msg.swapAlready(swap.status));
	swap.status = 'declined';
	swap.answeredAt = now;
	return OK;
}

/** Records that a visit happened (what hours and pay are worked out from). */
export function markDone(rota: Rota, actor: PersonKey, key: VisitKey, now = Date.now(), device?: SigningDevice): Result {
	const occ = occurrence(rota, key);
	if (!occ) return refuse(msg.noSuchVisit);
	if (occ.cancelled) return refuse(msg.wasCancelled);
	if (occ.workers.length === 0) return refuse(msg.nobodyOn);
	if (!rota.done[key]) rota.done[key] = storeMark(actor, now, device && signFields(device, DONE_TAG, doneFields(occ, { by: actor, at: now })));
	return OK;
}

/**
 * Whether a visit's done mark is as its marker signed it, for this occurrence's times and
 * workers as they are now: signed by one of the marker's devices (`isAuthorDevice`, from the
 * space's membership), altered (changed, moved, written in someone else's name, or the hours
 * or workers changed since), or from before marks were signed. Undefined if not marked done.
 * Needs `await cryptoReady()` first.
 */
export function doneAuthorship(rota: Rota, key: VisitKey, isAuthorDevice?: DeviceCheck): Authorship | undefined {
	const stored = rota.done[key];
	if (!stored) return undefined;
	const mark = readMark(stored);
	const occ = occurrence(rota, key);
	if (!occ) return 'altered';
	return authorship(mark.signed, DONE_TAG, doneFields(occ, mark), mark.by, isAuthorDevice);
}

export function unmarkDone(rota: Rota, key: VisitKey): Result {
	if (!rota.done[key]) return refuse(msg.notDone);
	delete rota.done[key];
	return OK;
}

function setOn(rota: Rota, key: VisitKey, person: PersonKey, on: boolean, by: PersonKey, at: number): void {
	rota.assignments[`${key}~${person}`] = { visit: key, person, on, at, by };
}

function swapStillPossible(rota: Rota, requester: PersonKey, visit: VisitKey, colleague: PersonKey, inReturn: VisitKey | null): Result {
	const mine = occurrence(rota, visit);
	if (!mine || mine.cancelled) return refuse(msg.noLongerOnRota);
	if (!onVisit(mine, requester)) return refuse(msg.askerNotOn);
	if (onVisit(mine, colleague)) return refuse(msg.colleagueOn);
	if (inReturn) {
		const theirs = occurrence(rota, inReturn);
		if (!theirs || theirs.cancelled) return refuse(msg.returnGone);
		if (!onVisit(theirs, colleague)) return refuse(msg.colleagueNotOnReturn);
		if (onVisit(theirs, requester)) return refuse(msg.askerOnReturn);
	}
	return OK;
}

const onVisit = (occ: Occurrence, person: PersonKey) => occ.workers.includes(person) || occ.overBooked.includes(person);

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

export type Occurrence = {
	key: VisitKey;
	visitId: string;
	date: IsoDate;
	title: string;
	repeat: 'once' | 'weekly';
	start: TimeOfDay;
	end: TimeOfDay;
	minutes: number;
	places: number;
	/** Who is on it, at most `places`, in placement order. */
	workers: PersonKey[];
	/** Took a place concurrently with others after it filled: on nobody's list until sorted out. */
	overBooked: PersonKey[];
	/** Places nobody has taken. */
	open: number;
	cancelled: boolean;
	done: boolean;
};

function occursOn(visit: Visit, date: IsoDate): boolean {
	const w = visit.when;
	if (w.repeat === 'once') return w.date === date;
	return date >= w.from && (w.until === null || date <= w.until) && w.weekdays.includes(weekdayOf(date));
}

/** Assignment entries by visit key, read once per call. */
function assignmentsByVisit(rota: Rota): Map<string, Assignment[]> {
	const out = new Map<string, Assignment[]>();
	for (const a of Object.values(rota.assignments)) {
		const list = out.get(a.visit);
		if (list) list.push(a);
		else out.set(a.visit, [a]);
	}
	return out;
}

function materialise(rota: Rota, visitId: string, visit: Visit, date: IsoDate, entries: Assignment[]): Occurrence {
	const key = visitKey(visitId, date);
	const stated = new Map(entries.map((a) => [a.person as string, a]));
	// The placement rule in the top comment: regulars (not taken off) by key, then takers by time.
	const regulars = Object.keys(visit.regulars)
		.filter((p) => stated.get(p)?.on !== false)
		.sort();
	const takers = entries
		.filter((a) => a.on && !visit.regulars[a.person])
		.sort((a, b) => a.at - b.at || (a.person < b.person ? -1 : a.person > b.person ? 1 : 0))
		.map((a) => a.person as string);
	const everyone = [...regulars, ...takers] as PersonKey[];
	const workers = everyone.slice(0, visit.places);
	return {
		key,
		visitId,
		date,
		title: visit.title,
		repeat: visit.when.repeat,
		start: visit.start,
		end: visit.end,
		minutes: visitMinutes(visit.start, visit.end),
		places: visit.places,
		workers,
		overBooked: everyone.slice(visit.places),
		open: visit.places - workers.length,
		cancelled: !!rota.cancelled[key],
		done: !!rota.done[key]
	};
}

/** One occurrence, if the key names a day the visit really happens on. */
export function occurrence(rota: Rota, key: VisitKey): Occurrence | undefined {
	const parsed = parseVisitKey(key);
	const visit = parsed && rota.visits[parsed.visitId];
	if (!parsed || !visit || !occursOn(visit, parsed.date)) return undefined;
	const entries = Object.values(rota.assignments).filter((a) => a.visit === key);
	return materialise(rota, parsed.visitId, visit, parsed.date, entries);
}

/**
 * Every occurrence from `from` to `to` inclusive (cancelled ones included, flagged), in date
 * and start-time order. Pure: the same rota gives the same list on every device.
 */
export function occurrences(rota: Rota, from: IsoDate, to: IsoDate): Occurrence[] {
	const span = daysBetween(from, to);
	if (span < 0) return [];
	if (span > MAX_RANGE_DAYS) throw new RangeError(`occurrences: at most ${MAX_RANGE_DAYS} days at a time`);
	const byVisit = assignmentsByVisit(rota);
	const out: Occurrence[] = [];
	for (const [visitId, visit] of Object.entries(rota.visits)) {
		const w = visit.when;
		if (w.repeat === 'once') {
			if (w.date >= from && w.date <= to) out.push(materialise(rota, visitId, visit, w.date, byVisit.get(visitKey(visitId, w.date)) ?? []));
			continue;
		}
		const first = w.from > from ? w.from : from;
		const last = w.until !== null && w.until < to ? w.until : to;
		for (let date = first; date <= last; date = addDays(date, 1)) {
			if (w.weekdays.includes(weekdayOf(date))) out.push(materialise(rota, visitId, visit, date, byVisit.get(visitKey(visitId, date)) ?? []));
		}
	}
	return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : a.key < b.key ? -1 : 1));
}

/** Visits with a place nobody has taken yet (members can take these). */
export function openShifts(rota: Rota, from: IsoDate, to: IsoDate): Occurrence[] {
	return occurrences(rota, from, to).filter((o) => !o.cancelled && o.open > 0);
}

export type Gap = Occurrence & { needed: number; missing: number };

/**
 * Visits with fewer workers than needed: `requiredPerVisit` when given (a team-wide minimum,
 * e.g. two for every hoist visit), otherwise each visit's own number of places.
 */
export function gaps(rota: Rota, from: IsoDate, to: IsoDate, requiredPerVisit?: number): Gap[] {
	return occurrences(rota, from, to)
		.filter((o) => !o.cancelled)
		.map((o) => {
			const needed = requiredPerVisit ?? o.places;
			return { ...o, needed, missing: Math.max(0, needed - o.workers.length) };
		})
		.filter((g) => g.missing > 0);
}

/** Visits where more people took a place than it has (after offline takes merged). */
export function overBooked(rota: Rota, from: IsoDate, to: IsoDate): Occurrence[] {
	return occurrences(rota, from, to).filter((o) => !o.cancelled && o.overBooked.length > 0);
}

/** A person's visits in a range (cancelled ones left out). */
export function shiftsOf(rota: Rota, person: PersonKey, from: IsoDate, to: IsoDate): Occurrence[] {
	return occurrences(rota, from, to).filter((o) => !o.cancelled && o.workers.includes(person));
}

export type SwapView = { id: string } & Swap;

/** Swap requests waiting for this person's answer, oldest first. */
export function swapsToAnswer(rota: Rota, person: PersonKey): SwapView[] {
	return Object.entries(rota.swaps)
		.filter(([, s]) => s.colleague === person && s.status === 'requested')
		.map(([id, s]) => ({ id, ...s }))
		.sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
}

/** Swaps a person asked for, newest first, with the colleague's answer (or none yet). */
export function swapsAskedBy(rota: Rota, person: PersonKey): SwapView[] {
	return Object.entries(rota.swaps)
		.filter(([, s]) => s.requester === person)
		.map(([id, s]) => ({ id, ...s }))
		.sort((a, b) => b.requestedAt - a.requestedAt || a.id.localeCompare(b.id));
}
