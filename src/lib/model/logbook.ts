// A circle's logbook (one encrypted document in the circle's space, readable by all its
// members): meetings with agenda, attendance, rounds and live minutes; proposals following the
// playbook's steps to a decision by consent; the decisions and policies register with review
// dates; appeals; and each member's own page (role, aims, responsibilities, development
// goals). Every change appends to `history`, which is never edited, so the logbook keeps the
// full story of how the circle got to each decision.
//
// Collections are maps keyed by random id (or by person), never arrays that two devices would
// both append to and reorder; text that people write together is Automerge text changed
// character by character (`setText`), so two secretaries typing at once both keep their words.
import * as A from '@automerge/automerge';
import { addDays, isIsoDate, type IsoDate } from './calendar';
import { amendAround, closeObjection, newConsentRound, openObjections, consentsOf, respond, type Answer, type ConsentRound } from './consent';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { cleanTitle } from './space';
import { setText } from './text';

export const TEXT_MAX = 20_000;
/** About 30 pages of minutes per meeting. Remote keystrokes cost time in proportion to the
 * length of the text they land in (Automerge 3.5), so a long logbook is many meetings. */
export const MINUTES_MAX = 100_000;

export type Attendance = 'present' | 'apologies' | 'absent';

export type AgendaItem = { text: string; order: number; by: PersonKey; at: number; done: boolean };

/** A round: the facilitator asks one question and each person answers in turn. */
export type Round = { question: string; order: number; at: number; answers: Record<string, { text: string; at: number }> };

export type Publication = { to: string; docId: string; by: PersonKey; at: number; decisions: string[]; minutes: boolean };

export type Meeting = {
	title: string;
	date: IsoDate;
	createdBy: PersonKey;
	createdAt: number;
	agenda: Record<string, AgendaItem>;
	attendance: Record<string, Attendance>;
	rounds: Record<string, Round>;
	/** Live minutes: collaborative text with light formatting (see minutes.ts). */
	minutes: string;
	/** Where minutes or decisions from this meeting were shared with a wider circle. Never by default. */
	published: Record<string, Publication>;
};

export type ProposalStep = 'picture' | 'lead' | 'notified' | 'drafting' | 'final-input' | 'decision' | 'decided';

/** The playbook's steps for a proposal, in order, in plain words. */
export const PROPOSAL_STEPS: ReadonlyArray<{ step: ProposalStep; label: string; hint: string }> = [
	{ step: 'picture', label: 'Forming a picture', hint: 'Everyone says what they know about the issue and what matters to them.' },
	{ step: 'lead', label: 'Choosing a lead', hint: 'One person agrees to lead the proposal and write the drafts.' },
	{ step: 'notified', label: 'Letting everyone know', hint: 'The community is told what is being decided and by when.' },
	{ step: 'drafting', label: 'Drafts', hint: 'The lead writes up to four drafts, taking in what people say each time.' },
	{ step: 'final-input', label: 'Final input', hint: 'Last comments on the final draft before the decision.' },
	{ step: 'decision', label: 'Decision by consent', hint: 'Each member consents or raises an objection. Objections are worked with until resolved.' },
	{ step: 'decided', label: 'Decided', hint: 'The decision is in the register, with its review date.' }
];

export type Draft = { text: string; by: PersonKey; at: number };
export type Input = { step: ProposalStep; by: PersonKey; text: string; at: number };

export type Decision = {
	text: string;
	decidedAt: number;
	/** Who recorded it (the decision itself is the circle's, by consent). */
	recordedBy: PersonKey;
	/** For how long the decision stands, in plain words ("one year", "until the spring"). */
	term: string;
	reviewDate: IsoDate;
	/** How the circle will know whether it is working. */
	measure: string;
	policy: boolean;
	reviews: Record<string, { at: number; by: PersonKey; note: string; nextReview: IsoDate | null }>;
	/** null while it stands; set when a review retires it. */
	retiredAt: number | null;
};

export type EscalationStep = 'gathering-support' | 'circle' | 'wider-circle' | 'members-circle' | 'mediation' | 'closed';

/** Where an appeal goes next, one step at a time, when the step before has not settled it. */
export const ESCALATION_STEPS: ReadonlyArray<{ step: EscalationStep; label: string }> = [
	{ step: 'gathering-support', label: 'Gathering support (three unrelated people)' },
	{ step: 'circle', label: 'The circle looks at the decision again' },
	{ step: 'wider-circle', label: 'The wider circle hears the appeal' },
	{ step: 'members-circle', label: 'The Members’ Circle hears the appeal' },
	{ step: 'mediation', label: 'Mediation with someone from outside' },
	{ step: 'closed', label: 'Closed' }
];

