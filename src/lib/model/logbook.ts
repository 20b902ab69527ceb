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
//
// Anyone in the circle can write any field, so what the circle relies on is signed by the
// device of whoever wrote it (authorship.ts): a decision by its recorder, each review by its
// reviewer, each objection by its objector (consent.ts). `decisionAuthorship` shows a
// reworded decision, a review date moved without a signed review, or a review written in
// someone else's name as altered; decisions from before this are shown as unsigned.
import * as A from '@automerge/automerge';
import { authorship, optional, signFields, type Authorship, type Signature } from './authorship';
import type { DeviceCheck, SigningDevice } from './mar';
import { words } from '$lib/words';
import { addDays, isIsoDate, type IsoDate } from './calendar';
import { amendAround, closeObjection, newConsentRound, openObjections, consentsOf, respond, type Answer, type ConsentRound } from './consent';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { cleanTitle } from './space';
import { setText } from './text';

const msg = words.messages.model.logbook;

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
export const PROPOSAL_STEPS: ReadonlyArray<{ step: ProposalStep; label: string; hint: string }> = (
	['picture', 'lead', 'notified', 'drafting', 'final-input', 'decision', 'decided'] as const
).map((step) => ({ step, ...words.circle.proposalSteps[step] }));

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
	reviews: Record<string, DecisionReview>;
	/** null while it stands; set when a review retires it. */
	retiredAt: number | null;
	/** The review date it was decided with (reviews move `reviewDate`); on signed decisions only. */
	firstReview?: IsoDate;
	/** The recorder's device signature (see `decisionFields`); absent on decisions from before. */
	signed?: Signature;
};

export type DecisionReview = { at: number; by: PersonKey; note: string; nextReview: IsoDate | null; signed?: Signature };

const DECISION_TAG = 'hearth/decision/v1';
const REVIEW_TAG = 'hearth/decision-review/v1';
const decisionFields = (proposalId: string, d: Decision) => [
	proposalId, d.text, d.decidedAt, d.recordedBy, d.term, d.measure, d.policy ? 1 : 0, d.firstReview ?? ''
];
const reviewFields = (proposalId: string, reviewId: string, r: DecisionReview) => [proposalId, reviewId, r.at, r.by, r.note, ...optional(r.nextReview)];

export type EscalationStep = 'gathering-support' | 'circle' | 'wider-circle' | 'members-circle' | 'mediation' | 'closed';

/** Where an appeal goes next, one step at a time, when the step before has not settled it. */
export const ESCALATION_STEPS: ReadonlyArray<{ step: EscalationStep; label: string }> = (
	['gathering-support', 'circle', 'wider-circle', 'members-circle', 'mediation', 'closed'] as const
).map((step) => ({ step, label: words.circle.escalationSteps[step] }));

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
	if (book.meetings[id]) return refuse(msg.meetingExists);
	if (!isIsoDate(date)) return refuse(msg.meetingDate);
	const name = cleanTitle(title) || msg.defaultMeeting;
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
	if (!meeting) return refuse(msg.noSuchMeeting);
	if (!t) return refuse(msg.noAgendaItem);
	const order = Math.max(0, ...Object.values(meeting.agenda).map((i) => i.order)) + 1;
	meeting.agenda[itemId] = { text: t, order, by, at: now, done: false };
	return OK;
}

export function setAgendaItemDone(book: Logbook, meetingId: string, itemId: string, done: boolean): Result {
	const item = book.meetings[meetingId]?.agenda[itemId];
	if (!item) return refuse(msg.noSuchAgendaItem);
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
	if (!meeting) return refuse(msg.noSuchMeeting);
	if (!['present', 'apologies', 'absent'].includes(attendance)) return refuse(msg.attendance);
	if (meeting.attendance[person] !== attendance) meeting.attendance[person] = attendance;
	return OK;
}

export function addRound(book: Logbook, meetingId: string, roundId: string, question: string, now = Date.now()): Result {
	const meeting = book.meetings[meetingId];
	const q = text(question, 500);
	if (!meeting) return refuse(msg.noSuchMeeting);
	if (!q) return refuse(msg.noRoundQuestion);
	const order = Math.max(0, ...Object.values(meeting.rounds).map((r) => r.order)) + 1;
	meeting.rounds[roundId] = { question: q, order, at: now, answers: {} };
	return OK;
}

