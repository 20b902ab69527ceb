// The Giving Support Profile: someone offering support, in their own voice. The person keeps
// one **master** document in a private space of their own (only their devices hold its key),
// and chooses which Local Circles see it. Sharing with a circle means a **copy** of the
// profile written into that circle's space, so it is encrypted to that circle's key and read
// only by its members; un-sharing empties the copy and marks it withdrawn (a document cannot
// be taken back from someone who already read it, so the app says so). The master records
// where each copy lives, so the person's other devices keep the copies up to date too.
//
// Everything here is pure: no Svelte, no keys, no I/O.
import { words } from '$lib/words';
import { isIsoDate, isWeekday, type IsoDate, type Weekday } from './calendar';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { cleanName } from './space';

const msg = words.messages.model.givingProfile;

// ── vocabularies ─────────────────────────────────────────────────────────────────────────

/** Expertise a Team Owner may look for. How each reads in a reason is in `words.messages.model.matching`. */
export const SKILLS = words.support.skills;
export type SkillKey = keyof typeof SKILLS;

/** The kinds of support someone offers. */
export const SUPPORT_KINDS = words.support.supportKinds;
export type SupportKindKey = keyof typeof SUPPORT_KINDS;

/** Things around the home someone is happy to do. */
export const SURROUNDINGS = words.support.surroundings;
export type SurroundingKey = keyof typeof SURROUNDINGS;

/** Preferences for support: things the person would rather not be asked to do. */
export const PREFERENCES = words.support.preferences;
export type PreferenceKey = keyof typeof PREFERENCES;

/** Parts of the day for availability: plain words people use, not exact times. */
export const DAY_PARTS = words.support.dayParts;
export type DayPart = keyof typeof DAY_PARTS;
export const DAY_PART_KEYS = Object.keys(DAY_PARTS) as DayPart[];

export const WEEKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5, 6, 7];

/** A weekly slot of availability, `${weekday}-${part}` ('2-morning' is Tuesday mornings). */
export type SlotKey = `${Weekday}-${DayPart}`;

export function slotKey(day: Weekday, part: DayPart): SlotKey {
	return `${day}-${part}`;
}

export function isSlotKey(value: unknown): value is SlotKey {
	if (typeof value !== 'string') return false;
	const [day, part] = value.split('-');
	return isWeekday(Number(day)) && (DAY_PART_KEYS as string[]).includes(part) && value === `${Number(day)}-${part}`;
}

export function parseSlot(slot: SlotKey): { day: Weekday; part: DayPart } {
	const [day, part] = slot.split('-');
	return { day: Number(day) as Weekday, part: part as DayPart };
}

export const isSkill = (v: unknown): v is SkillKey => typeof v === 'string' && Object.hasOwn(SKILLS, v);
export const isSupportKind = (v: unknown): v is SupportKindKey => typeof v === 'string' && Object.hasOwn(SUPPORT_KINDS, v);
export const isSurrounding = (v: unknown): v is SurroundingKey => typeof v === 'string' && Object.hasOwn(SURROUNDINGS, v);
export const isPreference = (v: unknown): v is PreferenceKey => typeof v === 'string' && Object.hasOwn(PREFERENCES, v);

// ── the profile's content ────────────────────────────────────────────────────────────────

/**
 * A rough location, for distances only. Stored rounded (see `approximate`) so a profile never
 * pinpoints anyone's front door.
 */
export type GeoPoint = { lat: number; lon: number };

export type Qualification = {
	title: string;
	/** The skill it is about, if any: accredited training counts towards that skill's reason. */
	skill: SkillKey | null;
	accredited: boolean;
	/** When it was gained (or last refreshed). */
	date: IsoDate | null;
};

/**
 * What a profile says, section by section. Sets are maps key → true so two devices adding
 * different skills offline both keep theirs.
 */
