// A sociocratic circle (a Local Circle, the Members' or Purpose Circle, a helping circle): its
// aim and domain, the wider circle it belongs to and the double link to it (its Leader and
// Delegate also sit in the circle above), its members, budget and plans, and its roles, filled
// by consent in an election round for a set term. Lives in the circle's space, readable by
// all its members. Who may read is the membership layer's job; this is what the circle says
// about itself. Maps keyed by person or random id, so concurrent edits both survive.
import { words } from '$lib/words';
import { addDays, isIsoDate, type IsoDate } from './calendar';
import { closeObjection, consentsOf, newConsentRound, openObjections, respond, type Answer, type ConsentRound } from './consent';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { cleanName, cleanTitle } from './space';
import { setText } from './text';

const msg = words.messages.model.circle;

export type ProcessRole = 'leader' | 'delegate' | 'facilitator' | 'secretary';
export type OperationalRole =
	| 'team-starter'
	| 'recruiter'
	| 'numbers-person'
	| 'problem-solver'
	| 'training-lead'
	| 'care-commons-organiser'
	| 'peer-supervisor';
export type CircleRole = ProcessRole | OperationalRole;

/** Which roles are process hats (the four that every circle fills); the rest are operational. */
const PROCESS_ROLES: Record<CircleRole, boolean> = {
	leader: true,
	delegate: true,
	facilitator: true,
	secretary: true,
	'team-starter': false,
	recruiter: false,
	'numbers-person': false,
	'problem-solver': false,
	'training-lead': false,
	'care-commons-organiser': false,
	'peer-supervisor': false
};

export const CIRCLE_ROLES = Object.fromEntries(
	(Object.keys(PROCESS_ROLES) as CircleRole[]).map((role) => [role, { ...words.circle.roles[role], process: PROCESS_ROLES[role] }])
) as Record<CircleRole, { title: string; description: string; process: boolean }>;

export function isCircleRole(role: unknown): role is CircleRole {
	return typeof role === 'string' && Object.hasOwn(CIRCLE_ROLES, role);
}

export type CircleMember = { name: string; joinedAt: number; leftAt: number | null };

export type RoleTerm = { holder: PersonKey; from: IsoDate; until: IsoDate; electionId: string };

export type ElectionStatus = 'nominating' | 'consent' | 'elected' | 'cancelled';

export type Nomination = { nominee: PersonKey; reason: string; at: number };

export type ElectionEvent = { at: number; by: PersonKey; what: string; person: PersonKey | null; note: string };

export type Election = {
	role: CircleRole;
	termMonths: number;
	status: ElectionStatus;
	/** Keyed by the person nominating: one nomination each, which they may change in the change round. */
	nominations: Record<string, Nomination>;
	candidate: PersonKey | null;
	candidateReason: string;
	round: ConsentRound;
	createdBy: PersonKey;
	createdAt: number;
	/** Append-only: every nomination, change of mind and answer. */
	history: ElectionEvent[];
};

export type Plan = { text: string; due: IsoDate | null; done: boolean; by: PersonKey; at: number };

export type Budget = {
	/** Whole pence for the period. */
	amountPence: number;
	period: 'month' | 'year';
	/** How much of it comes from the wider circle's budget (whole pence). */
	fromParentPence: number;
	note: string;
};

export type CircleLink = { spaceId: string; name: string };

export type Circle = {
	kind: 'circle';
	name: string;
	aim: string;
	domain: string;
	createdBy: PersonKey;
	createdAt: number;
	parent: CircleLink | null;
	members: Record<string, CircleMember>;
	budget: Budget;
	plans: Record<string, Plan>;
	/** The current holder of each role, by role. */
	roles: Record<string, RoleTerm>;
	elections: Record<string, Election>;
};

export function newCircle(name: string, creator: PersonKey, creatorName: string, options: { aim?: string; domain?: string; parent?: CircleLink | null } = {}, now = Date.now()): Circle {
	return {
		kind: 'circle',
		name: cleanTitle(name) || msg.defaultName,
		aim: (options.aim ?? '').trim().slice(0, 2000),
		domain: (options.domain ?? '').trim().slice(0, 2000),
		createdBy: creator,
		createdAt: now,
		parent: options.parent ? { spaceId: options.parent.spaceId, name: cleanTitle(options.parent.name) } : null,
		members: { [creator]: { name: cleanName(creatorName), joinedAt: now, leftAt: null } },
		budget: { amountPence: 0, period: 'year', fromParentPence: 0, note: '' },
		plans: {},
		roles: {},
		elections: {}
	};
}