/** Each person's answer in a round, written by them or by the secretary for them. */
export function answerRound(book: Logbook, meetingId: string, roundId: string, person: PersonKey, answer: string, now = Date.now()): Result {
	const round = book.meetings[meetingId]?.rounds[roundId];
	if (!round) return refuse(msg.noSuchRound);
	const t = text(answer, 2000);
	if (!t) return refuse(msg.noRoundText);
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
	if (!meeting) return refuse(msg.noSuchMeeting);
	if (value.length > MINUTES_MAX) return refuse(msg.minutesTooLong);
	setText(book, ['meetings', meetingId, 'minutes'], value);
	return OK;
}

/** One keystroke's worth of change to the live minutes, exactly where it happened. */
export function spliceMinutes(book: Logbook, meetingId: string, index: number, remove: number, insert: string): Result {
	const meeting = book.meetings[meetingId];
	if (!meeting) return refuse(msg.noSuchMeeting);
	// Reading `meeting.minutes` inside a change would copy the whole text out of Automerge
	// (about 100 ms for 200 pages); an end cursor gives its length directly.
	const path = ['meetings', meetingId, 'minutes'];
	const length = A.getCursorPosition(book, path, A.getCursor(book, path, 'end'));
	if (!Number.isInteger(index) || !Number.isInteger(remove) || index < 0 || remove < 0 || index + remove > length) return refuse(msg.editDoesNotFit);
	if (length - remove + insert.length > MINUTES_MAX) return refuse(msg.minutesTooLong);
	if (remove === 0 && insert === '') return OK;
	A.splice(book, path, index, remove, insert);
	return OK;
}

/** Notes that a selection of this meeting was shared with a wider circle (the copy lives there). */
export function notePublished(book: Logbook, meetingId: string, publicationId: string, publication: Publication): Result {
	const meeting = book.meetings[meetingId];
	if (!meeting) return refuse(msg.noSuchMeeting);
	meeting.published[publicationId] = { ...publication, decisions: [...publication.decisions] };
	log(book, publication.by, 'minutes-published', meetingId, publication.to, publication.at);
	return OK;
}

// ── members' own pages ────────────────────────────────────────────────────────────────────

export function editMemberPage(book: Logbook, actor: PersonKey, person: PersonKey, field: keyof MemberPage, value: string): Result {
	if (actor !== person) return refuse(msg.ownPage);
	if (!['role', 'aims', 'responsibilities', 'developmentGoals'].includes(field)) return refuse(msg.notPagePart);
	if (!book.members[person]) book.members[person] = { role: '', aims: '', responsibilities: '', developmentGoals: '' };
	setText(book, ['members', person, field], value.slice(0, 5000));
	return OK;
}

// ── proposals ─────────────────────────────────────────────────────────────────────────────

export function addProposal(book: Logbook, id: string, by: PersonKey, title: string, picture: string, now = Date.now()): Result {
	if (book.proposals[id]) return refuse(msg.proposalExists);
	const name = cleanTitle(title);
	if (!name) return refuse(msg.proposalName);
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
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step === 'decided') return refuse(msg.pictureKept);
	setText(book, ['proposals', proposalId, 'picture'], value.slice(0, TEXT_MAX));
	return OK;
}

/** Anyone adds their view while forming the picture, or their last word at final input. */
export function addInput(book: Logbook, proposalId: string, inputId: string, by: PersonKey, what: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	const t = text(what, 5000);
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step === 'decided') return refuse(msg.alreadyDecided);
	if (!t) return refuse(msg.noInput);
	p.inputs[inputId] = { step: p.step, by, text: t, at: now };
	return OK;
}

export function chooseLead(book: Logbook, proposalId: string, actor: PersonKey, lead: PersonKey, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'picture' && p.step !== 'lead') return refuse(msg.leadBeforeTelling);
	// A lead is never imposed: the person takes it on themself.
	if (actor !== lead) return refuse(msg.onlyLeadTakesOn);
	p.lead = lead;
	p.step = 'lead';
	log(book, actor, 'lead-chosen', proposalId, '', now);
	return OK;
}

/** The lead lets the community know what is being decided and the date for input. */
export function notifyCommunity(book: Logbook, proposalId: string, actor: PersonKey, deadline: IsoDate, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'lead') return refuse(msg.leadBeforeNotify);
	if (actor !== p.lead) return refuse(msg.leadNotifies);
	if (!isIsoDate(deadline)) return refuse(msg.inputDeadline);
	p.deadline = deadline;
	p.notifiedAt = now;
	p.step = 'notified';
	log(book, actor, 'community-notified', proposalId, deadline, now);
	return OK;
}