export type GivingProfileContent = {
	name: string;
	// A bit about me
	aboutMe: string;
	area: string;
	location: GeoPoint | null;
	driver: boolean;
	supportKinds: Partial<Record<SupportKindKey, true>>;
	independent: boolean;
	/** Whole pence per hour; only for independent workers. */
	hourlyRatePence: number | null;
	// Experience, expertise and skills
	experience: string;
	skills: Partial<Record<SkillKey, true>>;
	otherSkills: string;
	// Qualifications and training, by random id
	qualifications: Record<string, Qualification>;
	wellbeing: string;
	relationships: string;
	surroundings: Partial<Record<SurroundingKey, true>>;
	surroundingsNote: string;
	important: string;
	approach: string;
	preferences: Partial<Record<PreferenceKey, true>>;
	preferencesNote: string;
	supportingMe: string;
	// Travel, money and time
	travelMiles: number | null;
	availability: Partial<Record<SlotKey, true>>;
	moneyAndTime: string;
	/** Languages spoken, by lower-case name → how the person wrote it. */
	languages: Record<string, string>;
};

/** The sections of the profile, in order, for the editor and for reading a profile. */
export const GIVING_SECTIONS = [
	{ key: 'aboutMe', title: 'A bit about me' },
	{ key: 'experience', title: 'Experience' },
	{ key: 'skills', title: 'Expertise and skills' },
	{ key: 'qualifications', title: 'Qualifications and training' },
	{ key: 'wellbeing', title: 'Physical and mental wellbeing support I offer' },
	{ key: 'relationships', title: 'Relationships and community' },
	{ key: 'surroundings', title: 'Surroundings' },
	{ key: 'important', title: 'What’s important to me' },
	{ key: 'approach', title: 'My support approach' },
	{ key: 'preferences', title: 'Preferences for support' },
	{ key: 'supportingMe', title: 'Supporting me' },
	{ key: 'travel', title: 'Travel' },
	{ key: 'moneyAndTime', title: 'Money and time' },
	{ key: 'languages', title: 'Languages' }
] as const;

export const TEXT_MAX = 4000;
export const SHORT_MAX = 120;
/** £200 an hour: anything above is almost certainly a typing slip (pence instead of pounds). */
export const RATE_MAX_PENCE = 20_000;
export const TRAVEL_MAX_MILES = 500;

export function emptyProfileContent(name = ''): GivingProfileContent {
	return {
		name: cleanName(name),
		aboutMe: '',
		area: '',
		location: null,
		driver: false,
		supportKinds: {},
		independent: false,
		hourlyRatePence: null,
		experience: '',
		skills: {},
		otherSkills: '',
		qualifications: {},
		wellbeing: '',
		relationships: '',
		surroundings: {},
		surroundingsNote: '',
		important: '',
		approach: '',
		preferences: {},
		preferencesNote: '',
		supportingMe: '',
		travelMiles: null,
		availability: {},
		moneyAndTime: '',
		languages: {}
	};
}

/** Rounds a location to about a kilometre (two decimal places), so it says roughly where, never exactly. */
export function approximate(point: GeoPoint, places = 2): GeoPoint {
	const f = 10 ** places;
	return { lat: Math.round(point.lat * f) / f, lon: Math.round(point.lon * f) / f };
}

export function isGeoPoint(v: unknown): v is GeoPoint {
	const p = v as GeoPoint;
	return (
		typeof p === 'object' && p !== null && Number.isFinite(p.lat) && Number.isFinite(p.lon) &&
		Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180
	);
}

const oneLine = (s: string, max = SHORT_MAX) => (s ?? '').replace(/\s+/g, ' ').trim().slice(0, max);
const longText = (s: string) => (s ?? '').replace(/\r\n/g, '\n').trim().slice(0, TEXT_MAX);

/**
 * Checks and tidies what the person typed. Returns a plain reason for the first thing that
 * is wrong, and nothing is saved then; otherwise a clean copy ready to store.
 */
