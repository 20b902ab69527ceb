// Directory search and ranking, on the device, over the Giving Support profiles it can
// decrypt. Filters are hard ("must know dementia care", "within 5 miles"); ranking scores
// fit against a team's needs and says why, in plain words, with what does not fit as well.
//
// Built for thousands of profiles per query: `prepareDirectory` turns each profile into
// bitmasks and numbers once, a query is one pass over those, and reasons are written only
// for the results shown. Pure: no Svelte, no I/O.
import { words } from '$lib/words';
import type { Weekday } from './calendar';
import type { PersonKey } from './ids';
import {
	DAY_PART_KEYS,
	PREFERENCES,
	SKILLS,
	SUPPORT_KINDS,
	SURROUNDINGS,
	formatPence,
	parseSlot,
	type DayPart,
	type GeoPoint,
	type GivingProfileContent,
	type PreferenceKey,
	type SkillKey,
	type SlotKey,
	type SupportKindKey,
	type SurroundingKey
} from './givingProfile';

const msg = words.messages.model.matching;

/** What a team hopes for: the call-out's needs, or what the Owner types into the directory. */
export type TeamNeeds = {
	skills: SkillKey[];
	supportKinds: SupportKindKey[];
	slots: SlotKey[];
	/** Roughly where support happens (rounded); distances are measured from here. */
	location: GeoPoint | null;
	area: string;
	/** The most the team can pay an hour, in pence. */
	budgetPence: number | null;
	languages: string[];
	/** Words the team hopes to see in someone's support approach ("outdoors", "calm"). */
	approachWords: string[];
	driverWanted: boolean;
	surroundings: SurroundingKey[];
	/** Things about the home or the support that some people would rather avoid. */
	home: { pets: boolean; heavyLifting: boolean; smoking: boolean; overnight: boolean };
};

export function emptyNeeds(): TeamNeeds {
	return {
		skills: [], supportKinds: [], slots: [], location: null, area: '', budgetPence: null, languages: [],
		approachWords: [], driverWanted: false, surroundings: [],
		home: { pets: false, heavyLifting: false, smoking: false, overnight: false }
	};
}

/** Hard filters: a profile that fails one is not shown at all. Unset means "any". */
export type DirectoryFilters = {
	/** Knows every one of these. */
	skills?: SkillKey[];
	/**
	 * Lives within this many miles of the needs' location (or, without locations, in the same
	 * area). Ignored when the needs give neither a location nor an area.
	 */
	withinMiles?: number | null;
	/** Free in at least one of these slots. */
	slots?: SlotKey[];
	/** Asks no more than this an hour (people without a rate, such as employed workers, pass). */
	maxRatePence?: number | null;
	/** Speaks at least one of these. */
	languages?: string[];
	/** Every word appears in their support approach or about-me. */
	approach?: string;
	/** Offers at least one of these kinds of support. */
	supportKinds?: SupportKindKey[];
	driver?: boolean;
};

export type DirectoryEntry = { id: string; person: PersonKey; profile: GivingProfileContent };

/** A profile turned into numbers once, so every query is cheap. */
export type Candidate = {
	entry: DirectoryEntry;
	skills: number;
	accreditedSkills: number;
	kinds: number;
	slots: number;
	surroundings: number;
	preferences: number;
	languages: Set<string>;
	/** Lower-case approach and about-me, for word search. */
	text: string;
	area: string;
	lat: number;
	lon: number;
	hasLocation: boolean;
	rate: number | null;
	travel: number | null;
	driver: boolean;
};

export type Match = {
	id: string;
	person: PersonKey;
	profile: GivingProfileContent;
	/** 0–100ish; only for ordering. */
	score: number;
	distanceMiles: number | null;
	/** Why they fit, most important first. */
	reasons: string[];
	/** What does not fit, so the Owner can weigh it (never hidden). */
	misses: string[];
};

export type SearchResult = { matches: Match[]; total: number };

const SKILL_KEYS = Object.keys(SKILLS) as SkillKey[];
const KIND_KEYS = Object.keys(SUPPORT_KINDS) as SupportKindKey[];
const SURROUNDING_KEYS = Object.keys(SURROUNDINGS) as SurroundingKey[];
const PREFERENCE_KEYS = Object.keys(PREFERENCES) as PreferenceKey[];

const bit = <K extends string>(keys: readonly K[], key: K) => {
	const i = keys.indexOf(key);
	return i < 0 ? 0 : 1 << i;
};
const maskOf = <K extends string>(keys: readonly K[], list: Iterable<K>) => {
	let m = 0;
	for (const k of list) m |= bit(keys, k);
	return m;
};
const keysOf = <K extends string>(set: Partial<Record<K, true>>) => Object.keys(set) as K[];

