// The Team document (whole-team access circle): who is in the Team around the person getting
// support (the Team Owner), what kind of member each is, who is on trial, which hats people
// wear and the team's check-ins. Who may *read or write* is the membership layer's job
// (`$lib/keys/membership.ts`, with consent on both sides); this document holds what the team
// says about itself. Pure functions, state first, called inside `handle.change`; the ones a
// person can get wrong return a Result instead of throwing and change nothing when refused.
import { words } from '$lib/words';
import type { IsoDate } from './calendar';
import { isIsoDate } from './calendar';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { cleanName, cleanTitle } from './space';
import { setText } from './text';

const msg = words.messages.model.team;

export type MemberKind =
	| 'team-owner'
	| 'family-friend'
	| 'employed-worker'
	| 'independent-worker'
	| 'volunteer'
	| 'peer-supporter'
	| 'team-starter'
	| 'coach';

export const MEMBER_KINDS: Record<MemberKind, string> = words.team.memberKinds;

export type TrialOutcome = 'continuing' | 'ended';

/**
 * A trial of 1–3 sessions before the team agrees to continue. Sessions are a map (session
 * key, usually the rota visit key → date) rather than a number: two devices each recording a
 * session offline would both write `sessionsDone = 1` and one session would be lost; two
 * map entries both survive, and recording the same visit twice counts once.
 */
export type Trial = {
	sessionsAgreed: 1 | 2 | 3;
	sessions: Record<string, IsoDate>;
	outcome: TrialOutcome | null;
};

export type TeamMember = {
	name: string;
	kind: MemberKind;
	joinedAt: number;
	trial: Trial | null;
	leftAt: number | null;
	/**
	 * Named by the Team Owner to speak for them (a family member, an advocate), with the same
	 * say in team decisions. A field on the member rather than a map of its own, so teams made
	 * before it existed need no new map (two devices each creating one would lose one).
	 */
	representative?: boolean;
	/**
	 * Who took them out of the team's space (an Owner or someone who lets people in), when
	 * they did not leave by themself; `leftAt` is then when that happened. Set by
	 * `recordRemoval`, following the space's membership log.
	 */
	removedBy?: PersonKey;
};

export type StandardHat =
	| 'rota-holder'
	| 'profile-holder'
	| 'mar-holder'
	| 'team-chat-admin'
	| 'check-in-facilitator'
	| 'safeguarding-lead';
export type HatKind = StandardHat | 'custom';

export const STANDARD_HATS: Record<StandardHat, { title: string; description: string }> = words.team.hats;

/**
 * nominated: offered to `wearer`, who has not answered. worn: they accepted. declined: they
 * said no (`wearer` still names them, so the team can see who was asked). handed-over: the
 * wearer gave it back without naming anyone (`wearer` is null); the hat waits for a nominee.
 */
export type HatStatus = 'nominated' | 'worn' | 'declined' | 'handed-over';

export type HatEvent =
	| { event: 'nominated'; at: number; by: PersonKey; person: PersonKey }
	| { event: 'accepted' | 'declined'; at: number; by: PersonKey }
	| { event: 'handed-over'; at: number; by: PersonKey; to: PersonKey | null }
	| { event: 'review-date'; at: number; by: PersonKey; date: IsoDate | null }
	/** `person` (who wore it or was offered it) was taken out of the team by `by`; the hat is free again. */
	| { event: 'ended'; at: number; by: PersonKey; person: PersonKey };

export type Hat = {
	kind: HatKind;
	title: string;
	description: string;
	wearer: PersonKey | null;
	nominatedBy: PersonKey;
	status: HatStatus;
	reviewDate: IsoDate | null;
	/** Append-only; concurrent appends from two devices both survive. */
	history: HatEvent[];
};

export type AgreedAction = {
	text: string;
	owner: PersonKey | null;
	done: boolean;
	createdAt: number;
};

export type CheckIn = {
	date: IsoDate;
	/** Collaborative text: edit with `editCheckInNotes`, so two note-takers both keep their words. */
	notes: string;
	/** Keyed by random id, so actions agreed on two devices both survive. */
	actions: Record<string, AgreedAction>;
	createdBy: PersonKey;
	createdAt: number;
};

export type Team = {
	kind: 'team';
	name: string;
	owner: PersonKey;
	/** Keyed by person, so two people joining at once are both kept. */
	members: Record<string, TeamMember>;
	/** Keyed by random id. */
	hats: Record<string, Hat>;
	/** Keyed by random id. */
	checkIns: Record<string, CheckIn>;
	createdAt: number;
};