export const APPEAL_SUPPORT_NEEDED = 3;

export type Appeal = {
	by: PersonKey;
	reason: string;
	at: number;
	/**
	 * Keyed by person. Each supporter names anyone among the other supporters they are related
	 * to (family, household, employer); related people count once between them.
	 */
	supporters: Record<string, { at: number; relatedTo: PersonKey[] }>;
	step: EscalationStep;
	outcome: 'upheld' | 'dismissed' | null;
	outcomeNote: string;
};

export type Proposal = {
	title: string;
	/** Forming a picture: what is the issue, in everyone's words. Collaborative text. */
	picture: string;
	createdBy: PersonKey;
	createdAt: number;
	step: ProposalStep;
	lead: PersonKey | null;
	notifiedAt: number | null;
	deadline: IsoDate | null;
	/** Versions 1 to 4, keyed 'v1'..'v4'. */
	drafts: Record<string, Draft>;
	inputs: Record<string, Input>;
	round: ConsentRound;
	decision: Decision | null;
	appeals: Record<string, Appeal>;
};

export type MemberPage = { role: string; aims: string; responsibilities: string; developmentGoals: string };

export type LogEvent = { at: number; by: PersonKey; what: string; ref: string; note: string };

export type Logbook = {
	kind: 'logbook';
	meetings: Record<string, Meeting>;
	proposals: Record<string, Proposal>;
	members: Record<string, MemberPage>;
	/** Append-only. */
	history: LogEvent[];
	createdAt: number;
};

export function newLogbook(now = Date.now()): Logbook {
	return { kind: 'logbook', meetings: {}, proposals: {}, members: {}, history: [], createdAt: now };
}

export function isLogbook(doc: unknown): doc is Logbook {
	const d = doc as Logbook;
	return typeof d === 'object' && d !== null && d.kind === 'logbook' && typeof d.meetings === 'object' && typeof d.proposals === 'object' && Array.isArray(d.history);
}

function log(book: Logbook, by: PersonKey, what: string, ref: string, note = '', now = Date.now()): void {
	book.history.push({ at: now, by, what, ref, note: note.slice(0, 500) });
}

function text(t: string, max = TEXT_MAX): string {
	return t.trim().slice(0, max);
}

// ── meetings ──────────────────────────────────────────────────────────────────────────────

export function addMeeting(book: Logbook, id: string, by: PersonKey, title: string, date: IsoDate, now = Date.now()): Result {
	if (book.meetings[id]) return refuse('That meeting is already in the logbook.');
	if (!isIsoDate(date)) return refuse('Choose the date of the meeting.');
	const name = cleanTitle(title) || 'Circle meeting';
	book.meetings[id] = { title: name, date, createdBy: by, createdAt: now, agenda: {}, attendance: {}, rounds: {}, minutes: '', published: {} };
	log(book, by, 'meeting-added', id, name, now);
	return OK;
}

export function meetingsOf(book: Logbook): Array<{ id: string } & Meeting> {
	return Object.entries(book.meetings)
		.map(([id, m]) => ({ id, ...m }))
		.sort((a, b) => b.date.localeCompare(a.date) || b.createdAt - a.createdAt);
}

export function addAgendaItem(book: Logbook, meetingId: string, itemId: string, by: PersonKey, what: string, now = Date.now()): Result {
	const meeting = book.meetings[meetingId];
	const t = text(what, 500);
	if (!meeting) return refuse('That meeting is not in the logbook.');
	if (!t) return refuse('Say what the agenda item is.');
	const order = Math.max(0, ...Object.values(meeting.agenda).map((i) => i.order)) + 1;
	meeting.agenda[itemId] = { text: t, order, by, at: now, done: false };
	return OK;
}

export function setAgendaItemDone(book: Logbook, meetingId: string, itemId: string, done: boolean): Result {
	const item = book.meetings[meetingId]?.agenda[itemId];
	if (!item) return refuse('That agenda item is not in the logbook.');
	if (item.done !== done) item.done = done;
	return OK;
}