export function isCircle(doc: unknown): doc is Circle {
	const d = doc as Circle;
	return typeof d === 'object' && d !== null && d.kind === 'circle' && typeof d.members === 'object' && typeof d.elections === 'object' && typeof d.roles === 'object';
}

export function isCircleMember(circle: Circle, person: PersonKey): boolean {
	const m = circle.members[person];
	return !!m && m.leftAt === null;
}

export function circleMembers(circle: Circle): Array<{ person: PersonKey } & CircleMember> {
	return Object.entries(circle.members)
		.filter(([, m]) => m.leftAt === null)
		.map(([person, m]) => ({ person: person as PersonKey, ...m }))
		.sort((a, b) => a.joinedAt - b.joinedAt || a.name.localeCompare(b.name));
}

export function memberName(circle: Circle | undefined, person: PersonKey | string | null): string {
	if (!person) return msg.nobody;
	return circle?.members[person]?.name || words.messages.model.common.someone;
}

/** Someone admitted to the circle's space adds themselves to the circle's list. */
export function joinCircle(circle: Circle, person: PersonKey, name: string, now = Date.now()): Result {
	const clean = cleanName(name);
	if (!clean) return refuse(msg.addYourName);
	if (isCircleMember(circle, person)) {
		if (circle.members[person].name !== clean) circle.members[person].name = clean;
		return OK;
	}
	circle.members[person] = { name: clean, joinedAt: now, leftAt: null };
	return OK;
}

export function leaveCircle(circle: Circle, person: PersonKey, now = Date.now()): Result {
	if (!isCircleMember(circle, person)) return refuse(msg.notInCircle);
	circle.members[person].leftAt = now;
	for (const [role, term] of Object.entries(circle.roles)) if (term.holder === person) delete circle.roles[role];
	return OK;
}

export function editAim(circle: Circle, actor: PersonKey, value: string): Result {
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersAim);
	setText(circle, ['aim'], value.slice(0, 2000));
	return OK;
}

export function editDomain(circle: Circle, actor: PersonKey, value: string): Result {
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersDomain);
	setText(circle, ['domain'], value.slice(0, 2000));
	return OK;
}

export function setParent(circle: Circle, actor: PersonKey, parent: CircleLink | null): Result {
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersParent);
	circle.parent = parent ? { spaceId: parent.spaceId, name: cleanTitle(parent.name) } : null;
	return OK;
}

/** The double link: the Leader and the Delegate, who also sit in the wider circle. */
export function doubleLinks(circle: Circle, today: IsoDate): { leader: PersonKey | null; delegate: PersonKey | null } {
	return { leader: holderOf(circle, 'leader', today), delegate: holderOf(circle, 'delegate', today) };
}

export function holderOf(circle: Circle, role: CircleRole, today: IsoDate): PersonKey | null {
	const term = circle.roles[role];
	if (!term || term.until < today || !isCircleMember(circle, term.holder)) return null;
	return term.holder;
}

export function rolesOf(circle: Circle, person: PersonKey, today: IsoDate): CircleRole[] {
	return (Object.keys(CIRCLE_ROLES) as CircleRole[]).filter((r) => holderOf(circle, r, today) === person);
}

/** Roles whose term has ended or ends within `withinDays`: time for an election. */
export function termsEnding(circle: Circle, today: IsoDate, withinDays = 30): Array<{ role: CircleRole } & RoleTerm> {
	const by = addDays(today, withinDays);
	return Object.entries(circle.roles)
		.filter(([, t]) => t.until <= by)
		.map(([role, t]) => ({ role: role as CircleRole, ...t }))
		.sort((a, b) => a.until.localeCompare(b.until));
}

// ── budget and plans ──────────────────────────────────────────────────────────────────────