export const HAT_TEXT_MAX = 500;
export const ACTION_MAX = 500;

/** Every map is made up front: two devices each creating `hats` would lose one map's hats. */
export function newTeam(name: string, owner: PersonKey, ownerName: string, now = Date.now()): Team {
	return {
		kind: 'team',
		name: cleanTitle(name),
		owner,
		members: { [owner]: { name: cleanName(ownerName), kind: 'team-owner', joinedAt: now, trial: null, leftAt: null } },
		hats: {},
		checkIns: {},
		createdAt: now
	};
}

export function isTeam(doc: unknown): doc is Team {
	const d = doc as Team;
	return (
		typeof d === 'object' && d !== null && d.kind === 'team' && typeof d.owner === 'string' &&
		typeof d.members === 'object' && typeof d.hats === 'object' && typeof d.checkIns === 'object'
	);
}

export function isStandardHat(kind: unknown): kind is StandardHat {
	return typeof kind === 'string' && Object.hasOwn(STANDARD_HATS, kind);
}

export function isMemberKind(kind: unknown): kind is MemberKind {
	return typeof kind === 'string' && Object.hasOwn(MEMBER_KINDS, kind);
}

function isTrialLength(n: unknown): n is 1 | 2 | 3 {
	return n === 1 || n === 2 || n === 3;
}

// ── members and trials ───────────────────────────────────────────────────────────────────

/**
 * Records a member's profile once the membership layer has let them in (both sides have
 * consented there). A returning member who had left joins afresh.
 */
export function addMember(
	team: Team,
	person: PersonKey,
	profile: { name: string; kind: MemberKind; trialSessions?: 1 | 2 | 3 | null },
	now = Date.now()
): Result {
	if (isActive(team, person)) return refuse(msg.alreadyIn);
	if (profile.kind === 'team-owner') return refuse(msg.oneOwner);
	if (!isMemberKind(profile.kind)) return refuse(msg.chooseKind);
	const trialSessions = profile.trialSessions ?? null;
	if (trialSessions !== null && !isTrialLength(trialSessions)) return refuse(msg.trialLength);
	team.members[person] = {
		name: cleanName(profile.name),
		kind: profile.kind,
		joinedAt: now,
		trial: trialSessions === null ? null : { sessionsAgreed: trialSessions, sessions: {}, outcome: null },
		leftAt: null
	};
	return OK;
}

/** A person sets the name the team sees for them. */
export function setMemberName(team: Team, person: PersonKey, name: string): Result {
	const member = team.members[person];
	const clean = cleanName(name);
	if (!member) return refuse(msg.notIn);
	if (!clean) return refuse(msg.emptyName);
	if (member.name !== clean) member.name = clean;
	return OK;
}

/** Counts one trial session (by visit key, so recording the same visit twice counts once). */
export function recordTrialSession(team: Team, person: PersonKey, session: string, date: IsoDate): Result {
	const trial = team.members[person]?.trial;
	if (!trial || !isActive(team, person)) return refuse(msg.notOnTrial);
	if (trial.outcome !== null) return refuse(msg.trialDecided);
	if (!isIsoDate(date)) return refuse(words.messages.model.common.notADate);
	if (trial.sessions[session] !== date) trial.sessions[session] = date;
	return OK;
}

/**
 * Records the outcome of a trial. The team decides together at a check-in; the Team Owner (or
 * someone who speaks for them) records that they continue. Either of them or the person on
 * trial may end it (anyone may leave).
 */
export function setTrialOutcome(team: Team, actor: PersonKey, person: PersonKey, outcome: TrialOutcome): Result {
	const trial = team.members[person]?.trial;
	if (!trial || !isActive(team, person)) return refuse(msg.notOnTrial);
	if (outcome === 'continuing' && !speaksForOwner(team, actor)) return refuse(msg.onlyOwnerContinues);
	if (outcome === 'ended' && !speaksForOwner(team, actor) && actor !== person) return refuse(msg.onlyOwnerOrTrialEnds);
	trial.outcome = outcome;
	return OK;
}

/**
 * The Team Owner names someone to speak for them (true), or stops (false); a representative
 * may also step down themself. Only the Owner names representatives: it is their team.
 */