export function agendaOf(meeting: Meeting): Array<{ id: string } & AgendaItem> {
	return Object.entries(meeting.agenda)
		.map(([id, i]) => ({ id, ...i }))
		.sort((a, b) => a.order - b.order || a.at - b.at || a.id.localeCompare(b.id));
}

export function setAttendance(book: Logbook, meetingId: string, person: PersonKey, attendance: Attendance): Result {
	const meeting = book.meetings[meetingId];
	if (!meeting) return refuse('That meeting is not in the logbook.');
	if (!['present', 'apologies', 'absent'].includes(attendance)) return refuse('Choose present, apologies or absent.');
	if (meeting.attendance[person] !== attendance) meeting.attendance[person] = attendance;
	return OK;
}

export function addRound(book: Logbook, meetingId: string, roundId: string, question: string, now = Date.now()): Result {
	const meeting = book.meetings[meetingId];
	const q = text(question, 500);
	if (!meeting) return refuse('That meeting is not in the logbook.');
	if (!q) return refuse('Say what the round is about.');
	const order = Math.max(0, ...Object.values(meeting.rounds).map((r) => r.order)) + 1;
	meeting.rounds[roundId] = { question: q, order, at: now, answers: {} };
	return OK;
}

/** Each person's answer in a round, written by them or by the secretary for them. */
export function answerRound(book: Logbook, meetingId: string, roundId: string, person: PersonKey, answer: string, now = Date.now()): Result {
	const round = book.meetings[meetingId]?.rounds[roundId];
	if (!round) return refuse('That round is not in the logbook.');
	const t = text(answer, 2000);
	if (!t) return refuse('Write what was said.');
	round.answers[person] = { text: t, at: now };
	return OK;
}

export function roundsOf(meeting: Meeting): Array<{ id: string } & Round> {
	return Object.entries(meeting.rounds)
		.map(([id, r]) => ({ id, ...r }))
		.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/** Character-level edit of the live minutes. */
export function editMinutes(book: Logbook, meetingId: string, value: string): Result {
	const meeting = book.meetings[meetingId];
	if (!meeting) return refuse('That meeting is not in the logbook.');
	if (value.length > MINUTES_MAX) return refuse('The minutes are too long for one meeting. Start another meeting page.');
	setText(book, ['meetings', meetingId, 'minutes'], value);
	return OK;
}

/** One keystroke's worth of change to the live minutes, exactly where it happened. */
export function spliceMinutes(book: Logbook, meetingId: string, index: number, remove: number, insert: string): Result {
	const meeting = book.meetings[meetingId];
	if (!meeting) return refuse('That meeting is not in the logbook.');
	// Reading `meeting.minutes` inside a change would copy the whole text out of Automerge
	// (about 100 ms for 200 pages); an end cursor gives its length directly.
	const path = ['meetings', meetingId, 'minutes'];
	const length = A.getCursorPosition(book, path, A.getCursor(book, path, 'end'));
	if (!Number.isInteger(index) || !Number.isInteger(remove) || index < 0 || remove < 0 || index + remove > length) return refuse('That edit does not fit the minutes.');
	if (length - remove + insert.length > MINUTES_MAX) return refuse('The minutes are too long for one meeting. Start another meeting page.');
	if (remove === 0 && insert === '') return OK;
	A.splice(book, path, index, remove, insert);
	return OK;
}

/** Notes that a selection of this meeting was shared with a wider circle (the copy lives there). */
export function notePublished(book: Logbook, meetingId: string, publicationId: string, publication: Publication): Result {
	const meeting = book.meetings[meetingId];
	if (!meeting) return refuse('That meeting is not in the logbook.');
	meeting.published[publicationId] = { ...publication, decisions: [...publication.decisions] };
	log(book, publication.by, 'minutes-published', meetingId, publication.to, publication.at);
	return OK;
}

// ── members' own pages ────────────────────────────────────────────────────────────────────

export function editMemberPage(book: Logbook, actor: PersonKey, person: PersonKey, field: keyof MemberPage, value: string): Result {
	if (actor !== person) return refuse('Each person writes their own role, aims and goals.');
	if (!['role', 'aims', 'responsibilities', 'developmentGoals'].includes(field)) return refuse('That is not part of a member’s page.');
	if (!book.members[person]) book.members[person] = { role: '', aims: '', responsibilities: '', developmentGoals: '' };
	setText(book, ['members', person, field], value.slice(0, 5000));
	return OK;
}

// ── proposals ─────────────────────────────────────────────────────────────────────────────

export function addProposal(book: Logbook, id: string, by: PersonKey, title: string, picture: string, now = Date.now()): Result {
	if (book.proposals[id]) return refuse('That proposal is already in the logbook.');
	const name = cleanTitle(title);
	if (!name) return refuse('Give the proposal a short name.');
	book.proposals[id] = {
		title: name,
		picture: text(picture),
		createdBy: by,
		createdAt: now,
		step: 'picture',
		lead: null,
		notifiedAt: null,
		deadline: null,
		drafts: {},
		inputs: {},
		round: newConsentRound(),
		decision: null,
		appeals: {}
	};
	log(book, by, 'proposal-added', id, name, now);
	return OK;
}

export function editPicture(book: Logbook, proposalId: string, value: string): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step === 'decided') return refuse('This proposal is decided; its picture is kept as it was.');
	setText(book, ['proposals', proposalId, 'picture'], value.slice(0, TEXT_MAX));
	return OK;
}