/** The lead writes draft 1, then 2, 3 and at most 4. Rewriting the current draft is allowed. */
export function writeDraft(book: Logbook, proposalId: string, actor: PersonKey, version: 1 | 2 | 3 | 4, value: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'notified' && p.step !== 'drafting') return refuse(msg.draftsWhen);
	if (actor !== p.lead) return refuse(msg.leadDrafts);
	if (![1, 2, 3, 4].includes(version)) return refuse(msg.fourDrafts);
	if (version > 1 && !p.drafts[`v${version - 1}`]) return refuse(msg.draftFirst(version - 1));
	const t = value.slice(0, TEXT_MAX);
	if (!t.trim()) return refuse(msg.emptyDraft);
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
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'drafting') return refuse(msg.finalInputWhen);
	if (actor !== p.lead) return refuse(msg.leadAsksFinal);
	p.step = 'final-input';
	log(book, actor, 'final-input-opened', proposalId, '', now);
	return OK;
}

export function openDecision(book: Logbook, proposalId: string, actor: PersonKey, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'final-input') return refuse(msg.decisionWhen);
	if (actor !== p.lead) return refuse(msg.leadBringsDecision);
	p.step = 'decision';
	log(book, actor, 'decision-opened', proposalId, '', now);
	return OK;
}

export function respondToProposal(
	book: Logbook,
	proposalId: string,
	person: PersonKey,
	answer: Answer,
	reason: string,
	objectionId: string,
	now = Date.now(),
	device?: SigningDevice
): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'decision') return refuse(msg.consentWhen);
	const r = respond(p.round, person, answer, reason, objectionId, now, device && { device, context: proposalId });
	if (r.ok) log(book, person, answer === 'consent' ? 'consented' : 'objected', proposalId, answer === 'object' ? reason : '', now);
	return r;
}

export function amendProposal(book: Logbook, proposalId: string, objectionId: string, by: PersonKey, change: string, amendmentId: string, now = Date.now()): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step !== 'decision') return refuse(msg.amendWhen);
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
	now = Date.now(),
	device?: SigningDevice
): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	const r = closeObjection(p.round, objectionId, actor, how, note, now, device && { device, context: proposalId });
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
	now = Date.now(),
	device?: SigningDevice
): Result {
	const p = book.proposals[proposalId];
	if (!p) return refuse(msg.noSuchProposal);
	if (p.step === 'decided') return refuse(msg.alreadyDecided);
	if (p.step !== 'decision') return refuse(msg.toDecisionFirst);
	const open = openObjections(p.round);
	if (open.length > 0) return refuse(msg.objectionsOpen(open.length));
	if (consentsOf(p.round).length === 0) return refuse(msg.noConsent);
	const t = text(decision.text);
	if (!t) return refuse(msg.noDecision);
	if (!text(decision.term, 200)) return refuse(msg.noTerm);
	if (!isIsoDate(decision.reviewDate)) return refuse(msg.noReviewDate);
	if (!text(decision.measure, 1000)) return refuse(msg.noMeasure);
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
	if (device) {
		p.decision.firstReview = decision.reviewDate;
		p.decision.signed = signFields(device, DECISION_TAG, decisionFields(proposalId, p.decision));
	}
	p.step = 'decided';
	log(book, actor, 'decided', proposalId, t, now);
	return OK;
}

/** A review: the decision carries on to a new review date, or (nextReview null) is retired. */
export function reviewDecision(
	book: Logbook,
	proposalId: string,
	reviewId: string,
	by: PersonKey,
	note: string,
	nextReview: IsoDate | null,
	now = Date.now(),
	device?: SigningDevice
): Result {
	const d = book.proposals[proposalId]?.decision;
	if (!d) return refuse(msg.noSuchDecision);
	if (d.retiredAt !== null) return refuse(msg.retired);
	if (nextReview !== null && !isIsoDate(nextReview)) return refuse(msg.nextReview);
	const review: DecisionReview = { at: now, by, note: text(note, 2000), nextReview };
	if (device) review.signed = signFields(device, REVIEW_TAG, reviewFields(proposalId, reviewId, review));
	d.reviews[reviewId] = review;
	if (nextReview) d.reviewDate = nextReview;
	else d.retiredAt = now;
	log(book, by, nextReview ? 'reviewed' : 'retired', proposalId, note, now);
	return OK;
}