export function setRepresentative(team: Team, actor: PersonKey, person: PersonKey, on: boolean): Result {
	const member = team.members[person];
	if (!member || !isActive(team, person)) return refuse(msg.notIn);
	if (person === team.owner) return refuse(msg.ownerSpeaks);
	if (actor !== team.owner && !(actor === person && !on)) return refuse(msg.onlyOwnerRepresentatives);
	if (on) member.representative = true;
	else if (member.representative) delete member.representative;
	return OK;
}

/**
 * Someone leaves the team. Every hat they wear or were nominated for is handed over: to the
 * person named in `handovers` (nominated again, and that person must still accept: a hat is
 * never imposed), or back to the team (status 'handed-over') when nobody is named. The Team
 * Owner cannot leave their own team.
 */
export function leave(team: Team, person: PersonKey, handovers: Record<string, PersonKey>, now = Date.now()): Result {
	if (!isActive(team, person)) return refuse(msg.notIn);
	if (person === team.owner) return refuse(msg.ownerStays);
	const theirs = Object.keys(team.hats).filter((id) => holds(team.hats[id], person));
	for (const [hatId, next] of Object.entries(handovers)) {
		if (!theirs.includes(hatId)) return refuse(msg.ownHatsOnly);
		if (next === person) return refuse(msg.notToLeaver);
		if (!isActive(team, next)) return refuse(msg.cannotBeOffered(nameOf(team, next)));
	}
	for (const hatId of theirs) {
		const hat = team.hats[hatId];
		const next = handovers[hatId] ?? null;
		hat.history.push({ event: 'handed-over', at: now, by: person, to: next });
		if (next) {
			hat.wearer = next;
			hat.nominatedBy = person;
			hat.status = 'nominated';
			hat.history.push({ event: 'nominated', at: now, by: person, person: next });
		} else {
			hat.wearer = null;
			hat.status = 'handed-over';
		}
	}
	team.members[person].leftAt = now;
	if (team.members[person].representative) delete team.members[person].representative;
	return OK;
}

/** A removal from the team's space, as its membership log records it (see spaceMembers' `removals`). */
export type TeamRemoval = { person: PersonKey; by: PersonKey | undefined; at: number };

/**
 * Someone was taken out of the team's space (by the Owner or someone who lets people in), or
 * took themself out: the team's own record follows. They are no longer a current member
 * (`leftAt`, and `removedBy` when someone else did it), no longer speak for the Owner, and
 * every hat they wore or were offered ends (free again, with an `ended` event naming them).
 * Their name stays, so what they wrote before still says who wrote it. Only what still needs
 * it is changed, so recording the same removal again (on another device, or after a merge
 * that brought back an offer made meanwhile) changes nothing else.
 */
export function recordRemoval(team: Team, removal: TeamRemoval): Result {
	const { person, at } = removal;
	if (person === team.owner) return refuse(msg.ownerStays);
	const by = removal.by ?? person;
	const member = team.members[person];
	if (member && member.leftAt === null) member.leftAt = at;
	if (member && by !== person && member.removedBy !== by) member.removedBy = by;
	if (member?.representative) delete member.representative;
	for (const hat of Object.values(team.hats)) {
		if (!holds(hat, person)) continue;
		hat.history.push({ event: 'ended', at, by, person });
		hat.wearer = null;
		hat.status = 'handed-over';
	}
	return OK;
}

/** Whether `recordRemoval` would change anything for this removal. */
export function needsRemovalRecorded(team: Team, removal: TeamRemoval): boolean {
	const { person } = removal;
	if (person === team.owner) return false;
	const member = team.members[person];
	if (member && (member.leftAt === null || member.representative)) return true;
	if (member && removal.by && removal.by !== person && member.removedBy !== removal.by) return true;
	return Object.values(team.hats).some((h) => holds(h, person));
}

/**
 * The team as its membership log says it is now: `recordRemoval` applied, on a copy, for each
 * removal the document has not caught up with yet. The document can lag (it is written by a
 * device that saw the removal, and a removed person's own device never receives that write),
 * while the signed membership log is what decides who is in. Returns the document itself
 * when nothing differs.
 */
export function withRemovals(team: Team, removals: readonly TeamRemoval[]): Team {
	const due = removals.filter((r) => needsRemovalRecorded(team, r));
	if (due.length === 0) return team;
	const copy: Team = {
		...team,
		members: Object.fromEntries(Object.entries(team.members).map(([k, m]) => [k, { ...m }])),
		hats: Object.fromEntries(Object.entries(team.hats).map(([k, h]) => [k, { ...h, history: [...h.history] }]))
	};
	for (const r of due) recordRemoval(copy, r);
	return copy;
}