/** Anyone adds their view while forming the picture, or their last word at final input. */
export function addInput(book: Logbook, proposalId: string, inputId: string, by: PersonKey, what: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	const t = text(what, 5000);
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step === 'decided') return refuse('This proposal is already decided.');
	if (!t) return refuse('Write your input first.');
	p.inputs[inputId] = { step: p.step, by, text: t, at: now };
	return OK;
}

export function chooseLead(book: Logbook, proposalId: string, actor: PersonKey, lead: PersonKey, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'picture' && p.step !== 'lead') return refuse('The lead is chosen before the community is told.');
	// A lead is never imposed: the person takes it on themself.
	if (actor !== lead) return refuse('Only the person who will lead can take the proposal on.');
	p.lead = lead;
	p.step = 'lead';
	log(book, actor, 'lead-chosen', proposalId, '', now);
	return OK;
}

/** The lead lets the community know what is being decided and the date for input. */
export function notifyCommunity(book: Logbook, proposalId: string, actor: PersonKey, deadline: IsoDate, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'lead') return refuse('Choose a lead before letting everyone know.');
	if (actor !== p.lead) return refuse('The lead lets everyone know.');
	if (!isIsoDate(deadline)) return refuse('Choose the date by which people can give input.');
	p.deadline = deadline;
	p.notifiedAt = now;
	p.step = 'notified';
	log(book, actor, 'community-notified', proposalId, deadline, now);
	return OK;
}

/** The lead writes draft 1, then 2, 3 and at most 4. Rewriting the current draft is allowed. */
export function writeDraft(book: Logbook, proposalId: string, actor: PersonKey, version: 1 | 2 | 3 | 4, value: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'notified' && p.step !== 'drafting') return refuse('Drafts are written after everyone has been told, before final input.');
	if (actor !== p.lead) return refuse('The lead writes the drafts.');
	if (![1, 2, 3, 4].includes(version)) return refuse('There are at most four drafts.');
	if (version > 1 && !p.drafts[`v${version - 1}`]) return refuse(`Write draft ${version - 1} first.`);
	const t = value.slice(0, TEXT_MAX);
	if (!t.trim()) return refuse('A draft cannot be empty.');
	const key = `v${version}`;
	if (!p.drafts[key]) {
		p.drafts[key] = { text: '', by: actor, at: now };
		log(book, actor, 'draft-written', proposalId, key, now);
	}
	setText(book, ['proposals', proposalId, 'drafts', key, 'text'], t);
	p.drafts[key].at = now;
	p.step = 'drafting';
	return OK;
}

export function latestDraft(p: Proposal): { version: number; draft: Draft } | undefined {
	for (let v = 4; v >= 1; v--) if (p.drafts[`v${v}`]) return { version: v, draft: p.drafts[`v${v}`] };
	return undefined;
}

export function openFinalInput(book: Logbook, proposalId: string, actor: PersonKey, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'drafting') return refuse('Final input comes after the drafts.');
	if (actor !== p.lead) return refuse('The lead asks for final input.');
	p.step = 'final-input';
	log(book, actor, 'final-input-opened', proposalId, '', now);
	return OK;
}

export function openDecision(book: Logbook, proposalId: string, actor: PersonKey, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'final-input') return refuse('The decision comes after final input.');
	if (actor !== p.lead) return refuse('The lead brings the proposal to decision.');
	p.step = 'decision';
	log(book, actor, 'decision-opened', proposalId, '', now);
	return OK;
}