export function cleanProfileContent(input: GivingProfileContent): { ok: true; content: GivingProfileContent } | { ok: false; error: string } {
	const name = cleanName(input.name);
	if (!name) return { ok: false, error: msg.addYourName };
	const rate = input.hourlyRatePence;
	if (rate !== null && (!Number.isInteger(rate) || rate <= 0 || rate > RATE_MAX_PENCE)) {
		return { ok: false, error: msg.badRate };
	}
	const travel = input.travelMiles;
	if (travel !== null && (!Number.isFinite(travel) || travel < 0 || travel > TRAVEL_MAX_MILES)) {
		return { ok: false, error: msg.badTravel(TRAVEL_MAX_MILES) };
	}
	if (input.location !== null && !isGeoPoint(input.location)) {
		return { ok: false, error: msg.notOnMap };
	}
	const qualifications: Record<string, Qualification> = {};
	for (const [id, q] of Object.entries(input.qualifications ?? {})) {
		const title = oneLine(q.title, 200);
		if (!title) continue;
		if (q.date !== null && !isIsoDate(q.date)) return { ok: false, error: msg.badDate(title) };
		qualifications[id] = { title, skill: isSkill(q.skill) ? q.skill : null, accredited: q.accredited === true, date: q.date };
	}
	const languages: Record<string, string> = {};
	for (const written of Object.values(input.languages ?? {})) {
		const clean = oneLine(written, 60);
		if (clean) languages[clean.toLowerCase()] = clean;
	}
	const only = <K extends string>(set: Partial<Record<string, true>>, guard: (v: unknown) => v is K) => {
		const out: Partial<Record<K, true>> = {};
		for (const k of Object.keys(set ?? {})) if (guard(k) && set[k]) out[k] = true;
		return out;
	};
	return {
		ok: true,
		content: {
			name,
			aboutMe: longText(input.aboutMe),
			area: oneLine(input.area),
			location: input.location === null ? null : approximate(input.location),
			driver: input.driver === true,
			supportKinds: only(input.supportKinds, isSupportKind),
			independent: input.independent === true,
			// A rate is only shown for independent workers; employed workers are paid by their employer.
			hourlyRatePence: input.independent ? rate : null,
			experience: longText(input.experience),
			skills: only(input.skills, isSkill),
			otherSkills: oneLine(input.otherSkills, 500),
			qualifications,
			wellbeing: longText(input.wellbeing),
			relationships: longText(input.relationships),
			surroundings: only(input.surroundings, isSurrounding),
			surroundingsNote: longText(input.surroundingsNote),
			important: longText(input.important),
			approach: longText(input.approach),
			preferences: only(input.preferences, isPreference),
			preferencesNote: longText(input.preferencesNote),
			supportingMe: longText(input.supportingMe),
			travelMiles: travel,
			availability: only(input.availability, isSlotKey),
			moneyAndTime: longText(input.moneyAndTime),
			languages
		}
	};
}

/**
 * Writes `source` into `target` with the smallest change: only values that differ are set,
 * map keys that went are deleted and new ones added. Used for the master and for each copy,
 * so an update sends a few bytes rather than the whole profile again.
 */
export function writeContent(target: Record<string, unknown>, source: Record<string, unknown>): void {
	for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
	for (const [key, value] of Object.entries(source)) {
		const current = target[key];
		if (isPlainObject(value) && isPlainObject(current)) writeContent(current, value);
		else if (isPlainObject(value)) target[key] = plainCopy(value);
		else if (current !== value) target[key] = value;
	}
}