export function setBudget(circle: Circle, actor: PersonKey, budget: Budget, parentBudget?: Budget): Result {
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersBudget);
	const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
	if (!whole(budget.amountPence) || !whole(budget.fromParentPence)) return refuse(msg.wholeAmounts);
	if (budget.period !== 'month' && budget.period !== 'year') return refuse(msg.monthOrYear);
	if (budget.fromParentPence > budget.amountPence) return refuse(msg.moreFromParent);
	if (parentBudget && perYear(budget.fromParentPence, budget.period) > perYear(parentBudget.amountPence, parentBudget.period)) {
		return refuse(msg.overParentBudget);
	}
	circle.budget = { amountPence: budget.amountPence, period: budget.period, fromParentPence: budget.fromParentPence, note: budget.note.trim().slice(0, 1000) };
	return OK;
}

export function perYear(pence: number, period: 'month' | 'year'): number {
	return period === 'month' ? pence * 12 : pence;
}

/** The share of the wider circle's yearly budget this circle draws, as a whole percentage. */
export function shareOfParent(circle: Circle, parentBudget: Budget): number | null {
	const whole = perYear(parentBudget.amountPence, parentBudget.period);
	if (whole === 0) return null;
	return Math.round((perYear(circle.budget.fromParentPence, circle.budget.period) * 100) / whole);
}

export function addPlan(circle: Circle, planId: string, by: PersonKey, what: string, due: IsoDate | null, now = Date.now()): Result {
	const t = what.trim().slice(0, 1000);
	if (!isCircleMember(circle, by)) return refuse(msg.onlyMembersPlans);
	if (!t) return refuse(msg.noPlan);
	if (due !== null && !isIsoDate(due)) return refuse(words.messages.model.common.notADate);
	circle.plans[planId] = { text: t, due, done: false, by, at: now };
	return OK;
}

export function setPlanDone(circle: Circle, planId: string, done: boolean): Result {
	const plan = circle.plans[planId];
	if (!plan) return refuse(msg.noSuchPlan);
	if (plan.done !== done) plan.done = done;
	return OK;
}

export function plansOf(circle: Circle): Array<{ id: string } & Plan> {
	return Object.entries(circle.plans)
		.map(([id, p]) => ({ id, ...p }))
		.sort((a, b) => Number(a.done) - Number(b.done) || (a.due ?? '9999').localeCompare(b.due ?? '9999') || a.at - b.at);
}

// ── elections: nominations with reasons, a change round, then consent ───────────────────────

function election(circle: Circle, id: string): Election | undefined {
	return circle.elections[id];
}

export function startElection(circle: Circle, id: string, actor: PersonKey, role: CircleRole, termMonths: number, now = Date.now()): Result {
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersElect);
	if (!isCircleRole(role)) return refuse(msg.chooseRole);
	if (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > 36) return refuse(msg.termLength);
	if (circle.elections[id]) return refuse(msg.electionStarted);
	circle.elections[id] = {
		role,
		termMonths,
		status: 'nominating',
		nominations: {},
		candidate: null,
		candidateReason: '',
		round: newConsentRound(),
		createdBy: actor,
		createdAt: now,
		history: [{ at: now, by: actor, what: 'started', person: null, note: '' }]
	};
	return OK;
}

/** Each member names who they think should hold the role, and why. Changing it later is the change round. */
export function nominate(circle: Circle, id: string, actor: PersonKey, nominee: PersonKey, reason: string, now = Date.now()): Result {
	const e = election(circle, id);
	const why = reason.trim().slice(0, 1000);
	if (!e) return refuse(msg.noSuchElection);
	if (e.status !== 'nominating') return refuse(msg.nominationsClosed);
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersNominate);
	if (!isCircleMember(circle, nominee)) return refuse(msg.nominateMember);
	if (!why) return refuse(msg.sayWhyNominate);
	const changed = !!e.nominations[actor];
	e.nominations[actor] = { nominee, reason: why, at: now };
	e.history.push({ at: now, by: actor, what: changed ? 'changed-nomination' : 'nominated', person: nominee, note: why });
	return OK;
}

/** Nominees with how many nominated them, most first. */
export function nominationCount(e: Election): Array<{ nominee: PersonKey; count: number; reasons: string[] }> {
	const out = new Map<PersonKey, { count: number; reasons: string[] }>();
	for (const n of Object.values(e.nominations)) {
		const entry = out.get(n.nominee) ?? { count: 0, reasons: [] };
		entry.count++;
		entry.reasons.push(n.reason);
		out.set(n.nominee, entry);
	}
	return [...out].map(([nominee, v]) => ({ nominee, ...v })).sort((a, b) => b.count - a.count || a.nominee.localeCompare(b.nominee));
}