export function respondToProposal(book: Logbook, proposalId: string, person: PersonKey, answer: Answer, reason: string, objectionId: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'decision') return refuse('Consent is given once the proposal comes to decision.');
	const r = respond(p.round, person, answer, reason, objectionId, now);
	if (r.ok) log(book, person, answer === 'consent' ? 'consented' : 'objected', proposalId, answer === 'object' ? reason : '', now);
	return r;
}

export function amendProposal(book: Logbook, proposalId: string, objectionId: string, by: PersonKey, change: string, amendmentId: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step !== 'decision') return refuse('Amendments are made while the proposal is at decision.');
	const r = amendAround(p.round, objectionId, by, change, amendmentId, now);
	if (r.ok) log(book, by, 'amended', proposalId, change, now);
	return r;
}

export function closeProposalObjection(
	book: Logbook,
	proposalId: string,
	objectionId: string,
	actor: PersonKey,
	how: 'resolved' | 'withdrawn',
	note: string,
	now = Date.now()
): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	const r = closeObjection(p.round, objectionId, actor, how, note, now);
	if (r.ok) log(book, actor, how === 'resolved' ? 'objection-resolved' : 'objection-withdrawn', proposalId, note, now);
	return r;
}

/**
 * Records the decision. Refused while any objection is open: consent means nobody has a
 * reasoned objection left, so the circle cannot mark it decided around one.
 */
export function markDecided(
	book: Logbook,
	proposalId: string,
	actor: PersonKey,
	decision: { text: string; term: string; reviewDate: IsoDate; measure: string; policy?: boolean },
	now = Date.now()
): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse('That proposal is not in the logbook.');
	if (p.step === 'decided') return refuse('This proposal is already decided.');
	if (p.step !== 'decision') return refuse('Bring the proposal to decision first.');
	const open = openObjections(p.round);
	if (open.length > 0) {
		return refuse(
			open.length === 1
				? 'There is an objection still open. It must be resolved or withdrawn before the decision is made.'
				: `There are ${open.length} objections still open. They must be resolved or withdrawn before the decision is made.`
		);
	}
	if (consentsOf(p.round).length === 0) return refuse('Nobody has consented yet.');
	const t = text(decision.text);
	if (!t) return refuse('Write down what was decided.');
	if (!text(decision.term, 200)) return refuse('Say for how long the decision stands.');
	if (!isIsoDate(decision.reviewDate)) return refuse('Choose a date to review the decision.');
	if (!text(decision.measure, 1000)) return refuse('Say how the circle will know whether it is working.');
	p.decision = {
		text: t,
		decidedAt: now,
		recordedBy: actor,
		term: text(decision.term, 200),
		reviewDate: decision.reviewDate,
		measure: text(decision.measure, 1000),
		policy: decision.policy === true,
		reviews: {},
		retiredAt: null
	};
	p.step = 'decided';
	log(book, actor, 'decided', proposalId, t, now);
	return OK;
}

/** A review: the decision carries on to a new review date, or (nextReview null) is retired. */
export function reviewDecision(book: Logbook, proposalId: string, reviewId: string, by: PersonKey, note: string, nextReview: IsoDate | null, now = Date.now()): Result {
	const d = book.proposals[proposalId]?.decision;
	if (!d) return refuse('That decision is not in the register.');
	if (d.retiredAt !== null) return refuse('That decision has been retired.');
	if (nextReview !== null && !isIsoDate(nextReview)) return refuse('Choose the next review date.');
	d.reviews[reviewId] = { at: now, by, note: text(note, 2000), nextReview };
	if (nextReview) d.reviewDate = nextReview;
	else d.retiredAt = now;
	log(book, by, nextReview ? 'reviewed' : 'retired', proposalId, note, now);
	return OK;
}

export type RegisterEntry = { id: string; title: string } & Decision;

/** The decisions and policies register, newest first. */
export function decisionsRegister(book: Logbook): RegisterEntry[] {
	return Object.entries(book.proposals)
		.filter(([, p]) => p.decision)
		.map(([id, p]) => ({ id, title: p.title, ...p.decision! }))
		.sort((a, b) => b.decidedAt - a.decidedAt || a.id.localeCompare(b.id));
}

/** Decisions whose review date has come (or comes within `withinDays`), soonest first. */
export function reviewsDue(book: Logbook, today: IsoDate, withinDays = 0): RegisterEntry[] {
	const by = addDays(today, withinDays);
	return decisionsRegister(book)
		.filter((d) => d.retiredAt === null && d.reviewDate <= by)
		.sort((a, b) => a.reviewDate.localeCompare(b.reviewDate));
}

