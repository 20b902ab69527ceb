import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { PersonKey } from '$lib/model/ids';
import {
	addContact,
	addLink,
	attachSectionDoc,
	canEditProfile,
	contactList,
	copySection,
	editSectionField,
	editSectionText,
	moveSection,
	newProfileIndex,
	newProfileSection,
	PROFILE_SECTIONS,
	profileSectionAccess,
	readableSections,
	retireSection,
	sectionIsEmpty,
	sectionsToCreate,
	setProfileHolder,
	type ProfileIndex,
	type ProfileSection
} from '$lib/model/profile';

const owner = 'owner-key' as PersonKey;
const holder = 'holder-key' as PersonKey;
const worker = 'worker-key' as PersonKey;
const EVERYONE = 'circle-everyone';
const CARE = 'circle-care-records';

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
			key: 'essentials', title: 'Essentials', circle: CARE, doc: 'doc-essentials', readable: false
		});
		// A section whose document isn't made yet can't be opened by anyone.
		const fresh = newProfileIndex(owner, EVERYONE, { now: 0 });
		expect(readableSections(fresh, [EVERYONE])).toEqual([]);
	});

	it('only the Owner decides who reads a section; moving it needs a new document and retires the old', () => {
		let index = readyIndex();
		index = change(index, (d) => {
			expect(moveSection(d, holder, 'wellbeing', CARE, 'doc-wellbeing-2')).toEqual({
				ok: false, error: 'Only the Owner decides who reads each part of their profile'
			});
			expect(moveSection(d, owner, 'wellbeing', CARE, 'doc-wellbeing').ok).toBe(false);
			expect(moveSection(d, owner, 'wellbeing', CARE, 'doc-wellbeing-2')).toEqual({ ok: true });
		});
		expect(readableSections(index, [EVERYONE])).not.toContain('wellbeing');
		expect(readableSections(index, [CARE])).toContain('wellbeing');
		expect(index.sections.wellbeing).toEqual({ circle: CARE, doc: 'doc-wellbeing-2' });
		expect(index.retired).toEqual({ 'doc-wellbeing': 'wellbeing' });

		// The content goes to a fresh document; the old one is emptied and refuses more writing.
		let old = A.from<ProfileSection>(newProfileSection('wellbeing', 0));
		old = change(old, (d) => editSectionText(d, owner, 'I swim on Tuesdays', 1));
		const moved = A.from<ProfileSection>(copySection(old, 2));
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
