import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { PersonKey } from '$lib/model/ids';
import {
	addContact,
	addLink,
	removeContact,
	attachSectionDoc,
	canEditProfile,
	contactList,
	copySection,
	editSectionField,
	editSectionText,
	docToRead,
	latestSections,
	mirrorSection,
	newProfileIndex,
	newProfileSection,
	PROFILE_SECTIONS,
	profileSectionAccess,
	readableSections,
	retireSection,
	sectionCircles,
	sectionIsEmpty,
	sectionsDiffer,
	sectionsToCreate,
	setProfileHolder,
	shareSection,
	unshareSection,
	type ProfileIndex,
	type ProfileSection
} from '$lib/model/profile';

const owner = 'owner-key' as PersonKey;
const holder = 'holder-key' as PersonKey;
const worker = 'worker-key' as PersonKey;
const EVERYONE = 'circle-everyone';
const CARE = 'circle-care-records';
const EMERGENCY = 'circle-emergency';

function change<T>(doc: A.Doc<T>, fn: A.ChangeFn<T>): A.Doc<T> {
	return A.change(A.clone(doc), fn);
}

/** An index with Essentials and Key contacts in care records, everything else team-wide, all docs made. */
function readyIndex(): A.Doc<ProfileIndex> {
	let index = A.from<ProfileIndex>(newProfileIndex(owner, EVERYONE, { holder, circles: { essentials: CARE, keyContacts: CARE }, now: 0 }));
	expect(sectionsToCreate(index)).toHaveLength(10);
	index = change(index, (d) => {
		for (const key of sectionsToCreate(d)) expect(attachSectionDoc(d, owner, key, `doc-${key}`)).toEqual({ ok: true });
	});
	expect(sectionsToCreate(index)).toEqual([]);
	return index;
}