export function proposalsOf(book: Logbook): Array<{ id: string } & Proposal> {
	return Object.entries(book.proposals)
		.map(([id, p]) => ({ id, ...p }))
		.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

export function historyOf(book: Logbook, ref: string): LogEvent[] {
	return book.history.filter((e) => e.ref === ref).sort((a, b) => a.at - b.at);
}

// ── appeals ───────────────────────────────────────────────────────────────────────────────

export function raiseAppeal(book: Logbook, proposalId: string, appealId: string, by: PersonKey, reason: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	const why = text(reason, 2000);
	if (!p?.decision) return refuse('Only a decision can be appealed.');
	if (!why) return refuse('Say why you are appealing.');
	if (p.appeals[appealId]) return refuse('That appeal is already recorded.');
	p.appeals[appealId] = { by, reason: why, at: now, supporters: { [by]: { at: now, relatedTo: [] } }, step: 'gathering-support', outcome: null, outcomeNote: '' };
	log(book, by, 'appeal-raised', proposalId, why, now);
	return OK;
}

export function supportAppeal(book: Logbook, proposalId: string, appealId: string, person: PersonKey, relatedTo: PersonKey[], now = Date.now()): Result {
	const appeal = book.proposals[proposalId]?.appeals[appealId];
	if (!appeal) return refuse('That appeal is not recorded.');
	if (appeal.step === 'closed') return refuse('That appeal is closed.');
	if (relatedTo.includes(person)) return refuse('List the other people you are related to, not yourself.');
	appeal.supporters[person] = { at: now, relatedTo: [...new Set(relatedTo)] };
	log(book, person, 'appeal-supported', proposalId, '', now);
	return OK;
}

/**
 * How many supporters are unrelated to each other: people who said they are related (either
 * way round) count once between them. Greedy in order of support, which is exact for the
 * small groups an appeal has when relations are declared in pairs and households.
 */
export function unrelatedSupport(appeal: Appeal): number {
	const related = (a: string, b: string) =>
		appeal.supporters[a]?.relatedTo.includes(b as PersonKey) || appeal.supporters[b]?.relatedTo.includes(a as PersonKey);
	const chosen: string[] = [];
	const order = Object.entries(appeal.supporters).sort((x, y) => x[1].at - y[1].at || x[0].localeCompare(y[0]));
	for (const [p] of order) if (!chosen.some((c) => related(c, p))) chosen.push(p);
	return chosen.length;
}

/** Moves an appeal to its next escalation step; the first move needs three unrelated people. */
export function escalateAppeal(book: Logbook, proposalId: string, appealId: string, actor: PersonKey, now = Date.now()): Result {
	const appeal = book.proposals[proposalId]?.appeals[appealId];
	if (!appeal) return refuse('That appeal is not recorded.');
	const at = ESCALATION_STEPS.findIndex((s) => s.step === appeal.step);
	if (appeal.step === 'closed' || at < 0) return refuse('That appeal is closed.');
	if (appeal.step === 'mediation') return refuse('Mediation is the last step. Record its outcome to close the appeal.');
	if (unrelatedSupport(appeal) < APPEAL_SUPPORT_NEEDED) {
		return refuse(`An appeal needs ${APPEAL_SUPPORT_NEEDED} people who are not related to each other before it goes further.`);
	}
	appeal.step = ESCALATION_STEPS[at + 1].step;
	log(book, actor, 'appeal-escalated', proposalId, appeal.step, now);
	return OK;
}

export function closeAppeal(book: Logbook, proposalId: string, appealId: string, actor: PersonKey, outcome: 'upheld' | 'dismissed', note: string, now = Date.now()): Result {
	const appeal = book.proposals[proposalId]?.appeals[appealId];
	if (!appeal) return refuse('That appeal is not recorded.');
	if (appeal.step === 'closed') return refuse('That appeal is already closed.');
	if (appeal.step === 'gathering-support') return refuse('The appeal has not been heard yet.');
	if (!text(note, 2000)) return refuse('Write down what was decided about the appeal.');
	appeal.outcome = outcome;
	appeal.outcomeNote = text(note, 2000);
	appeal.step = 'closed';
	log(book, actor, `appeal-${outcome}`, proposalId, note, now);
	return OK;
}
