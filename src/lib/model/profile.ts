// The Getting Support Profile, written with the person. The Owner decides which access
// circles read each section, and a document is encrypted to exactly one circle, so the profile
// is several documents:
//
//   - one small **profile index** in the whole-team circle: which sections there are, the
//     circles each is shared with and the documents that hold it. It names no condition,
//     medicine or person beyond their keys: everything written lives in sections.
//   - per section, one **main document** in one of its circles (the Owner and the Profile
//     Holder write there) and one **copy** in each other circle, kept in step with it. A
//     section shared with the whole team and emergency contacts is two documents: each reader
//     opens the one their circle's key unlocks, and nobody outside both can open either.
//
// Unsharing a section with a circle empties and retires that circle's document (its members
// hold its key), and the index forgets it. Whoever could read it keeps what they already
// read: the app should say so when the Owner narrows who reads a section.
import { words } from '$lib/words';
import { setText } from './text';
import { OK, refuse, type PersonKey, type Result } from './ids';

const msg = words.messages.model.profile;

// ── sections ───────────────────────────────────────────────────────────────────────────

export type ProfileSectionKey =
	| 'aboutMe'
	| 'essentials'
	| 'keyContacts'
	| 'important'
	| 'wellbeing'
	| 'relationships'
	| 'surroundings'
	| 'supportApproach'
	| 'preferences'
	| 'whereSupport';

export type ProfileFieldSpec = { key: string; label: string };

export type ProfileSectionSpec = {
	key: ProfileSectionKey;
	title: string;
	/** What to think about, shown as a prompt when writing with the person. */
	prompt: string;
	/** Named fields besides the free text (Essentials has several). */
	fields: readonly ProfileFieldSpec[];
};

/** The sections of the playbook, in order. */
export const PROFILE_SECTIONS: readonly ProfileSectionSpec[] = (Object.keys(words.team.profileSections) as ProfileSectionKey[]).map((key) => ({
	key,
	...words.team.profileSections[key],
	fields: key === 'essentials' ? (Object.keys(words.team.profileFields) as Array<keyof typeof words.team.profileFields>).map((f) => ({ key: f, label: words.team.profileFields[f] })) : []
}));

export const PROFILE_SECTION_KEYS: readonly ProfileSectionKey[] = PROFILE_SECTIONS.map((s) => s.key);

export function isProfileSectionKey(value: unknown): value is ProfileSectionKey {
	return typeof value === 'string' && (PROFILE_SECTION_KEYS as readonly string[]).includes(value);
}

export function sectionSpec(key: ProfileSectionKey): ProfileSectionSpec {
	return PROFILE_SECTIONS.find((s) => s.key === key) as ProfileSectionSpec;
}

// ── the profile index (whole-team circle) ──────────────────────────────────────────────

export type ProfileSectionRef = {
	/**
	 * The access circle of the section's **main** document: the one the Owner and the Profile
	 * Holder write in. Teams made before a section could go to several circles have only this.
	 */
	circle: string;
	/** The main document's id; null until the section is first written. */
	doc: string | null;
	/**
	 * The other circles the section is shared with, each with its own **copy** (a document is
	 * encrypted to exactly one circle): circle id → the copy's document id, null until made.
	 * Copies are kept in step with the main document (`mirrorSection`) and never typed into.
	 * Made with the index; an older index gets it the first time the Owner adds a circle.
	 */
	copies?: Record<string, string | null>;
};

export type ProfileIndex = {
	kind: 'profile-index';
	/** The Team Owner: the person the profile is about, who decides who reads each part. */
	owner: PersonKey;
	/** Someone the Owner chose to help keep the profile; may edit it with them. */
	holder: PersonKey | null;
	sections: Record<ProfileSectionKey, ProfileSectionRef>;
	/** Section documents emptied because a circle no longer reads them, by document id → section. */
	retired: Record<string, ProfileSectionKey>;
	createdAt: number;
};

/**
 * A new index with every section in `circle` unless `circles` says otherwise (one circle, or
 * several: the first holds the main document, the others copies). Documents are attached once
 * made (`attachSectionDoc`); `sectionsToCreate` lists the ones still missing.
 */