// ── hats ────────────────────────────────────────────────────────────────────────────────

export type HatNomination = {
	/** A fresh random id (`randomId()`), so hats made on two devices never collide. */
	id: string;
	kind: HatKind;
	/** Required for a custom hat; a standard hat uses its standard title when omitted. */
	title?: string;
	description?: string;
	nominee: PersonKey;
	reviewDate?: IsoDate | null;
};

/** A member nominates someone (themself included) for a hat. It is theirs only once they accept. */
export function nominateHat(team: Team, actor: PersonKey, n: HatNomination, now = Date.now()): Result {
	if (!isActive(team, actor)) return refuse(msg.onlyMembersNominate);
	if (!isActive(team, n.nominee)) return refuse(msg.cannotBeOffered(nameOf(team, n.nominee)));
	if (team.hats[n.id]) return refuse(msg.hatExists);
	if (n.kind !== 'custom' && !isStandardHat(n.kind)) return refuse(msg.chooseHat);
	// A standard hat is stored with its title and description in the words of whoever made it.
	const standard = n.kind === 'custom' ? null : words.team.hats[n.kind];
	const title = cleanTitle(n.title ?? standard?.title ?? '');
	if (!title) return refuse(msg.customTitle);
	const reviewDate = n.reviewDate ?? null;
	if (reviewDate !== null && !isIsoDate(reviewDate)) return refuse(msg.badReviewDate);
	team.hats[n.id] = {
		kind: n.kind,
		title,
		description: (n.description ?? standard?.description ?? '').trim().slice(0, HAT_TEXT_MAX),
		wearer: n.nominee,
		nominatedBy: actor,
		status: 'nominated',
		reviewDate,
		history: [{ event: 'nominated', at: now, by: actor, person: n.nominee }]
	};
	return OK;
}

/** Offers a hat nobody wears (declined or handed back) to someone new. */
export function renominate(team: Team, actor: PersonKey, hatId: string, nominee: PersonKey, now = Date.now()): Result {
	const hat = team.hats[hatId];
	if (!hat) return refuse(msg.noSuchHat);
	if (!isActive(team, actor)) return refuse(msg.onlyMembersNominate);
	if (!isActive(team, nominee)) return refuse(msg.cannotBeOffered(nameOf(team, nominee)));
	if (!isVacant(team, hat)) {
		const who = hat.wearer ? nameOf(team, hat.wearer) : msg.someone;
		return refuse(hat.status === 'worn' ? msg.wearsIt(who) : msg.notAnswered(who));
	}
	hat.wearer = nominee;
	hat.nominatedBy = actor;
	hat.status = 'nominated';
	hat.history.push({ event: 'nominated', at: now, by: actor, person: nominee });
	return OK;
}

/** Only the nominee can accept: a hat is never imposed. */
export function acceptHat(team: Team, actor: PersonKey, hatId: string, now = Date.now()): Result {
	const checked = answerable(team, actor, hatId);
	if (!checked.ok) return checked;
	const hat = team.hats[hatId];
	hat.status = 'worn';
	hat.history.push({ event: 'accepted', at: now, by: actor });
	return OK;
}

/** Only the nominee can decline. `wearer` keeps naming them so the team sees who was asked. */
export function declineHat(team: Team, actor: PersonKey, hatId: string, now = Date.now()): Result {
	const checked = answerable(team, actor, hatId);
	if (!checked.ok) return checked;
	const hat = team.hats[hatId];
	hat.status = 'declined';
	hat.history.push({ event: 'declined', at: now, by: actor });
	return OK;
}

function answerable(team: Team, actor: PersonKey, hatId: string): Result {
	const hat = team.hats[hatId];
	if (!hat) return refuse(msg.noSuchHat);
	if (hat.status !== 'nominated') return refuse(msg.notWaiting(hat.title));
	if (hat.wearer !== actor) {
		const who = hat.wearer ? nameOf(team, hat.wearer) : msg.someoneElse;
		return refuse(msg.onlyNominee(who, hat.title));
	}
	if (!isActive(team, actor)) return refuse(msg.youLeft);
	return OK;
}

