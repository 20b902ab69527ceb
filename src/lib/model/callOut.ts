// A call-out: a Team Starter or Team Owner asks a Local Circle for support. It lives in the
// circle's space (readable by its members only) and says only what the Owner agreed to
// share: the needs, a rough area (never an address), the times, the qualities wanted and the
// kind of relationship hoped for. Workers express interest; the poster chooses whom to invite
// to a trial, which makes a real invitation to the team's private space. The invitation link
// is sealed to the chosen person's devices (see `$lib/keys/personSeal.ts`), so other circle
// members reading this document cannot use it.
//
// Sealing hides the link but does not say who sealed it: anyone who can write this document
// could seal a link to some other space to the same devices. So the call-out is signed by its
// poster's device when posted (`posted`), and each invitation by the poster's device over the
// call-out, the person, the invitation and every sealed copy (`signed`); the invited person's
// device opens only an invitation that checks out (`invitationAuthorship`).
import { words } from '$lib/words';
import { authorship, signFields, type Authorship, type Signature } from './authorship';
import type { DeviceCheck, SigningDevice } from './mar';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { cleanName } from './space';
import {
	approximate,
	isGeoPoint,
	isSkill,
	isSlotKey,
	isSupportKind,
	isSurrounding,
	type GeoPoint,
	type SkillKey,
	type SlotKey,
	type SupportKindKey,
	type SurroundingKey
} from './givingProfile';
import { emptyNeeds, wordsOf, type TeamNeeds } from './matching';

const msg = words.messages.model.callOut;

export const RELATIONSHIPS = words.support.relationships;
export type RelationshipKind = keyof typeof RELATIONSHIPS;
export const isRelationship = (v: unknown): v is RelationshipKind => typeof v === 'string' && Object.hasOwn(RELATIONSHIPS, v);

export type Interest = {
	name: string;
	note: string;
	at: number;
	/** The person's Giving Support profile copy in this circle, if they shared one. */
	profileDoc: string | null;
	withdrawn: boolean;
};

export type TrialInvitation = {
	inviteId: string;
	by: PersonKey;
	at: number;
	/** The invitation link's fragment, sealed to each of the person's devices (device key → sealed, base64url). */
	sealed: Record<string, string>;
	/** The poster's device signature (see `invitationFields`); absent on invitations made before. */
	signed?: Signature;
};

export type CallOut = {
	kind: 'call-out';
	/** The team's private space: the trial invitation is to it. Only the circle reads this. */
	team: string;
	postedBy: PersonKey;
	posterName: string;
	title: string;
	/** What the Owner agreed to share about themselves and the support. */
	about: string;
	skills: Partial<Record<SkillKey, true>>;
	supportKinds: Partial<Record<SupportKindKey, true>>;
	surroundings: Partial<Record<SurroundingKey, true>>;
	slots: Partial<Record<SlotKey, true>>;
	timesNote: string;
	/** Approximate area only. */
	area: string;
	location: GeoPoint | null;
	budgetPence: number | null;
	languages: Record<string, string>;
	driverWanted: boolean;
	home: { pets: boolean; heavyLifting: boolean; smoking: boolean; overnight: boolean };
	qualities: string;
	relationship: RelationshipKind;
	status: 'open' | 'closed';
	postedAt: number;
	/** By person: each person writes only their own. */
	interests: Record<string, Interest>;
	/** By person invited. */
	invitations: Record<string, TrialInvitation>;
	/** The poster's device signature over who posted it, for which team, when (absent on older call-outs). */
	posted?: Signature;
};

const POSTED_TAG = 'hearth/call-out/v1';
const INVITATION_TAG = 'hearth/trial-invitation/v1';

const postedFields = (c: Pick<CallOut, 'team' | 'postedBy' | 'postedAt'>) => [c.team, c.postedBy, c.postedAt];

/** The call-out it belongs to, the person invited, the invitation, and each sealed copy by device. */
function invitationFields(c: Pick<CallOut, 'team' | 'postedBy' | 'postedAt'>, person: string, i: Omit<TrialInvitation, 'signed'>) {
	const sealed = Object.entries(i.sealed).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return [...postedFields(c), person, i.inviteId, i.by, i.at, sealed.length, ...sealed.flat()];
}