/** 28 weekly slots, one bit each: (day − 1) × 4 + part. */
export function slotBit(slot: SlotKey): number {
	const { day, part } = parseSlot(slot);
	return 1 << ((day - 1) * 4 + DAY_PART_KEYS.indexOf(part));
}

export function slotMask(slots: Iterable<SlotKey>): number {
	let m = 0;
	for (const s of slots) m |= slotBit(s);
	return m;
}

function popcount(n: number): number {
	n = n - ((n >>> 1) & 0x55555555);
	n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
	return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const RADIANS = Math.PI / 180;
const EARTH_MILES = 3958.8;

/** Great-circle distance in miles. */
export function milesBetween(a: GeoPoint, b: GeoPoint): number {
	return haversine(a.lat * RADIANS, a.lon * RADIANS, b.lat * RADIANS, b.lon * RADIANS);
}

function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
	const dLat = lat2 - lat1;
	const dLon = lon2 - lon1;
	const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) ** 2;
	return 2 * EARTH_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function prepareCandidate(entry: DirectoryEntry): Candidate {
	const p = entry.profile;
	let accredited = 0;
	for (const q of Object.values(p.qualifications)) if (q.accredited && q.skill) accredited |= bit(SKILL_KEYS, q.skill);
	return {
		entry,
		skills: maskOf(SKILL_KEYS, keysOf(p.skills)),
		accreditedSkills: accredited,
		kinds: maskOf(KIND_KEYS, keysOf(p.supportKinds)),
		slots: slotMask(keysOf(p.availability)),
		surroundings: maskOf(SURROUNDING_KEYS, keysOf(p.surroundings)),
		preferences: maskOf(PREFERENCE_KEYS, keysOf(p.preferences)),
		languages: new Set(Object.keys(p.languages)),
		text: `${p.approach}\n${p.aboutMe}`.toLowerCase(),
		area: p.area.trim().toLowerCase(),
		lat: (p.location?.lat ?? 0) * RADIANS,
		lon: (p.location?.lon ?? 0) * RADIANS,
		hasLocation: p.location !== null,
		rate: p.hourlyRatePence,
		travel: p.travelMiles,
		driver: p.driver
	};
}

export function prepareDirectory(entries: readonly DirectoryEntry[]): Candidate[] {
	return entries.map(prepareCandidate);
}

/** Words from what someone typed, lower case, without tiny words. */
export function wordsOf(text: string): string[] {
	return [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}'’-]+/u).filter((w) => w.length > 1))];
}

/** The needs and filters as numbers, worked out once per query. */
type PreparedQuery = {
	needs: TeamNeeds;
	skills: number;
	kinds: number;
	slots: number;
	surroundings: number;
	languages: string[];
	approachWords: string[];
	originLat: number;
	originLon: number;
	hasOrigin: boolean;
	area: string;
	f: {
		skills: number;
		withinMiles: number | null;
		slots: number;
		maxRate: number | null;
		languages: string[];
		approach: string[];
		kinds: number;
		driver: boolean;
	};
};

function prepareQuery(needs: TeamNeeds, filters: DirectoryFilters): PreparedQuery {
	return {
		needs,
		skills: maskOf(SKILL_KEYS, needs.skills),
		kinds: maskOf(KIND_KEYS, needs.supportKinds),
		slots: slotMask(needs.slots),
		surroundings: maskOf(SURROUNDING_KEYS, needs.surroundings),
		languages: needs.languages.map((l) => l.trim().toLowerCase()).filter(Boolean),
		approachWords: needs.approachWords.map((w) => w.toLowerCase()).filter(Boolean),
		originLat: (needs.location?.lat ?? 0) * RADIANS,
		originLon: (needs.location?.lon ?? 0) * RADIANS,
		hasOrigin: needs.location !== null,
		area: needs.area.trim().toLowerCase(),
		f: {
			skills: maskOf(SKILL_KEYS, filters.skills ?? []),
			withinMiles: filters.withinMiles ?? null,
			slots: slotMask(filters.slots ?? []),
			maxRate: filters.maxRatePence ?? null,
			languages: (filters.languages ?? []).map((l) => l.trim().toLowerCase()).filter(Boolean),
			approach: wordsOf(filters.approach ?? ''),
			kinds: maskOf(KIND_KEYS, filters.supportKinds ?? []),
			driver: filters.driver === true
		}
	};
}

function distanceOf(c: Candidate, q: PreparedQuery): number | null {
	return c.hasLocation && q.hasOrigin ? haversine(q.originLat, q.originLon, c.lat, c.lon) : null;
}