/** Sets (or clears, with null) when the team reviews who wears a hat. Any member may. */
export function setReviewDate(team: Team, actor: PersonKey, hatId: string, date: IsoDate | null, now = Date.now()): Result {
	const hat = team.hats[hatId];
	if (!hat) return refuse(msg.noSuchHat);
	if (!isActive(team, actor)) return refuse(msg.onlyMembersReview);
	if (date !== null && !isIsoDate(date)) return refuse(msg.badReviewDate);
	if (hat.reviewDate === date) return OK;
	hat.reviewDate = date;
	hat.history.push({ event: 'review-date', at: now, by: actor, date });
	return OK;
}

/** The wearer passes a hat on without leaving: to a nominee (who must accept) or back to the team. */
export function handOverHat(team: Team, actor: PersonKey, hatId: string, next: PersonKey | null, now = Date.now()): Result {
	const hat = team.hats[hatId];
	if (!hat) return refuse(msg.noSuchHat);
	if (!holds(hat, actor)) return refuse(msg.onlyWearer(hat.title));
	if (next !== null && (next === actor || !isActive(team, next))) return refuse(msg.handToSomeoneElse);
	hat.history.push({ event: 'handed-over', at: now, by: actor, to: next });
	if (next) {
		hat.wearer = next;
		hat.nominatedBy = actor;
		hat.status = 'nominated';
		hat.history.push({ event: 'nominated', at: now, by: actor, person: next });
	} else {
		hat.wearer = null;
		hat.status = 'handed-over';
	}
	return OK;
}

// ── check-ins ───────────────────────────────────────────────────────────────────────────

export function addCheckIn(team: Team, actor: PersonKey, id: string, date: IsoDate, now = Date.now()): Result {
	if (!isActive(team, actor)) return refuse(msg.onlyMembersCheckIn);
	if (!isIsoDate(date)) return refuse(words.messages.model.common.notADate);
	if (team.checkIns[id]) return refuse(msg.checkInExists);
	team.checkIns[id] = { date, notes: '', actions: {}, createdBy: actor, createdAt: now };
	return OK;
}

/** Character-level edit, so two people taking notes in the same check-in both keep their words. */
export function editCheckInNotes(team: Team, checkInId: string, notes: string): Result {
	if (!team.checkIns[checkInId]) return refuse(msg.noSuchCheckIn);
	setText(team, ['checkIns', checkInId, 'notes'], notes);
	return OK;
}

export function addAction(
	team: Team,
	checkInId: string,
	actionId: string,
	text: string,
	owner: PersonKey | null,
	now = Date.now()
): Result {
	const checkIn = team.checkIns[checkInId];
	const clean = text.replace(/\s+/g, ' ').trim().slice(0, ACTION_MAX);
	if (!checkIn) return refuse(msg.noSuchCheckIn);
	if (!clean) return refuse(msg.sayAgreed);
	if (owner !== null && !isActive(team, owner)) return refuse(msg.ownerNotIn(nameOf(team, owner)));
	if (checkIn.actions[actionId]) return refuse(msg.actionExists);
	checkIn.actions[actionId] = { text: clean, owner, done: false, createdAt: now };
	return OK;
}

export function setActionDone(team: Team, checkInId: string, actionId: string, done: boolean): Result {
	const action = team.checkIns[checkInId]?.actions[actionId];
	if (!action) return refuse(msg.noSuchAction);
	if (action.done !== done) action.done = done;
	return OK;
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

export function isActive(team: Team, person: PersonKey): boolean {
	const m = team.members[person];
	return !!m && m.leftAt === null;
}

/** The Team Owner, or an active member they named to speak for them. */
export function speaksForOwner(team: Team, person: PersonKey): boolean {
	return person === team.owner || (isActive(team, person) && team.members[person]?.representative === true);
}

/** The name the team sees for a person, or a neutral stand-in. */
export function nameOf(team: Team, person: PersonKey): string {
	return team.members[person]?.name || words.messages.model.common.someone;
}

/** Members still in the team: the Team Owner first, then in the order they joined. */
export function activeMembers(team: Team): Array<{ person: PersonKey } & TeamMember> {
	return Object.entries(team.members)
		.filter(([, m]) => m.leftAt === null)
		.map(([person, m]) => ({ person: person as PersonKey, ...m }))
		.sort((a, b) => Number(b.person === team.owner) - Number(a.person === team.owner) || a.joinedAt - b.joinedAt);
}

/** Members taken out of the team by someone else, most recent first (for "Bea was removed on …"). */
export function removedMembers(team: Team): Array<{ person: PersonKey; name: string; by: PersonKey; at: number }> {
	return Object.entries(team.members)
		.filter(([, m]) => m.removedBy !== undefined && m.leftAt !== null)
		.map(([person, m]) => ({ person: person as PersonKey, name: m.name, by: m.removedBy!, at: m.leftAt! }))
		.sort((a, b) => b.at - a.at || a.person.localeCompare(b.person));
}

/** If a hat is free because the person wearing it (or offered it) was removed: who, by whom, when. */
export function hatEnding(hat: Hat): { person: PersonKey; by: PersonKey; at: number } | undefined {
	const last = hat.history[hat.history.length - 1];
	if (hat.status !== 'handed-over' || last?.event !== 'ended') return undefined;
	return { person: last.person, by: last.by, at: last.at };
}

/** Whether a person wears or has been offered a hat (what they hand over when leaving). */
function holds(hat: Hat, person: PersonKey): boolean {
	return hat.wearer === person && (hat.status === 'worn' || hat.status === 'nominated');
}

/** Nobody wears it and nobody has been asked (or the person asked has left). */
function isVacant(team: Team, hat: Hat): boolean {
	if (hat.status === 'declined' || hat.status === 'handed-over' || hat.wearer === null) return true;
	return !isActive(team, hat.wearer);
}

export type HatView = { id: string } & Hat;

const byTitle = (a: HatView, b: HatView) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id);