export function newProfileIndex(
	owner: PersonKey,
	circle: string,
	options: { holder?: PersonKey | null; circles?: Partial<Record<ProfileSectionKey, string | readonly string[]>>; now?: number } = {}
): ProfileIndex {
	const sections = {} as Record<ProfileSectionKey, ProfileSectionRef>;
	for (const key of PROFILE_SECTION_KEYS) {
		const chosen = options.circles?.[key];
		const list = chosen === undefined ? [circle] : typeof chosen === 'string' ? [chosen] : [...new Set(chosen)];
		const [main = circle, ...others] = list;
		// Every map made up front: two devices each creating `copies` later would lose one.
		const copies: Record<string, string | null> = {};
		for (const c of others) copies[c] = null;
		sections[key] = { circle: main, doc: null, copies };
	}
	return { kind: 'profile-index', owner, holder: options.holder ?? null, sections, retired: {}, createdAt: options.now ?? Date.now() };
}

export function isProfileIndex(doc: unknown): doc is ProfileIndex {
	const d = doc as ProfileIndex;
	return typeof d === 'object' && d !== null && d.kind === 'profile-index' && typeof d.owner === 'string' && typeof d.sections === 'object' && d.sections !== null;
}

/** The Owner and the Profile Holder write the profile; everyone else reads what they may. */
export function canEditProfile(index: ProfileIndex, person: PersonKey): boolean {
	return person === index.owner || (index.holder !== null && person === index.holder);
}

/** Every circle a section is shared with: the main document's first, then the copies' (by id, the same on every device). */
export function sectionCircles(ref: ProfileSectionRef): string[] {
	return [ref.circle, ...Object.keys(ref.copies ?? {}).filter((c) => c !== ref.circle).sort()];
}

/** The document holding a section in one circle (main or copy); null if not made yet, undefined if not shared there. */
export function sectionDocIn(ref: ProfileSectionRef, circle: string): string | null | undefined {
	if (circle === ref.circle) return ref.doc;
	const copies = ref.copies ?? {};
	return Object.prototype.hasOwnProperty.call(copies, circle) ? (copies[circle] ?? null) : undefined;
}

/** The copies a section still needs made, by circle: shared there, but no document yet (the main one first). */
export function copiesToMake(ref: ProfileSectionRef): string[] {
	return Object.entries(ref.copies ?? {})
		.filter(([c, doc]) => doc === null && c !== ref.circle)
		.map(([c]) => c)
		.sort();
}

// changes (call inside handle.change on the index)

export function setProfileHolder(index: ProfileIndex, by: PersonKey, holder: PersonKey | null): Result {
	if (by !== index.owner) return refuse(msg.onlyOwnerHolder);
	if (index.holder !== holder) index.holder = holder;
	return OK;
}

/**
 * Records the document made for a section in one of its circles (the main document's circle
 * unless `circle` names a copy's). Refused when that circle already has one: whoever made the
 * second should empty it (`retireSection`).
 */
export function attachSectionDoc(index: ProfileIndex, by: PersonKey, key: ProfileSectionKey, doc: string, circle?: string): Result {
	if (!canEditProfile(index, by)) return refuse(msg.onlyOwnerOrHolder);
	const ref = index.sections[key];
	if (!ref) return refuse(msg.noSuchSection);
	const where = circle ?? ref.circle;
	const current = sectionDocIn(ref, where);
	if (current === undefined) return refuse(msg.notSharedThere);
	if (current === doc) return OK;
	if (current !== null) return refuse(msg.hasDocument);
	if (where === ref.circle) ref.doc = doc;
	else (ref.copies as Record<string, string | null>)[where] = doc;
	return OK;
}

/**
 * The Owner shares a section with one more circle. Once the section has a main document, the
 * copy must be made first (in that circle, with `copySection`) and passed as `doc`, so the
 * circle never reads an empty section in the meantime; before then `doc` is null.
 */
export function shareSection(index: ProfileIndex, by: PersonKey, key: ProfileSectionKey, circle: string, doc: string | null): Result {
	if (by !== index.owner) return refuse(msg.onlyOwnerReaders);
	const ref = index.sections[key];
	if (!ref) return refuse(msg.noSuchSection);
	const current = sectionDocIn(ref, circle);
	if (current !== undefined) return current === null && doc !== null ? attachSectionDoc(index, by, key, doc, circle) : OK;
	if (ref.doc !== null && doc === null) return refuse(msg.copyFirst);
	if (doc !== null && (doc === ref.doc || Object.values(ref.copies ?? {}).includes(doc))) return refuse(msg.newDocument);
	// Older indexes have no `copies` yet (see ProfileSectionRef).
	if (!ref.copies) ref.copies = {};
	ref.copies[circle] = doc;
	return OK;
}