/** The facilitator proposes one nominee, with reasons, and the consent round opens. */
export function proposeCandidate(circle: Circle, id: string, actor: PersonKey, candidate: PersonKey, reason: string, now = Date.now()): Result {
	const e = election(circle, id);
	if (!e) return refuse(msg.noSuchElection);
	if (e.status !== 'nominating' && e.status !== 'consent') return refuse(msg.electionOver);
	if (!isCircleMember(circle, actor)) return refuse(msg.onlyMembersPropose);
	if (!Object.values(e.nominations).some((n) => n.nominee === candidate)) return refuse(msg.proposeNominee);
	if (e.status === 'consent' && openObjections(e.round).length === 0 && e.candidate === candidate) return refuse(msg.alreadyProposed);
	e.candidate = candidate;
	e.candidateReason = reason.trim().slice(0, 1000);
	e.round = newConsentRound();
	e.status = 'consent';
	e.history.push({ at: now, by: actor, what: 'proposed', person: candidate, note: e.candidateReason });
	return OK;
}

export function respondToElection(circle: Circle, id: string, person: PersonKey, answer: Answer, reason: string, objectionId: string, now = Date.now()): Result {
	const e = election(circle, id);
	if (!e) return refuse(msg.noSuchElection);
	if (e.status !== 'consent') return refuse(msg.roundNotStarted);
	if (!isCircleMember(circle, person)) return refuse(msg.onlyMembersTakePart);
	const r = respond(e.round, person, answer, reason, objectionId, now);
	if (r.ok) e.history.push({ at: now, by: person, what: answer === 'consent' ? 'consented' : 'objected', person: e.candidate, note: reason.trim().slice(0, 1000) });
	return r;
}

export function closeElectionObjection(circle: Circle, id: string, objectionId: string, actor: PersonKey, how: 'resolved' | 'withdrawn', note: string, now = Date.now()): Result {
	const e = election(circle, id);
	if (!e) return refuse(msg.noSuchElection);
	const r = closeObjection(e.round, objectionId, actor, how, note, now);
	if (r.ok) e.history.push({ at: now, by: actor, what: `objection-${how}`, person: e.candidate, note: note.trim().slice(0, 1000) });
	return r;
}

/**
 * The candidate takes the role for the election's term, from `today`. Needs the candidate's own
 * consent (a role is never imposed) and no open objection.
 */
export function completeElection(circle: Circle, id: string, actor: PersonKey, today: IsoDate, now = Date.now()): Result {
	const e = election(circle, id);
	if (!e) return refuse(msg.noSuchElection);
	if (e.status !== 'consent' || !e.candidate) return refuse(msg.proposeFirst);
	if (openObjections(e.round).length > 0) return refuse(msg.objectionOpen);
	if (!consentsOf(e.round).includes(e.candidate)) return refuse(msg.notConsented(memberName(circle, e.candidate)));
	if (!isIsoDate(today)) return refuse(words.messages.model.common.notADate);
	circle.roles[e.role] = { holder: e.candidate, from: today, until: addMonths(today, e.termMonths), electionId: id };
	e.status = 'elected';
	e.history.push({ at: now, by: actor, what: 'elected', person: e.candidate, note: '' });
	return OK;
}

export function cancelElection(circle: Circle, id: string, actor: PersonKey, now = Date.now()): Result {
	const e = election(circle, id);
	if (!e) return refuse(msg.noSuchElection);
	if (e.status === 'elected' || e.status === 'cancelled') return refuse(msg.electionOver);
	e.status = 'cancelled';
	e.history.push({ at: now, by: actor, what: 'cancelled', person: null, note: '' });
	return OK;
}

export function electionsOf(circle: Circle): Array<{ id: string } & Election> {
	return Object.entries(circle.elections)
		.map(([id, e]) => ({ id, ...e }))
		.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

/** Same day `months` later (clamped to the month's last day). */
export function addMonths(date: IsoDate, months: number): IsoDate {
	const [y, m, d] = date.split('-').map(Number);
	const total = y * 12 + (m - 1) + months;
	const year = Math.floor(total / 12);
	const month = (total % 12) + 1;
	const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
	const p = (n: number) => String(n).padStart(2, '0');
	return `${year}-${p(month)}-${p(Math.min(d, last))}` as IsoDate;
}