export type CallOutInput = {
	title: string;
	about: string;
	skills: SkillKey[];
	supportKinds: SupportKindKey[];
	surroundings: SurroundingKey[];
	slots: SlotKey[];
	timesNote: string;
	area: string;
	location: GeoPoint | null;
	budgetPence: number | null;
	languages: string[];
	driverWanted: boolean;
	home: { pets: boolean; heavyLifting: boolean; smoking: boolean; overnight: boolean };
	qualities: string;
	relationship: RelationshipKind;
};

const TEXT_MAX = 2000;
const oneLine = (s: string, max = 120) => (s ?? '').replace(/\s+/g, ' ').trim().slice(0, max);
const text = (s: string) => (s ?? '').trim().slice(0, TEXT_MAX);
const setOf = <K extends string>(list: readonly unknown[], guard: (v: unknown) => v is K) => {
	const out: Partial<Record<K, true>> = {};
	for (const k of list) if (guard(k)) out[k] = true;
	return out;
};

/**
 * A new call-out, or a plain reason it cannot be posted yet. The location is rounded to a
 * few kilometres here, whatever the app passed, so a call-out never points at a home.
 */
export function newCallOut(
	input: CallOutInput,
	by: PersonKey,
	posterName: string,
	team: string,
	now = Date.now(),
	device?: SigningDevice
): { ok: true; callOut: CallOut } | { ok: false; error: string } {
	const title = oneLine(input.title);
	if (!title) return { ok: false, error: msg.noTitle };
	if (!oneLine(input.area)) return { ok: false, error: msg.noArea };
	if (input.slots.filter(isSlotKey).length === 0 && !input.timesNote.trim()) {
		return { ok: false, error: msg.noTimes };
	}
	if (input.budgetPence !== null && (!Number.isInteger(input.budgetPence) || input.budgetPence <= 0 || input.budgetPence > 20_000)) {
		return { ok: false, error: msg.badBudget };
	}
	if (input.location !== null && !isGeoPoint(input.location)) return { ok: false, error: msg.notOnMap };
	if (!isRelationship(input.relationship)) return { ok: false, error: msg.noRelationship };
	const languages: Record<string, string> = {};
	for (const l of input.languages) {
		const clean = oneLine(l, 60);
		if (clean) languages[clean.toLowerCase()] = clean;
	}
	const posted = device && signFields(device, POSTED_TAG, postedFields({ team, postedBy: by, postedAt: now }));
	return {
		ok: true,
		callOut: {
			...(posted ? { posted } : {}),
			kind: 'call-out',
			team,
			postedBy: by,
			posterName: cleanName(posterName),
			title,
			about: text(input.about),
			skills: setOf(input.skills, isSkill),
			supportKinds: setOf(input.supportKinds, isSupportKind),
			surroundings: setOf(input.surroundings, isSurrounding),
			slots: setOf(input.slots, isSlotKey),
			timesNote: oneLine(input.timesNote, 300),
			area: oneLine(input.area),
			// Two decimal places is about a kilometre; one is a few miles: enough for distances.
			location: input.location === null ? null : approximate(input.location, 1),
			budgetPence: input.budgetPence,
			languages,
			driverWanted: input.driverWanted === true,
			home: {
				pets: input.home.pets === true,
				heavyLifting: input.home.heavyLifting === true,
				smoking: input.home.smoking === true,
				overnight: input.home.overnight === true
			},
			qualities: text(input.qualities),
			relationship: input.relationship,
			status: 'open',
			postedAt: now,
			interests: {},
			invitations: {}
		}
	};
}

export function isCallOut(doc: unknown): doc is CallOut {
	const d = doc as CallOut;
	return (
		typeof d === 'object' && d !== null && d.kind === 'call-out' && typeof d.postedBy === 'string' && typeof d.team === 'string' &&
		typeof d.interests === 'object' && d.interests !== null && typeof d.invitations === 'object' && d.invitations !== null
	);
}

/** The call-out's needs, for ranking the people who answered it (or searching the directory). */
export function callOutNeeds(c: CallOut): TeamNeeds {
	return {
		...emptyNeeds(),
		skills: Object.keys(c.skills) as SkillKey[],
		supportKinds: Object.keys(c.supportKinds) as SupportKindKey[],
		surroundings: Object.keys(c.surroundings) as SurroundingKey[],
		slots: Object.keys(c.slots) as SlotKey[],
		location: c.location ? { lat: c.location.lat, lon: c.location.lon } : null,
		area: c.area,
		budgetPence: c.budgetPence,
		languages: Object.values(c.languages),
		approachWords: wordsOf(c.qualities).filter((w) => w.length > 3).slice(0, 12),
		driverWanted: c.driverWanted,
		home: { ...c.home }
	};
}