/** A plain copy of JSON-like content (documents read from another handle are frozen). */
export function plainCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ── the master document (the person's own space) ─────────────────────────────────────────

export type ProfileShare = {
	/** The copy's document id in the circle's space. */
	doc: string;
	/** False once un-shared: the copy is emptied and kept, so sharing again reuses it. */
	active: boolean;
	at: number;
};

export type GivingProfile = {
	kind: 'giving-profile';
	person: PersonKey;
	profile: GivingProfileContent;
	/** Where copies live, by the Local Circle's space id. */
	shares: Record<string, ProfileShare>;
	createdAt: number;
	updatedAt: number;
};

export function newGivingProfile(person: PersonKey, name: string, now = Date.now()): GivingProfile {
	return { kind: 'giving-profile', person, profile: emptyProfileContent(name), shares: {}, createdAt: now, updatedAt: now };
}

export function isGivingProfile(doc: unknown): doc is GivingProfile {
	const d = doc as GivingProfile;
	return typeof d === 'object' && d !== null && d.kind === 'giving-profile' && typeof d.person === 'string' && isPlainObject(d.profile) && isPlainObject(d.shares);
}

/** The person saves their profile. Refused (and nothing changed) if something typed is not right. */
export function updateGivingProfile(doc: GivingProfile, by: PersonKey, input: GivingProfileContent, now = Date.now()): Result {
	if (by !== doc.person) return refuse(msg.onlyPersonChanges);
	const cleaned = cleanProfileContent(input);
	if (!cleaned.ok) return refuse(cleaned.error);
	writeContent(doc.profile as unknown as Record<string, unknown>, cleaned.content as unknown as Record<string, unknown>);
	doc.updatedAt = now;
	return OK;
}

export function recordShare(doc: GivingProfile, by: PersonKey, circle: string, copyDoc: string, now = Date.now()): Result {
	if (by !== doc.person) return refuse(msg.onlyPersonShares);
	const existing = doc.shares[circle];
	if (existing && existing.doc !== copyDoc && existing.active) return refuse(msg.alreadyShared);
	if (existing && existing.doc === copyDoc) {
		if (!existing.active) existing.active = true;
		existing.at = now;
	} else {
		doc.shares[circle] = { doc: copyDoc, active: true, at: now };
	}
	return OK;
}

export function recordUnshare(doc: GivingProfile, by: PersonKey, circle: string, now = Date.now()): Result {
	if (by !== doc.person) return refuse(msg.onlyPersonShares);
	const existing = doc.shares[circle];
	if (!existing || !existing.active) return OK;
	existing.active = false;
	existing.at = now;
	return OK;
}

/** Circles (space ids) that currently see the profile. */
export function sharedWith(doc: GivingProfile): string[] {
	return Object.entries(doc.shares)
		.filter(([, s]) => s.active)
		.map(([circle]) => circle)
		.sort();
}

// ── a shared copy (a Local Circle's space) ───────────────────────────────────────────────

export type SharedGivingProfile = {
	kind: 'shared-giving-profile';
	person: PersonKey;
	/** Null once withdrawn: the person stopped sharing with this circle. */
	profile: GivingProfileContent | null;
	withdrawn: boolean;
	updatedAt: number;
};

export function newSharedCopy(master: GivingProfile, now = Date.now()): SharedGivingProfile {
	return { kind: 'shared-giving-profile', person: master.person, profile: plainCopy(master.profile), withdrawn: false, updatedAt: now };
}

export function isSharedGivingProfile(doc: unknown): doc is SharedGivingProfile {
	const d = doc as SharedGivingProfile;
	return typeof d === 'object' && d !== null && d.kind === 'shared-giving-profile' && typeof d.person === 'string' && typeof d.withdrawn === 'boolean';
}

/** Brings a copy up to date with the master (and back into view, if it had been withdrawn). */
export function refreshCopy(copy: SharedGivingProfile, master: GivingProfile, now = Date.now()): void {
	if (copy.person !== master.person) return;
	if (copy.profile === null) copy.profile = plainCopy(master.profile);
	else writeContent(copy.profile as unknown as Record<string, unknown>, master.profile as unknown as Record<string, unknown>);
	if (copy.withdrawn) copy.withdrawn = false;
	copy.updatedAt = now;
}

/**
 * Un-sharing: the copy is emptied, so nothing more reaches the circle and members' devices
 * drop what they had on their next sync. Anyone who read it before keeps what they read.
 */
export function withdrawCopy(copy: SharedGivingProfile, now = Date.now()): void {
	if (copy.withdrawn && copy.profile === null) return;
	copy.profile = null;
	copy.withdrawn = true;
	copy.updatedAt = now;
}

/** The profile a copy shows, or nothing if it was withdrawn. */
export function visibleProfile(copy: SharedGivingProfile): GivingProfileContent | null {
	return copy.withdrawn ? null : copy.profile;
}

// ── reading ──────────────────────────────────────────────────────────────────────────────

export function formatPence(pence: number): string {
	return `£${(pence / 100).toFixed(2)}`;
}

/** "£14.50" → 1450; empty → null; anything else → undefined (not a price). */
export function parsePounds(text: string): number | null | undefined {
	const t = text.trim().replace(/^£/, '');
	if (!t) return null;
	if (!/^\d{1,4}(\.\d{1,2})?$/.test(t)) return undefined;
	return Math.round(Number(t) * 100);
}

export function skillList(content: GivingProfileContent): SkillKey[] {
	return (Object.keys(SKILLS) as SkillKey[]).filter((k) => content.skills[k]);
}

export function qualificationList(content: GivingProfileContent): Array<Qualification & { id: string }> {
	return Object.entries(content.qualifications)
		.map(([id, q]) => ({ id, ...q }))
		.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.title.localeCompare(b.title));
}