export type RegisterEntry = { id: string; title: string } & Decision;

/**
 * Whether a decision stands as it was recorded and reviewed: its own signature (by the
 * recorder's device, as the space's membership says) and each review's (by its reviewer's),
 * and its review date and retirement as the last review left them. Altered if any of those
 * fails; unsigned for a decision recorded before decisions were signed (its reviews are still
 * checked where signed). Needs `await cryptoReady()`.
 */
export function decisionAuthorship(book: Logbook, proposalId: string, isAuthorDevice?: DeviceCheck): Authorship | undefined {
	const d = book.proposals[proposalId]?.decision;
	if (!d) return undefined;
	const own = authorship(d.signed, DECISION_TAG, decisionFields(proposalId, d), d.recordedBy, isAuthorDevice);
	if (own === 'altered') return own;
	const reviews = Object.entries(d.reviews).sort(([a, x], [b, y]) => x.at - y.at || (a < b ? -1 : 1));
	for (const [id, r] of reviews) {
		const status = authorship(r.signed, REVIEW_TAG, reviewFields(proposalId, id, r), r.by, isAuthorDevice);
		// On a signed decision every review must be signed: an unsigned one was slipped in.
		if (status === 'altered' || (own === 'signed' && status === 'unsigned')) return 'altered';
	}
	if (own === 'signed') {
		// The review date and retirement are what the last signed review (or the decision) set.
		const last = reviews.length ? reviews[reviews.length - 1][1] : undefined;
		const expectedDate = last ? (last.nextReview ?? undefined) : d.firstReview;
		const expectedRetired = last && last.nextReview === null ? last.at : null;
		if (d.retiredAt !== expectedRetired) return 'altered';
		if (expectedDate !== undefined && d.reviewDate !== expectedDate) return 'altered';
	}
	return own;
}

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
	if (!p?.decision) return refuse(msg.onlyDecisionAppealed);
	if (!why) return refuse(msg.sayWhyAppeal);
	if (p.appeals[appealId]) return refuse(msg.appealExists);
	p.appeals[appealId] = { by, reason: why, at: now, supporters: { [by]: { at: now, relatedTo: [] } }, step: 'gathering-support', outcome: null, outcomeNote: '' };
	log(book, by, 'appeal-raised', proposalId, why, now);
	return OK;
}

export function supportAppeal(book: Logbook, proposalId: string, appealId: string, person: PersonKey, relatedTo: PersonKey[], now = Date.now()): Result {
	const appeal = book.proposals[proposalId]?.appeals[appealId];
	if (!appeal) return refuse(msg.noSuchAppeal);
	if (appeal.step === 'closed') return refuse(msg.appealClosed);
	if (relatedTo.includes(person)) return refuse(msg.relatedNotYourself);
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
	if (!appeal) return refuse(msg.noSuchAppeal);
	const at = ESCALATION_STEPS.findIndex((s) => s.step === appeal.step);
	if (appeal.step === 'closed' || at < 0) return refuse(msg.appealClosed);
	if (appeal.step === 'mediation') return refuse(msg.mediationLast);
	if (unrelatedSupport(appeal) < APPEAL_SUPPORT_NEEDED) {
		return refuse(msg.appealSupport(APPEAL_SUPPORT_NEEDED));
	}
	appeal.step = ESCALATION_STEPS[at + 1].step;
	log(book, actor, 'appeal-escalated', proposalId, appeal.step, now);
	return OK;
}

export function closeAppeal(book: Logbook, proposalId: string, appealId: string, actor: PersonKey, outcome: 'upheld' | 'dismissed', note: string, now = Date.now()): Result {
	const appeal = book.proposals[proposalId]?.appeals[appealId];
	if (!appeal) return refuse(msg.noSuchAppeal);
	if (appeal.step === 'closed') return refuse(msg.appealAlreadyClosed);
	if (appeal.step === 'gathering-support') return refuse(msg.appealNotHeard);
	if (!text(note, 2000)) return refuse(msg.appealOutcome);
	appeal.outcome = outcome;
	appeal.outcomeNote = text(note, 2000);
	appeal.step = 'closed';
	log(book, actor, `appeal-${outcome}`, proposalId, note, now);
	return OK;
}