// changes (inside handle.change on the call-out)

export function expressInterest(
	c: CallOut,
	person: PersonKey,
	input: { name: string; note: string; profileDoc: string | null },
	now = Date.now()
): Result {
	if (c.status !== 'open') return refuse(msg.closed);
	if (person === c.postedBy) return refuse(msg.yourOwn);
	const name = cleanName(input.name);
	if (!name) return refuse(msg.addYourName);
	const existing = c.interests[person];
	if (existing) {
		if (existing.name !== name) existing.name = name;
		if (existing.note !== text(input.note)) existing.note = text(input.note);
		if (existing.profileDoc !== input.profileDoc) existing.profileDoc = input.profileDoc;
		if (existing.withdrawn) existing.withdrawn = false;
		existing.at = now;
		return OK;
	}
	c.interests[person] = { name, note: text(input.note), at: now, profileDoc: input.profileDoc, withdrawn: false };
	return OK;
}

export function withdrawInterest(c: CallOut, person: PersonKey, now = Date.now()): Result {
	const existing = c.interests[person];
	if (!existing || existing.withdrawn) return OK;
	existing.withdrawn = true;
	existing.at = now;
	return OK;
}

/** The poster records a trial invitation for someone who expressed interest. */
export function recordTrialInvitation(
	c: CallOut,
	by: PersonKey,
	person: PersonKey,
	invitation: Omit<TrialInvitation, 'by' | 'signed'>,
	device?: SigningDevice
): Result {
	if (by !== c.postedBy) return refuse(msg.onlyPosterInvites);
	const interest = c.interests[person];
	if (!interest || interest.withdrawn) return refuse(msg.notInterested);
	if (c.invitations[person]) return refuse(msg.alreadyInvited);
	if (Object.keys(invitation.sealed).length === 0) return refuse(msg.noDevices);
	const recorded: TrialInvitation = { inviteId: invitation.inviteId, by, at: invitation.at, sealed: { ...invitation.sealed } };
	if (device) recorded.signed = signFields(device, INVITATION_TAG, invitationFields(c, person, recorded));
	c.invitations[person] = recorded;
	return OK;
}

/** Whether the call-out is as its poster posted it (who, for which team, when). Needs `await cryptoReady()`. */
export function callOutAuthorship(c: CallOut, isAuthorDevice?: DeviceCheck): Authorship {
	return authorship(c.posted, POSTED_TAG, postedFields(c), c.postedBy, isAuthorDevice);
}

/**
 * Whether the invitation for `person` is as the poster made it: signed by one of the poster's
 * devices over this call-out, the person, the invitation and every sealed copy (so a link
 * swapped for one to another space, or an invitation written by anyone else, is 'altered');
 * 'unsigned' for one made before invitations were signed. A signed call-out whose post no
 * longer checks out (its team or poster rewritten) makes its invitations altered too.
 * Undefined when there is none. Needs `await cryptoReady()`.
 */
export function invitationAuthorship(c: CallOut, person: PersonKey, isAuthorDevice?: DeviceCheck): Authorship | undefined {
	const i = c.invitations[person];
	if (!i) return undefined;
	if (i.by !== c.postedBy || callOutAuthorship(c, isAuthorDevice) === 'altered') return 'altered';
	const { signed, ...rest } = i;
	return authorship(signed, INVITATION_TAG, invitationFields(c, person, rest), i.by, isAuthorDevice);
}

export function closeCallOut(c: CallOut, by: PersonKey): Result {
	if (by !== c.postedBy) return refuse(msg.onlyPosterCloses);
	if (c.status !== 'closed') c.status = 'closed';
	return OK;
}

export function reopenCallOut(c: CallOut, by: PersonKey): Result {
	if (by !== c.postedBy) return refuse(msg.onlyPosterReopens);
	if (c.status !== 'open') c.status = 'open';
	return OK;
}

// selectors

export type InterestView = Interest & { person: PersonKey; invited: boolean };

export function interestList(c: CallOut): InterestView[] {
	return Object.entries(c.interests)
		.filter(([, i]) => !i.withdrawn)
		.map(([person, i]) => ({ ...i, person: person as PersonKey, invited: !!c.invitations[person] }))
		.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
}

export function isInterested(c: CallOut, person: PersonKey): boolean {
	const i = c.interests[person];
	return !!i && !i.withdrawn;
}