describe('the Getting Support Profile', () => {
	it('has the playbook’s sections, in order', () => {
		expect(PROFILE_SECTIONS.map((s) => s.title)).toEqual([
			'A bit about me',
			'Essentials',
			'Key contacts',
			'What’s important to me',
			'Physical and mental wellbeing',
			'Relationships and community',
			'My surroundings',
			'Support approach',
			'Preferences for support',
			'Where support takes place'
		]);
		expect(Object.keys(newProfileSection('essentials', 0).fields)).toEqual(['advanceDecisions', 'communication', 'marChart', 'attorney']);
	});

	it('shows each reader only the sections of circles they hold', () => {
		const index = readyIndex();
		expect(readableSections(index, [EVERYONE])).toEqual([
			'aboutMe', 'important', 'wellbeing', 'relationships', 'surroundings', 'supportApproach', 'preferences', 'whereSupport'
		]);
		expect(readableSections(index, [EVERYONE, CARE])).toHaveLength(10);
		expect(readableSections(index, [CARE])).toEqual(['essentials', 'keyContacts']);
		expect(readableSections(index, [])).toEqual([]);
		const access = profileSectionAccess(index, [EVERYONE]);
		expect(access.find((s) => s.key === 'essentials')).toEqual({
			key: 'essentials', title: 'Essentials', circles: [CARE], doc: 'doc-essentials', readDoc: null, readable: false
		});
		// A section whose document isn't made yet can't be opened by anyone.
		const fresh = newProfileIndex(owner, EVERYONE, { now: 0 });
		expect(readableSections(fresh, [EVERYONE])).toEqual([]);
	});

	it('only the Owner shares a section with more circles; each circle gets its own copy, made before it is listed', () => {
		let index = readyIndex();
		const before = A.getHeads(index);
		index = change(index, (d) => {
			expect(shareSection(d, holder, 'essentials', EMERGENCY, 'doc-essentials-ec')).toEqual({
				ok: false, error: 'Only the Owner decides who reads each part of their profile'
			});
			// Written already: the copy must exist first, so the circle never reads an empty section.
			expect(shareSection(d, owner, 'essentials', EMERGENCY, null).ok).toBe(false);
			// One document can't be two circles' copies.
			expect(shareSection(d, owner, 'essentials', EMERGENCY, 'doc-essentials').ok).toBe(false);
		});
		expect(A.getHeads(index)).toEqual(before);
		index = change(index, (d) => {
			expect(shareSection(d, owner, 'essentials', EMERGENCY, 'doc-essentials-ec')).toEqual({ ok: true });
			// Again: nothing changes.
			expect(shareSection(d, owner, 'essentials', EMERGENCY, 'doc-essentials-other')).toEqual({ ok: true });
		});
		expect(sectionCircles(index.sections.essentials)).toEqual([CARE, EMERGENCY]);
		expect(index.sections.essentials.copies).toEqual({ [EMERGENCY]: 'doc-essentials-ec' });

		// Care workers open the main document; the neighbour their copy; each section once.
		expect(docToRead(index.sections.essentials, [EVERYONE, CARE])).toBe('doc-essentials');
		expect(docToRead(index.sections.essentials, [CARE, EMERGENCY])).toBe('doc-essentials');
		expect(docToRead(index.sections.essentials, [EMERGENCY])).toBe('doc-essentials-ec');
		expect(docToRead(index.sections.essentials, [EVERYONE])).toBeNull();
		expect(readableSections(index, [EMERGENCY])).toEqual(['essentials']);
		expect(readableSections(index, [CARE, EMERGENCY])).toEqual(['essentials', 'keyContacts']);
	});

	it('unsharing retires that circle’s document; unsharing the main circle hands over to a copy; one circle always stays', () => {
		let index = readyIndex();
		index = change(index, (d) => {
			expect(shareSection(d, owner, 'aboutMe', EMERGENCY, 'doc-aboutMe-ec').ok).toBe(true);
			expect(shareSection(d, owner, 'aboutMe', CARE, 'doc-aboutMe-care').ok).toBe(true);
		});
		expect(sectionCircles(index.sections.aboutMe)).toEqual([EVERYONE, CARE, EMERGENCY].slice(0, 1).concat([CARE, EMERGENCY].sort()));

		index = change(index, (d) => {
			expect(unshareSection(d, holder, 'aboutMe', EMERGENCY).ok).toBe(false);
			expect(unshareSection(d, owner, 'aboutMe', EMERGENCY)).toEqual({ ok: true });
		});
		expect(index.sections.aboutMe.copies).toEqual({ [CARE]: 'doc-aboutMe-care' });
		expect(index.retired).toEqual({ 'doc-aboutMe-ec': 'aboutMe' });
		expect(readableSections(index, [EMERGENCY])).toEqual([]);

		// The main document's circle goes: the care records copy becomes the main document.
		index = change(index, (d) => expect(unshareSection(d, owner, 'aboutMe', EVERYONE)).toEqual({ ok: true }));
		expect(index.sections.aboutMe).toEqual({ circle: CARE, doc: 'doc-aboutMe-care', copies: {} });
		expect(index.retired['doc-aboutMe']).toBe('aboutMe');
		expect(readableSections(index, [EVERYONE])).not.toContain('aboutMe');

		// The last circle can't go.
		const last = A.getHeads(index);
		index = change(index, (d) => expect(unshareSection(d, owner, 'aboutMe', CARE).ok).toBe(false));
		expect(A.getHeads(index)).toEqual(last);
	});

	it('a main circle with no copy made yet can’t be unticked; before anything is written there is nothing to copy', () => {
		let index = A.from<ProfileIndex>(newProfileIndex(owner, EVERYONE, { circles: { keyContacts: [EVERYONE, EMERGENCY] }, now: 0 }));
		expect(index.sections.keyContacts).toEqual({ circle: EVERYONE, doc: null, copies: { [EMERGENCY]: null } });
		// Nothing written: the emergency circle simply becomes the main one.
		let unwritten = change(index, (d) => expect(unshareSection(d, owner, 'keyContacts', EVERYONE).ok).toBe(true));
		expect(unwritten.sections.keyContacts).toEqual({ circle: EMERGENCY, doc: null, copies: {} });
		unwritten = change(unwritten, (d) => expect(attachSectionDoc(d, owner, 'keyContacts', 'kc').ok).toBe(true));
		expect(docToRead(unwritten.sections.keyContacts, [EMERGENCY])).toBe('kc');

		// Written, but the emergency copy is not made yet: the main circle stays until it is.
		index = change(index, (d) => expect(attachSectionDoc(d, owner, 'keyContacts', 'kc-main').ok).toBe(true));
		index = change(index, (d) => expect(unshareSection(d, owner, 'keyContacts', EVERYONE).ok).toBe(false));
		index = change(index, (d) => {
			expect(attachSectionDoc(d, holder, 'keyContacts', 'kc-ec', EMERGENCY).ok).toBe(false); // no Holder chosen in this index
			expect(attachSectionDoc(d, owner, 'keyContacts', 'kc-ec', EMERGENCY).ok).toBe(true);
			expect(attachSectionDoc(d, owner, 'keyContacts', 'kc-ec-2', EMERGENCY).ok).toBe(false);
			expect(attachSectionDoc(d, owner, 'keyContacts', 'kc-x', CARE).ok).toBe(false);
		});
		index = change(index, (d) => expect(unshareSection(d, owner, 'keyContacts', EVERYONE).ok).toBe(true));
		expect(index.sections.keyContacts).toEqual({ circle: EMERGENCY, doc: 'kc-ec', copies: {} });
		expect(index.retired).toEqual({ 'kc-main': 'keyContacts' });
	});

	it('an index from before several circles (no copies) keeps working and can be shared more widely', () => {
		const old = newProfileIndex(owner, EVERYONE, { now: 0 });
		for (const ref of Object.values(old.sections)) delete (ref as { copies?: unknown }).copies;
		let index = A.from<ProfileIndex>(old);
		index = change(index, (d) => expect(attachSectionDoc(d, owner, 'essentials', 'ess').ok).toBe(true));
		expect(sectionCircles(index.sections.essentials)).toEqual([EVERYONE]);
		expect(readableSections(index, [EVERYONE])).toEqual(['essentials']);
		index = change(index, (d) => expect(shareSection(d, owner, 'essentials', EMERGENCY, 'ess-ec').ok).toBe(true));
		expect(index.sections.essentials).toEqual({ circle: EVERYONE, doc: 'ess', copies: { [EMERGENCY]: 'ess-ec' } });
		expect(docToRead(index.sections.essentials, [EMERGENCY])).toBe('ess-ec');
	});

	it('a copy is kept in step with whole values, so two devices doing it at once never double the words', () => {
		let main = A.from<ProfileSection>(newProfileSection('essentials', 0));
		main = change(main, (d) => {
			editSectionText(d, owner, 'Please read my advance decision.', 1);
			editSectionField(d, owner, 'advanceDecisions', 'DNR in the blue folder', 1);
			addContact(d, owner, 'c1', { name: 'Dr Shah', phone: '0123' }, 1);
		});
		const copy0 = A.from<ProfileSection>(copySection(main));
		expect(sectionsDiffer(copy0, main)).toBe(false);
		expect(copy0.updatedAt).toBe(1);

		main = change(main, (d) => {
			editSectionText(d, owner, 'Please read my advance decision first.', 2);
			editSectionField(d, owner, 'advanceDecisions', 'DNR in the blue folder by the door', 2);
			removeContact(d, owner, 'c1', 2);
			addContact(d, owner, 'c2', { name: 'Tom', relationship: 'Son' }, 2);
			addLink(d, owner, 'l1', 'ReSPECT form', 'https://example.org/respect', 2);
		});
		expect(sectionsDiffer(copy0, main)).toBe(true);
		// Two devices bring the same copy up to date at the same time.
		const a = change(copy0, (d) => mirrorSection(d, main));
		const b = change(copy0, (d) => mirrorSection(d, main));
		const merged = A.merge(A.clone(a), b);
		expect(merged.text).toBe('Please read my advance decision first.');
		expect(merged.fields.advanceDecisions).toBe('DNR in the blue folder by the door');
		expect(contactList(merged).map((x) => x.name)).toEqual(['Tom']);
		expect(Object.keys(merged.links)).toEqual(['l1']);
		expect(sectionsDiffer(merged, main)).toBe(false);
		expect(merged.updatedAt).toBe(2);

		// A retired copy is left empty.
		const retired = change(merged, (d) => retireSection(d, owner, 3));
		expect(sectionIsEmpty(change(retired, (d) => mirrorSection(d, main)))).toBe(true);
	});

	it('a reader without the index sees each section once: the live document changed last, never a retired one', () => {
		const main = { ...newProfileSection('keyContacts', 5), text: 'Call Tom' };
		const copy = { ...newProfileSection('keyContacts', 5), text: 'Call Tom' };
		const stale = { ...newProfileSection('essentials', 1), text: 'old words', retired: true };
		const about = { ...newProfileSection('aboutMe', 2), text: 'Gardener' };
		const older = { ...newProfileSection('keyContacts', 4), text: 'Call Tim' };
		const shown = latestSections([
			{ id: 'b', doc: copy },
			{ id: 'c', doc: older },
			{ id: 'a', doc: main },
			{ id: 'd', doc: stale },
			{ id: 'e', doc: about }
		]);
		expect(shown.map((s) => [s.section, s.text])).toEqual([
			['aboutMe', 'Gardener'],
			['keyContacts', 'Call Tom']
		]);
	});

	it('retiring empties a section and refuses more writing', () => {
		let old = A.from<ProfileSection>(newProfileSection('wellbeing', 0));
		old = change(old, (d) => editSectionText(d, owner, 'I swim on Tuesdays', 1));
		const moved = A.from<ProfileSection>(copySection(old));
		expect(moved.text).toBe('I swim on Tuesdays');
		old = change(old, (d) => retireSection(d, owner, 3));
		expect(sectionIsEmpty(old)).toBe(true);
		old = change(old, (d) => editSectionText(d, owner, 'more', 4));
		expect(old.text).toBe('');
	});

	it('the Owner and the Profile Holder edit together, live, character by character', () => {
		const index = readyIndex();
		expect(canEditProfile(index, owner)).toBe(true);
		expect(canEditProfile(index, holder)).toBe(true);
		expect(canEditProfile(index, worker)).toBe(false);
		const removed = change(index, (d) => expect(setProfileHolder(d, holder, null).ok).toBe(false));
		expect(removed.holder).toBe(holder);

		let base = A.from<ProfileSection>(newProfileSection('essentials', 0));
		base = change(base, (d) => editSectionField(d, owner, 'communication', 'I hear better on my left', 1));
		let a = A.clone(base);
		let b = A.clone(base);
		a = change(a, (d) => editSectionField(d, owner, 'communication', 'I hear much better on my left', 2));
		b = change(b, (d) => {
			editSectionField(d, holder, 'communication', 'I hear better on my left side', 2);
			editSectionField(d, holder, 'marChart', 'Kitchen drawer', 2);
			editSectionField(d, holder, 'notAField', 'ignored', 2);
			addContact(d, holder, 'c1', { name: '  Dr  Shah ', relationship: 'GP', phone: '0123' }, 2);
			addLink(d, holder, 'l1', 'Advance decision', 'https://example.org/ad.pdf', 2);
			addLink(d, holder, 'l2', 'Bad', 'javascript:alert(1)', 2);
		});
		const merged = A.merge(a, b);
		expect(merged.fields.communication).toBe('I hear much better on my left side');
		expect(merged.fields.marChart).toBe('Kitchen drawer');
		expect(merged.fields).not.toHaveProperty('notAField');
		expect(contactList(merged).map((c) => c.name)).toEqual(['Dr Shah']);
		expect(Object.keys(merged.links)).toEqual(['l1']);
	});
});