/**
 * The Owner stops sharing a section with a circle. Its document there is listed as retired,
 * to be emptied with `retireSection` (whoever read it keeps what they read, and sees nothing
 * new). When that was the main document's circle, a copy becomes the main document: the
 * first whose document is made, so nothing written is lost. A section keeps at least one circle.
 */
export function unshareSection(index: ProfileIndex, by: PersonKey, key: ProfileSectionKey, circle: string): Result {
	if (by !== index.owner) return refuse(msg.onlyOwnerReaders);
	const ref = index.sections[key];
	if (!ref) return refuse(msg.noSuchSection);
	const doc = sectionDocIn(ref, circle);
	if (doc === undefined) return OK;
	const others = sectionCircles(ref).filter((c) => c !== circle);
	if (others.length === 0) return refuse(msg.lastCircle);
	const copies = ref.copies as Record<string, string | null>;
	if (circle === ref.circle) {
		const next = others.find((c) => copies[c] !== null) ?? (ref.doc === null ? others[0] : undefined);
		if (next === undefined) return refuse(msg.copyNotMade);
		ref.circle = next;
		ref.doc = copies[next] ?? null;
		delete copies[next];
	} else {
		delete copies[circle];
	}
	if (doc !== null) index.retired[doc] = key;
	return OK;
}

// selectors

export type ProfileSectionAccess = {
	key: ProfileSectionKey;
	title: string;
	/** The circles it is shared with, the main document's first. */
	circles: string[];
	/** The main document. */
	doc: string | null;
	/** The document this reader opens: the main one if they hold its circle, else a copy they hold. */
	readDoc: string | null;
	/** Whether a reader holding the given circles can open it. */
	readable: boolean;
};

/** The document a reader holding `circles` opens for a section, once: the main one if they can, else their copy. */
export function docToRead(ref: ProfileSectionRef | undefined, circles: Iterable<string>): string | null {
	if (!ref) return null;
	const held = new Set(circles);
	if (held.has(ref.circle) && ref.doc !== null) return ref.doc;
	for (const c of sectionCircles(ref)) {
		const doc = sectionDocIn(ref, c);
		if (held.has(c) && doc) return doc;
	}
	return null;
}

/** Every section in playbook order, with whether a reader holding `circles` can read it. */
export function profileSectionAccess(index: ProfileIndex, circles: Iterable<string>): ProfileSectionAccess[] {
	const held = [...circles];
	return PROFILE_SECTIONS.map((spec) => {
		const ref = index.sections[spec.key];
		const readDoc = docToRead(ref, held);
		return {
			key: spec.key,
			title: spec.title,
			circles: ref ? sectionCircles(ref) : [],
			doc: ref?.doc ?? null,
			readDoc,
			readable: readDoc !== null
		};
	});
}

/** The sections a reader holding `circles` can read, in playbook order. */
export function readableSections(index: ProfileIndex, circles: Iterable<string>): ProfileSectionKey[] {
	return profileSectionAccess(index, circles)
		.filter((s) => s.readable)
		.map((s) => s.key);
}

/** Sections whose main document is not made yet. */
export function sectionsToCreate(index: ProfileIndex): ProfileSectionKey[] {
	return PROFILE_SECTION_KEYS.filter((k) => index.sections[k]?.doc === null);
}

/** Every document the index names for a section (main and copies), for finding strays. */
export function sectionDocs(ref: ProfileSectionRef): string[] {
	return sectionCircles(ref)
		.map((c) => sectionDocIn(ref, c))
		.filter((d): d is string => typeof d === 'string');
}

// ── a section document (its section's circle) ──────────────────────────────────────────

export type KeyContact = {
	id: string;
	name: string;
	relationship: string;
	phone: string;
	email: string;
	/** When to call them, what they can help with. */
	notes: string;
};

export type ProfileLink = { id: string; label: string; url: string };

export type ProfileSection = {
	kind: 'profile-section';
	section: ProfileSectionKey;
	/** Free text, edited character by character by the Owner and the Profile Holder together. */
	text: string;
	/** The section's named fields (see PROFILE_SECTIONS), all made up front. */
	fields: Record<string, string>;
	contacts: Record<string, KeyContact>;
	links: Record<string, ProfileLink>;
	/** Set when the section moved to another circle and this document was emptied. */
	retired: boolean;
	updatedAt: number;
	updatedBy: PersonKey | null;
};

export const CONTACT_FIELD_MAX = 200;
export const LINK_MAX = 2000;

/**
 * A new, empty section. Every field and map exists from the start: if two people each made
 * the same field while offline, one of the two (and what was typed in it) would be lost.
 */
