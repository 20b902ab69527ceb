// Rose's Team Starter posts a call-out to the Calder Valley circle; Ada and Ben say they are
// interested; the poster invites Ada to a trial.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { PersonKey } from '$lib/model/ids';
import {
	callOutNeeds,
	closeCallOut,
	expressInterest,
	interestList,
	isCallOut,
	newCallOut,
	recordTrialInvitation,
	withdrawInterest,
	type CallOut,
	type CallOutInput
} from '$lib/model/callOut';
import { rankAgainst } from '$lib/model/matching';
import { act, refused } from './changes';
import { ada, ben } from './matchingFixtures';

const rose = 'rose-key' as PersonKey;

const input: CallOutInput = {
	title: 'Tuesday and Thursday mornings in Hebden Bridge',
	about: 'Rose is 84, loves her garden and the radio.',
	skills: ['dementia'],
	supportKinds: ['personal-care'],
	surroundings: ['garden'],
	slots: ['2-morning', '4-morning'],
	timesNote: 'About 9 till 11',
	area: 'Hebden Bridge',
	location: { lat: 53.74213, lon: -2.01456 },
	budgetPence: 1800,
	languages: [],
	driverWanted: false,
	home: { pets: true, heavyLifting: false, smoking: false, overnight: false },
	qualities: 'Patient and calm, happy outdoors',
	relationship: 'regular'
};

function posted(): A.Doc<CallOut> {
	const made = newCallOut(input, rose, 'Rose', 'team-space', 0);
	if (!made.ok) throw new Error(made.error);
	return A.from<CallOut>(made.callOut);
}

describe('a call-out', () => {
	it('shares only a rough area and what the Owner wrote', () => {
		const c = posted();
		expect(isCallOut(c)).toBe(true);
		expect(c.location).toEqual({ lat: 53.7, lon: -2 });
		expect(c.status).toBe('open');
		const refusedTitle = newCallOut({ ...input, title: ' ' }, rose, 'Rose', 'team-space');
		expect(refusedTitle.ok).toBe(false);
		const noWhen = newCallOut({ ...input, slots: [], timesNote: '' }, rose, 'Rose', 'team-space');
		expect(!noWhen.ok && noWhen.error).toMatch(/when support is needed/);
		const noArea = newCallOut({ ...input, area: '' }, rose, 'Rose', 'team-space');
		expect(!noArea.ok && noArea.error).toMatch(/Never a full address/);
	});

	it('collects interest, ranks it by fit and records the trial invitation', () => {
		let c = posted();
		c = act(c, (d) => expressInterest(d, ben.person, { name: 'Ben', note: 'I live nearby', profileDoc: ben.id }, 1));
		c = act(c, (d) => expressInterest(d, ada.person, { name: 'Ada', note: '', profileDoc: ada.id }, 2));
		expect(refused(c, (d) => expressInterest(d, rose, { name: 'Rose', note: '', profileDoc: null }))).toMatch(/your own/);
		expect(interestList(c).map((i) => i.name)).toEqual(['Ben', 'Ada']);

		const ranked = rankAgainst([ben, ada], callOutNeeds(c));
		expect(ranked[0].profile.name).toBe('Ada');
		expect(ranked[0].reasons).toContain('Knows dementia care (accredited training, 2024)');
		expect(ranked[1].misses).toContain('Prefers homes without pets');

		const invitation = { inviteId: 'inv-1', at: 3, sealed: { 'ada-device': 'sealed-bytes' } };
		expect(refused(c, (d) => recordTrialInvitation(d, ada.person, ada.person, invitation))).toMatch(/Only the person who posted/);
		expect(refused(c, (d) => recordTrialInvitation(d, rose, 'stranger' as PersonKey, invitation))).toMatch(/not said they are interested/);
		expect(refused(c, (d) => recordTrialInvitation(d, rose, ada.person, { ...invitation, sealed: {} }))).toMatch(/devices could not be found/);
		c = act(c, (d) => recordTrialInvitation(d, rose, ada.person, invitation));
		expect(refused(c, (d) => recordTrialInvitation(d, rose, ada.person, invitation))).toMatch(/already been invited/);
		expect(interestList(c).find((i) => i.person === ada.person)?.invited).toBe(true);
	});

	it('keeps both people’s interest when they answer on two devices at once', () => {
		const base = posted();
		const one = act(A.clone(base), (d) => expressInterest(d, ada.person, { name: 'Ada', note: '', profileDoc: null }, 1));
		const two = act(A.clone(base), (d) => expressInterest(d, ben.person, { name: 'Ben', note: '', profileDoc: null }, 1));
		expect(interestList(A.merge(one, two)).map((i) => i.name).sort()).toEqual(['Ada', 'Ben']);
	});

	it('lets people change their mind, and closes', () => {
		let c = posted();
		c = act(c, (d) => expressInterest(d, ben.person, { name: 'Ben', note: '', profileDoc: null }, 1));
		c = act(c, (d) => withdrawInterest(d, ben.person, 2));
		expect(interestList(c)).toEqual([]);
		expect(refused(c, (d) => closeCallOut(d, ben.person))).toMatch(/Only the person who posted/);
		c = act(c, (d) => closeCallOut(d, rose));
		expect(refused(c, (d) => expressInterest(d, ada.person, { name: 'Ada', note: '', profileDoc: null }))).toMatch(/closed/);
	});
});