function passes(c: Candidate, q: PreparedQuery, distance: number | null): boolean {
	const f = q.f;
	if ((c.skills & f.skills) !== f.skills) return false;
	if (f.slots && !(c.slots & f.slots)) return false;
	if (f.kinds && !(c.kinds & f.kinds)) return false;
	if (f.driver && !c.driver) return false;
	if (f.maxRate !== null && c.rate !== null && c.rate > f.maxRate) return false;
	// A distance needs somewhere to measure from: a location, or at least an area in words.
	if (f.withinMiles !== null && (q.hasOrigin || q.area)) {
		if (distance !== null) {
			if (distance > f.withinMiles) return false;
		} else if (c.area !== q.area) return false;
	}
	if (f.languages.length && !f.languages.some((l) => c.languages.has(l))) return false;
	for (const w of f.approach) if (!c.text.includes(w)) return false;
	return true;
}

/** What a worker's own "no" (too far, no pets…) costs: more than any one thing they offer. */
const OUT_OF_BOUNDS = 30;

/** Travel limit assumed when someone has not said: most care work is local. */
const DEFAULT_TRAVEL_MILES = 10;

function scoreOf(c: Candidate, q: PreparedQuery, distance: number | null): number {
	let score = 0;
	const n = q.needs;
	if (q.skills) {
		score += (30 * popcount(c.skills & q.skills)) / popcount(q.skills);
		score += Math.min(6, 3 * popcount(c.accreditedSkills & q.skills & c.skills));
	}
	if (q.slots) score += (25 * popcount(c.slots & q.slots)) / popcount(q.slots);
	if (distance !== null) {
		const limit = c.travel ?? DEFAULT_TRAVEL_MILES;
		// Further than they said they travel is their "no", weighed like a preference.
		score += distance <= limit ? 20 * (1 - distance / Math.max(limit, 1) / 2) : -OUT_OF_BOUNDS;
	} else if (q.area && c.area === q.area) score += 12;
	if (q.kinds) score += (10 * popcount(c.kinds & q.kinds)) / popcount(q.kinds);
	if (q.languages.length && q.languages.some((l) => c.languages.has(l))) score += 5;
	if (n.budgetPence !== null && c.rate !== null) score += c.rate <= n.budgetPence ? 5 : -10;
	else score += 5;
	if (n.driverWanted) score += c.driver ? 5 : 0;
	if (q.surroundings) score += (5 * popcount(c.surroundings & q.surroundings)) / popcount(q.surroundings);
	if (q.approachWords.length) {
		let found = 0;
		for (const w of q.approachWords) if (c.text.includes(w)) found++;
		score += (5 * found) / q.approachWords.length;
	}
	score -= OUT_OF_BOUNDS * popcount(c.preferences & conflictMask(n));
	return score;
}

function conflictMask(needs: TeamNeeds): number {
	let m = 0;
	if (needs.home.pets) m |= bit(PREFERENCE_KEYS, 'no-pets');
	if (needs.home.heavyLifting) m |= bit(PREFERENCE_KEYS, 'no-heavy-lifting');
	if (needs.home.smoking) m |= bit(PREFERENCE_KEYS, 'no-smoking');
	if (needs.home.overnight) m |= bit(PREFERENCE_KEYS, 'no-overnights');
	return m;
}

/**
 * Filters and ranks. Ties go to the nearer person, then by name, so every device shows the
 * same order. Reasons are written for the first `limit` results only.
 */
export function searchDirectory(candidates: readonly Candidate[], needs: TeamNeeds, filters: DirectoryFilters = {}, limit = 50): SearchResult {
	const q = prepareQuery(needs, filters);
	// Typed arrays rather than an object per hit: thousands of profiles per keystroke, and no
	// garbage for the collector to pause on.
	const n = candidates.length;
	const hits = new Int32Array(n);
	const scores = new Float64Array(n);
	const distances = new Float64Array(n);
	let count = 0;
	for (let i = 0; i < n; i++) {
		const c = candidates[i];
		const distance = distanceOf(c, q);
		if (!passes(c, q, distance)) continue;
		hits[count++] = i;
		scores[i] = scoreOf(c, q, distance);
		distances[i] = distance ?? Infinity;
	}
	const order = hits.subarray(0, count).sort((a, b) => {
		const byScore = scores[b] - scores[a];
		if (byScore) return byScore;
		const byDistance = distances[a] - distances[b];
		if (byDistance) return byDistance;
		const ea = candidates[a].entry;
		const eb = candidates[b].entry;
		return ea.profile.name.localeCompare(eb.profile.name) || (ea.id < eb.id ? -1 : ea.id > eb.id ? 1 : 0);
	});
	const matches: Match[] = [];
	for (const i of order.subarray(0, Math.min(limit, count))) {
		const c = candidates[i];
		const distance = distances[i] === Infinity ? null : distances[i];
		const { reasons, misses } = explain(c, needs, distance);
		matches.push({ id: c.entry.id, person: c.entry.person, profile: c.entry.profile, score: Math.round(scores[i] * 10) / 10, distanceMiles: distance, reasons, misses });
	}
	return { matches, total: count };
}

