// Wes keeps a Giving Support profile on his own devices and shares copies with the Local
// Circles he chooses; a copy follows his edits, and un-sharing empties it.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { PersonKey } from '$lib/model/ids';
import type { IsoDate } from '$lib/model/calendar';
import {
	cleanProfileContent,
	emptyProfileContent,
	isSlotKey,
	newGivingProfile,
	newSharedCopy,
	parsePounds,
	qualificationList,
	recordShare,
	recordUnshare,
	refreshCopy,
	sharedWith,
	updateGivingProfile,
	visibleProfile,
	withdrawCopy,
	type GivingProfile,
	type GivingProfileContent,
	type SharedGivingProfile
} from '$lib/model/givingProfile';
import { act, refused } from './changes';

const wes = 'wes-key' as PersonKey;
const other = 'other-key' as PersonKey;

function filled(): GivingProfileContent {
	return {
		...emptyProfileContent('Wes'),
		area: 'Hebden Bridge',
		location: { lat: 53.74213, lon: -2.01456 },
		independent: true,
		hourlyRatePence: 1650,
		skills: { dementia: true, autism: true },
		qualifications: {
			a: { title: 'Dementia Care Level 3', skill: 'dementia', accredited: true, date: '2024-05-01' as IsoDate },
			b: { title: '  ', skill: null, accredited: false, date: null }
		},
		availability: { '2-morning': true },
		languages: { x: 'Polish', y: ' polish ', z: 'English' },
		preferences: { 'no-pets': true }
	};
}

describe('a Giving Support profile', () => {
	it('is checked and tidied before it is saved', () => {
		const clean = cleanProfileContent(filled());
		expect(clean.ok).toBe(true);
		if (!clean.ok) return;
		// Rounded to about a kilometre, never a front door.
		expect(clean.content.location).toEqual({ lat: 53.74, lon: -2.01 });
		expect(Object.keys(clean.content.qualifications)).toEqual(['a']);
		expect(clean.content.languages).toEqual({ polish: 'polish', english: 'English' });
		// A rate only for independent workers.
		const employed = cleanProfileContent({ ...filled(), independent: false });
		expect(employed.ok && employed.content.hourlyRatePence).toBe(null);
	});

	it('refuses what cannot be right, with a plain reason, and keeps the saved profile', () => {
		let doc = A.from<GivingProfile>(newGivingProfile(wes, 'Wes', 0));
		doc = act(doc, (d) => updateGivingProfile(d, wes, filled(), 1));
		expect(refused(doc, (d) => updateGivingProfile(d, wes, { ...filled(), hourlyRatePence: 165000 }, 2))).toMatch(/pounds and pence/);
		expect(refused(doc, (d) => updateGivingProfile(d, wes, { ...filled(), name: '  ' }, 2))).toMatch(/Add your name/);
		expect(refused(doc, (d) => updateGivingProfile(d, wes, { ...filled(), travelMiles: -3 }, 2))).toMatch(/miles/);
		expect(refused(doc, (d) => updateGivingProfile(d, wes, { ...filled(), location: { lat: 95, lon: 0 } }, 2))).toMatch(/not on the map/);
		expect(refused(doc, (d) => updateGivingProfile(d, other, filled(), 2))).toMatch(/Only the person/);
		expect(doc.profile.hourlyRatePence).toBe(1650);
		expect(qualificationList(doc.profile).map((q) => q.title)).toEqual(['Dementia Care Level 3']);
	});

	it('merges edits from two of the person’s devices', () => {
		const base = act(A.from<GivingProfile>(newGivingProfile(wes, 'Wes', 0)), (d) => updateGivingProfile(d, wes, filled(), 1));
		const phone = act(A.clone(base), (d) => updateGivingProfile(d, wes, { ...A.toJS(base).profile, skills: { dementia: true, autism: true, 'end-of-life': true } }, 2));
		const laptop = act(A.clone(base), (d) => updateGivingProfile(d, wes, { ...A.toJS(base).profile, availability: { '2-morning': true, '4-morning': true } }, 3));
		const merged = A.merge(phone, laptop);
		expect(Object.keys(merged.profile.skills).sort()).toEqual(['autism', 'dementia', 'end-of-life']);
		expect(Object.keys(merged.profile.availability).sort()).toEqual(['2-morning', '4-morning']);
	});

	it('is shared as a copy that follows edits, and un-sharing empties the copy', () => {
		let master = act(A.from<GivingProfile>(newGivingProfile(wes, 'Wes', 0)), (d) => updateGivingProfile(d, wes, filled(), 1));
		let copy = A.from<SharedGivingProfile>(newSharedCopy(master, 2));
		master = act(master, (d) => recordShare(d, wes, 'circle-a', 'copy-doc', 2));
		expect(sharedWith(master)).toEqual(['circle-a']);
		expect(visibleProfile(copy)?.skills).toEqual({ dementia: true, autism: true });

		const saved = A.toJS(master).profile;
		master = act(master, (d) => updateGivingProfile(d, wes, { ...saved, area: 'Todmorden' }, 3));
		copy = A.change(copy, (c) => refreshCopy(c, master, 3));
		expect(visibleProfile(copy)?.area).toBe('Todmorden');

		master = act(master, (d) => recordUnshare(d, wes, 'circle-a', 4));
		copy = A.change(copy, (c) => withdrawCopy(c, 4));
		expect(sharedWith(master)).toEqual([]);
		expect(visibleProfile(copy)).toBeNull();
		expect(copy.profile).toBeNull();

		// Sharing again reuses the same copy.
		master = act(master, (d) => recordShare(d, wes, 'circle-a', 'copy-doc', 5));
		copy = A.change(copy, (c) => refreshCopy(c, master, 5));
		expect(visibleProfile(copy)?.area).toBe('Todmorden');
		expect(refused(master, (d) => recordShare(d, other, 'circle-b', 'x', 6))).toMatch(/Only the person/);
	});

	it('reads prices and slots the way people type them', () => {
		expect(parsePounds('£14.50')).toBe(1450);
		expect(parsePounds('15')).toBe(1500);
		expect(parsePounds('')).toBe(null);
		expect(parsePounds('fifteen')).toBe(undefined);
		expect(isSlotKey('2-morning')).toBe(true);
		expect(isSlotKey('8-morning')).toBe(false);
		expect(isSlotKey('02-morning')).toBe(false);
		expect(isSlotKey('2-brunch')).toBe(false);
	});
});