export function newProfileSection(section: ProfileSectionKey, now = Date.now()): ProfileSection {
	const fields: Record<string, string> = {};
	for (const f of sectionSpec(section).fields) fields[f.key] = '';
	return { kind: 'profile-section', section, text: '', fields, contacts: {}, links: {}, retired: false, updatedAt: now, updatedBy: null };
}

export function isProfileSection(doc: unknown): doc is ProfileSection {
	const d = doc as ProfileSection;
	return typeof d === 'object' && d !== null && d.kind === 'profile-section' && isProfileSectionKey(d.section) && typeof d.text === 'string';
}

/** The content of a section as a fresh document's initial value: a copy for another circle. */
export function copySection(from: ProfileSection): ProfileSection {
	const copy = newProfileSection(from.section, from.updatedAt);
	copy.text = from.text;
	for (const key of Object.keys(copy.fields)) copy.fields[key] = from.fields[key] ?? '';
	for (const [id, c] of Object.entries(from.contacts)) copy.contacts[id] = { ...c };
	for (const [id, l] of Object.entries(from.links)) copy.links[id] = { ...l };
	copy.updatedBy = from.updatedBy;
	return copy;
}

/** Whether a copy says something different from its main document (what a reader would see). */
export function sectionsDiffer(a: ProfileSection, b: ProfileSection): boolean {
	if (a.section !== b.section || a.text !== b.text || a.retired !== b.retired) return true;
	const keys = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
	for (const k of keys) if ((a.fields[k] ?? '') !== (b.fields[k] ?? '')) return true;
	const same = <T extends object>(x: Record<string, T>, y: Record<string, T>) =>
		Object.keys(x).length === Object.keys(y).length &&
		Object.entries(x).every(([id, v]) => y[id] !== undefined && Object.entries(v).every(([f, value]) => (y[id] as Record<string, unknown>)[f] === value));
	return !same(a.contacts, b.contacts) || !same(a.links, b.links);
}

/**
 * Brings a copy in step with its main document (call inside handle.change on the copy). Each
 * value that differs is written whole, never spliced: several devices may bring the same copy
 * up to date at once, and two whole writes of a value merge into one of them (each a true
 * state of the main document), where two splices of the same words would leave them twice.
 * A copy that fell behind is caught up by the next device that sees the difference.
 */
export function mirrorSection(copy: ProfileSection, from: ProfileSection): void {
	if (copy.retired) return;
	if (copy.text !== from.text) copy.text = from.text;
	for (const [k, v] of Object.entries(from.fields)) if (copy.fields[k] !== v) copy.fields[k] = v;
	for (const k of Object.keys(copy.fields)) if (!(k in from.fields)) delete copy.fields[k];
	for (const [map, source] of [
		['contacts', from.contacts],
		['links', from.links]
	] as const) {
		const target = copy[map] as Record<string, Record<string, string>>;
		for (const id of Object.keys(target)) if (!source[id]) delete target[id];
		for (const [id, value] of Object.entries(source as Record<string, Record<string, string>>)) {
			const mine = target[id];
			if (!mine) target[id] = { ...value };
			else for (const [f, v] of Object.entries(value)) if (mine[f] !== v) mine[f] = v;
		}
	}
	if (copy.updatedAt !== from.updatedAt) copy.updatedAt = from.updatedAt;
	if (copy.updatedBy !== from.updatedBy) copy.updatedBy = from.updatedBy;
}

// changes (call inside handle.change on the section)

function touched(doc: ProfileSection, by: PersonKey, now: number): void {
	doc.updatedAt = now;
	if (doc.updatedBy !== by) doc.updatedBy = by;
}

/** Character-level edit, so the Owner and the Profile Holder typing together both keep their words. */
export function editSectionText(doc: ProfileSection, by: PersonKey, value: string, now = Date.now()): void {
	if (doc.retired || doc.text === value) return;
	setText(doc, ['text'], value);
	touched(doc, by, now);
}

export function editSectionField(doc: ProfileSection, by: PersonKey, field: string, value: string, now = Date.now()): void {
	// Only the section's own fields: they were made up front, so this never creates a key.
	if (doc.retired || typeof doc.fields[field] !== 'string' || doc.fields[field] === value) return;
	setText(doc, ['fields', field], value);
	touched(doc, by, now);
}

export type KeyContactInput = Partial<Omit<KeyContact, 'id'>> & { name: string };