/** Ranks a handful of profiles (people who answered a call-out) against the call-out's needs. */
export function rankAgainst(entries: readonly DirectoryEntry[], needs: TeamNeeds): Match[] {
	return searchDirectory(prepareDirectory(entries), needs, {}, entries.length).matches;
}

// ── reasons, in plain words ──────────────────────────────────────────────────────────────

/** "Tuesday and Thursday mornings, Friday afternoons". */
export function describeSlots(slots: readonly SlotKey[]): string {
	const byPart = new Map<DayPart, Weekday[]>();
	for (const s of slots) {
		const { day, part } = parseSlot(s);
		byPart.set(part, [...(byPart.get(part) ?? []), day]);
	}
	const out: string[] = [];
	for (const part of DAY_PART_KEYS) {
		const days = byPart.get(part);
		if (!days) continue;
		days.sort((a, b) => a - b);
		out.push(msg.slots(days.map((d) => words.support.weekdays[d]), msg.dayPartsPlural[part]));
	}
	return out.join(', ');
}

export function describeDistance(miles: number): string {
	if (miles < 1) return msg.lessThanAMile;
	return msg.miles(Math.round(miles));
}

function explain(c: Candidate, needs: TeamNeeds, distance: number | null): { reasons: string[]; misses: string[] } {
	const p = c.entry.profile;
	const reasons: string[] = [];
	const misses: string[] = [];

	for (const skill of needs.skills) {
		if (p.skills[skill]) {
			const training = Object.values(p.qualifications)
				.filter((q) => q.skill === skill && q.accredited)
				.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))[0];
			const note = training ? msg.accredited(training.date ? training.date.slice(0, 4) : null) : '';
			reasons.push(msg.knows(msg.skillPhrases[skill], note));
		} else misses.push(msg.notListed(msg.skillPhrases[skill]));
	}

	if (needs.slots.length) {
		const free = needs.slots.filter((s) => p.availability[s]);
		const busy = needs.slots.filter((s) => !p.availability[s]);
		if (free.length) reasons.push(msg.freeOn(describeSlots(free)));
		if (busy.length) misses.push(msg.notFreeOn(describeSlots(busy)));
	}

	if (distance !== null) {
		const limit = c.travel ?? DEFAULT_TRAVEL_MILES;
		if (distance <= limit) reasons.push(msg.livesAway(describeDistance(distance)));
		else misses.push(msg.livesTooFar(describeDistance(distance), describeDistance(limit)));
	} else if (needs.area.trim() && p.area.trim()) {
		if (p.area.trim().toLowerCase() === needs.area.trim().toLowerCase()) reasons.push(msg.livesIn(p.area.trim()));
		else misses.push(msg.livesIn(p.area.trim()));
	}

	const kinds = needs.supportKinds.filter((k) => p.supportKinds[k]);
	if (kinds.length) reasons.push(msg.offers(kinds.map((k) => words.support.supportKinds[k].toLowerCase())));
	const missingKinds = needs.supportKinds.filter((k) => !p.supportKinds[k]);
	if (missingKinds.length) misses.push(msg.doesNotOffer(missingKinds.map((k) => words.support.supportKinds[k].toLowerCase())));

	const spoken = needs.languages.filter((l) => p.languages[l.trim().toLowerCase()]);
	if (spoken.length) reasons.push(msg.speaks(spoken.map((l) => p.languages[l.trim().toLowerCase()])));
	else if (needs.languages.length) misses.push(msg.doesNotList(needs.languages));

	if (p.hourlyRatePence !== null) {
		const rate = msg.anHour(formatPence(p.hourlyRatePence));
		if (needs.budgetPence === null) reasons.push(msg.asks(rate));
		else if (p.hourlyRatePence <= needs.budgetPence) reasons.push(msg.withinBudget(rate));
		else misses.push(msg.overBudget(rate, formatPence(needs.budgetPence)));
	}

	if (needs.driverWanted) (p.driver ? reasons : misses).push(p.driver ? msg.drives : msg.doesNotDrive);

	const chores = needs.surroundings.filter((s) => p.surroundings[s]);
	if (chores.length) reasons.push(msg.happyToHelp(chores.map((s) => words.support.surroundings[s].toLowerCase())));

	const text = c.text;
	const mentioned = needs.approachWords.filter((w) => text.includes(w.toLowerCase()));
	if (mentioned.length) reasons.push(msg.approachMentions(mentioned));

	if (needs.home.pets && p.preferences['no-pets']) misses.push(msg.noPets);
	if (needs.home.heavyLifting && p.preferences['no-heavy-lifting']) misses.push(msg.noHeavyLifting);
	if (needs.home.smoking && p.preferences['no-smoking']) misses.push(msg.noSmoking);
	if (needs.home.overnight && p.preferences['no-overnights']) misses.push(msg.noOvernights);

	return { reasons, misses };
}
