// The Getting Support Profile, written with the person. The Owner decides which access circle
// reads each section, and a document is encrypted to exactly one circle, so the profile is
// several documents:
//
//   - one small **profile index** in the whole-team circle: which sections there are, the
//     circle each is shared with and the id of the document that holds it. It names no
//     condition, medicine or person beyond their keys: everything written lives in sections.
//   - one **section document** per section, in that section's circle.
//
// Moving a section to another circle means a new document in the new circle (the old key is
// held by the old circle's members), so the index points at the new one and the old one is
// cleared and marked retired. Whoever could read the old one keeps what they already read:
// the app should say so when the Owner narrows a section's circle.
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
	/** The access circle whose key this section's document is encrypted to. */
	circle: string;
	/** Its document's id; null until the document has been made. */
	doc: string | null;
};

export type ProfileIndex = {
	kind: 'profile-index';
	/** The Team Owner: the person the profile is about, who decides who reads each part. */
	owner: PersonKey;
	/** Someone the Owner chose to help keep the profile; may edit it with them. */
	holder: PersonKey | null;
	sections: Record<ProfileSectionKey, ProfileSectionRef>;
	/** Section documents replaced by a move to another circle, by document id → section. */
	retired: Record<string, ProfileSectionKey>;
	createdAt: number;
};

/**
 * A new index with every section in `circle` unless `circles` says otherwise. Documents are
 * attached once made (`attachSectionDoc`); `sectionsToCreate` lists the ones still missing.
 */
export function newProfileIndex(
	owner: PersonKey,
	circle: string,
	options: { holder?: PersonKey | null; circles?: Partial<Record<ProfileSectionKey, string>>; now?: number } = {}
): ProfileIndex {
	const sections = {} as Record<ProfileSectionKey, ProfileSectionRef>;
	for (const key of PROFILE_SECTION_KEYS) sections[key] = { circle: options.circles?.[key] ?? circle, doc: null };
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

// changes (call inside handle.change on the index)

export function setProfileHolder(index: ProfileIndex, by: PersonKey, holder: PersonKey | null): Result {
	if (by !== index.owner) return refuse(msg.onlyOwnerHolder);
	if (index.holder !== holder) index.holder = holder;
	return OK;
}

/** Records the document made for a section, in the section's current circle. */
export function attachSectionDoc(index: ProfileIndex, by: PersonKey, key: ProfileSectionKey, doc: string): Result {
	if (!canEditProfile(index, by)) return refuse(msg.onlyOwnerOrHolder);
	const ref = index.sections[key];
	if (!ref) return refuse(msg.noSuchSection);
	if (ref.doc === doc) return OK;
	if (ref.doc !== null) return refuse(msg.hasDocument);
	ref.doc = doc;
	return OK;
}

/**
 * The Owner moves a section to another circle. `doc` is a new document, made in the new
 * circle (copy the content with `copySection`); the old one is listed as retired, to be
 * cleared with `retireSection`.
 */
export function moveSection(index: ProfileIndex, by: PersonKey, key: ProfileSectionKey, circle: string, doc: string): Result {
	if (by !== index.owner) return refuse(msg.onlyOwnerReaders);
	const ref = index.sections[key];
	if (!ref) return refuse(msg.noSuchSection);
	if (ref.circle === circle) return OK;
	if (ref.doc !== null) {
		if (ref.doc === doc) return refuse(msg.newDocument);
		index.retired[ref.doc] = key;
	}
	ref.circle = circle;
	ref.doc = doc;
	return OK;
}

// selectors

export type ProfileSectionAccess = {
	key: ProfileSectionKey;
	title: string;
	circle: string;
	doc: string | null;
	/** Whether a reader holding the given circles can open it. */
	readable: boolean;
};

/** Every section in playbook order, with whether a reader holding `circles` can read it. */
export function profileSectionAccess(index: ProfileIndex, circles: Iterable<string>): ProfileSectionAccess[] {
	const held = new Set(circles);
	return PROFILE_SECTIONS.map((spec) => {
		const ref = index.sections[spec.key];
		return {
			key: spec.key,
			title: spec.title,
			circle: ref?.circle ?? '',
			doc: ref?.doc ?? null,
			readable: !!ref && ref.doc !== null && held.has(ref.circle)
		};
	});
}

/** The sections a reader holding `circles` can read, in playbook order. */
export function readableSections(index: ProfileIndex, circles: Iterable<string>): ProfileSectionKey[] {
	return profileSectionAccess(index, circles)
		.filter((s) => s.readable)
		.map((s) => s.key);
}

export function sectionsToCreate(index: ProfileIndex): ProfileSectionKey[] {
	return PROFILE_SECTION_KEYS.filter((k) => index.sections[k]?.doc === null);
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

/** The content of a section as a fresh document's initial value, for moving it to another circle. */
export function copySection(from: ProfileSection, now = Date.now()): ProfileSection {
	const copy = newProfileSection(from.section, now);
	copy.text = from.text;
	for (const key of Object.keys(copy.fields)) copy.fields[key] = from.fields[key] ?? '';
	for (const [id, c] of Object.entries(from.contacts)) copy.contacts[id] = { ...c };
	for (const [id, l] of Object.entries(from.links)) copy.links[id] = { ...l };
	copy.updatedBy = from.updatedBy;
	return copy;
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
 * Empties a section document after it moved to another circle, so nothing written later
 * (and nothing more in it) goes to the old circle. What was already read stays read.
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