export function addContact(doc: ProfileSection, by: PersonKey, id: string, input: KeyContactInput, now = Date.now()): void {
	const name = oneLine(input.name);
	if (doc.retired || !name || doc.contacts[id]) return;
	doc.contacts[id] = {
		id,
		name,
		relationship: oneLine(input.relationship ?? ''),
		phone: oneLine(input.phone ?? ''),
		email: oneLine(input.email ?? ''),
		notes: (input.notes ?? '').slice(0, 2000)
	};
	touched(doc, by, now);
}

export function updateContact(doc: ProfileSection, by: PersonKey, id: string, patch: Partial<Omit<KeyContact, 'id'>>, now = Date.now()): void {
	const c = doc.contacts[id];
	if (doc.retired || !c) return;
	for (const key of ['name', 'relationship', 'phone', 'email'] as const) {
		const v = patch[key];
		if (v === undefined) continue;
		const clean = oneLine(v);
		if (key === 'name' && !clean) continue;
		if (c[key] !== clean) c[key] = clean;
	}
	if (patch.notes !== undefined && patch.notes !== c.notes) setText(doc, ['contacts', id, 'notes'], patch.notes.slice(0, 2000));
	touched(doc, by, now);
}

export function removeContact(doc: ProfileSection, by: PersonKey, id: string, now = Date.now()): void {
	if (doc.retired || !doc.contacts[id]) return;
	delete doc.contacts[id];
	touched(doc, by, now);
}

/**
 * Only web, phone and mail links: a `javascript:` or `data:` link in a profile would run in
 * the reader's app with their keys.
 */
export function isSafeLink(url: string): boolean {
	try {
		const u = new URL(url.trim());
		return ['https:', 'http:', 'tel:', 'mailto:'].includes(u.protocol);
	} catch {
		return false;
	}
}

export function addLink(doc: ProfileSection, by: PersonKey, id: string, label: string, url: string, now = Date.now()): void {
	const clean = url.trim().slice(0, LINK_MAX);
	if (doc.retired || doc.links[id] || !isSafeLink(clean)) return;
	doc.links[id] = { id, label: oneLine(label) || clean, url: clean };
	touched(doc, by, now);
}

export function removeLink(doc: ProfileSection, by: PersonKey, id: string, now = Date.now()): void {
	if (doc.retired || !doc.links[id]) return;
	delete doc.links[id];
	touched(doc, by, now);
}

/**
 * Empties a section document when its circle no longer reads the section, so nothing written
 * later (and nothing more in it) goes to that circle. What was already read stays read.
 */
export function retireSection(doc: ProfileSection, by: PersonKey, now = Date.now()): void {
	if (doc.retired) return;
	doc.text = '';
	for (const key of Object.keys(doc.fields)) doc.fields[key] = '';
	for (const id of Object.keys(doc.contacts)) delete doc.contacts[id];
	for (const id of Object.keys(doc.links)) delete doc.links[id];
	doc.retired = true;
	touched(doc, by, now);
}

// selectors

/**
 * For a reader who cannot open the index (someone outside the whole team): each section once,
 * in playbook order, from the section documents they hold. Retired ones are left out; of two
 * live documents of one section (a main document and a copy in two circles they are both in),
 * the one changed last, which is the main document or a copy in step with it.
 */
export function latestSections(docs: Iterable<{ id: string; doc: ProfileSection }>): ProfileSection[] {
	const best = new Map<ProfileSectionKey, { id: string; doc: ProfileSection }>();
	for (const d of docs) {
		if (d.doc.retired) continue;
		const seen = best.get(d.doc.section);
		if (!seen || d.doc.updatedAt > seen.doc.updatedAt || (d.doc.updatedAt === seen.doc.updatedAt && d.id < seen.id)) best.set(d.doc.section, d);
	}
	return PROFILE_SECTION_KEYS.flatMap((k) => best.get(k)?.doc ?? []);
}

/** Whether a section has anything written in it yet. */
export function sectionIsEmpty(doc: ProfileSection): boolean {
	return (
		!doc.text.trim() &&
		Object.values(doc.fields).every((v) => !v.trim()) &&
		Object.keys(doc.contacts).length === 0 &&
		Object.keys(doc.links).length === 0
	);
}

export function contactList(doc: ProfileSection): KeyContact[] {
	return Object.values(doc.contacts).sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

export function linkList(doc: ProfileSection): ProfileLink[] {
	return Object.values(doc.links).sort((a, b) => a.label.localeCompare(b.label) || (a.id < b.id ? -1 : 1));
}

function oneLine(text: string): string {
	return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, CONTACT_FIELD_MAX);
}