function hatList(team: Team): HatView[] {
	return Object.entries(team.hats).map(([id, hat]) => ({ id, ...hat }));
}

/** The hats a person wears (accepted), for everyone in the team to see. */
export function hatsOf(team: Team, person: PersonKey): HatView[] {
	return hatList(team).filter((h) => h.status === 'worn' && h.wearer === person).sort(byTitle);
}

/** Nominations waiting for this person's answer. */
export function nominationsFor(team: Team, person: PersonKey): HatView[] {
	return hatList(team).filter((h) => h.status === 'nominated' && h.wearer === person).sort(byTitle);
}

/** Hats nobody wears or has been asked to: declined, handed back, or their nominee has left. */
export function vacantHats(team: Team): HatView[] {
	return hatList(team).filter((h) => isVacant(team, h)).sort(byTitle);
}

/** Worn hats whose review date is today or past, soonest first. */
export function hatsDueForReview(team: Team, today: IsoDate): HatView[] {
	return hatList(team)
		.filter((h) => h.status === 'worn' && h.reviewDate !== null && h.reviewDate <= today)
		.sort((a, b) => (a.reviewDate! < b.reviewDate! ? -1 : a.reviewDate! > b.reviewDate! ? 1 : byTitle(a, b)));
}

export type TrialStatus =
	| { kind: 'not-a-member' }
	| { kind: 'no-trial' }
	| { kind: 'on-trial'; sessionsAgreed: 1 | 2 | 3; sessionsDone: number; readyToDecide: boolean }
	| { kind: 'continuing'; sessionsAgreed: 1 | 2 | 3; sessionsDone: number }
	| { kind: 'ended'; sessionsAgreed: 1 | 2 | 3; sessionsDone: number };

export function trialStatus(team: Team, person: PersonKey): TrialStatus {
	const member = team.members[person];
	if (!member) return { kind: 'not-a-member' };
	if (!member.trial) return { kind: 'no-trial' };
	const { sessionsAgreed, outcome } = member.trial;
	const sessionsDone = Object.keys(member.trial.sessions).length;
	if (outcome === null) return { kind: 'on-trial', sessionsAgreed, sessionsDone, readyToDecide: sessionsDone >= sessionsAgreed };
	return { kind: outcome, sessionsAgreed, sessionsDone };
}

export type CheckInView = { id: string } & CheckIn;

/** Check-ins, most recent first. */
export function checkIns(team: Team): CheckInView[] {
	return Object.entries(team.checkIns)
		.map(([id, c]) => ({ id, ...c }))
		.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.createdAt - a.createdAt));
}

/** Agreed actions not yet done, oldest first; only one person's when `owner` is given. */
export function openActions(team: Team, owner?: PersonKey): Array<{ checkInId: string; actionId: string } & AgreedAction> {
	const out: Array<{ checkInId: string; actionId: string } & AgreedAction> = [];
	for (const [checkInId, c] of Object.entries(team.checkIns)) {
		for (const [actionId, a] of Object.entries(c.actions)) {
			if (!a.done && (owner === undefined || a.owner === owner)) out.push({ checkInId, actionId, ...a });
		}
	}
	return out.sort((a, b) => a.createdAt - b.createdAt || a.actionId.localeCompare(b.actionId));
}
