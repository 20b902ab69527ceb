// A Team around Olive (the Team Owner): members, trials, hats and check-ins, edited on
// several devices with real Automerge merges.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import {
	acceptHat, activeMembers, addAction, addCheckIn, addMember, checkIns, declineHat, editCheckInNotes, handOverHat, hatEnding,
	hatsDueForReview, hatsOf, isActive, isTeam, leave, needsRemovalRecorded, newTeam, nominateHat, nominationsFor, openActions, recordRemoval,
	recordTrialSession, removedMembers, renominate, setActionDone, setMemberName, setRepresentative, setReviewDate, setTrialOutcome,
	speaksForOwner, trialStatus, vacantHats, withRemovals, type Team
} from '$lib/model/team';
import { act, refused } from './changes';

const olive = 'olive-key' as PersonKey;
const bea = 'bea-key' as PersonKey;
const cat = 'cat-key' as PersonKey;
const dan = 'dan-key' as PersonKey;
const stranger = 'stranger-key' as PersonKey;
const d = (s: string) => s as IsoDate;

function oliveTeam(): A.Doc<Team> {
	let team = A.from<Team>(newTeam("Olive's team", olive, 'Olive', 0));
	team = act(team, (t) => addMember(t, bea, { name: 'Bea', kind: 'employed-worker' }, 1));
	team = act(team, (t) => addMember(t, cat, { name: 'Cat', kind: 'family-friend' }, 2));
	team = act(team, (t) => addMember(t, dan, { name: 'Dan', kind: 'independent-worker', trialSessions: 2 }, 3));
	return team;
}

describe('a team', () => {
	it('forms around its owner, with members of every kind', () => {
		const team = oliveTeam();
		expect(isTeam(team)).toBe(true);
		expect(activeMembers(team).map((m) => [m.name, m.kind])).toEqual([
			['Olive', 'team-owner'], ['Bea', 'employed-worker'], ['Cat', 'family-friend'], ['Dan', 'independent-worker']
		]);
		expect(refused(team, (t) => addMember(t, bea, { name: 'Bea', kind: 'volunteer' }))).toBe('They are already in the team.');
		expect(refused(team, (t) => addMember(t, stranger, { name: 'X', kind: 'team-owner' }))).toMatch(/one Team Owner/);
		expect(refused(team, (t) => addMember(t, stranger, { name: 'X', kind: 'coach', trialSessions: 4 as never }))).toBe('A trial is 1, 2 or 3 sessions.');
		const renamed = act(team, (t) => setMemberName(t, cat, '  Auntie   Cat '));
		expect(renamed.members[cat].name).toBe('Auntie Cat');
	});

	it('people joining on two devices at once are both kept', () => {
		const base = A.from<Team>(newTeam('T', olive, 'Olive', 0));
		const a = act(A.clone(base), (t) => addMember(t, bea, { name: 'Bea', kind: 'volunteer' }, 1));
		const b = act(A.clone(base), (t) => addMember(t, cat, { name: 'Cat', kind: 'peer-supporter' }, 1));
		expect(Object.keys(A.merge(a, b).members).sort()).toEqual([bea, cat, olive].sort());
	});

	it('follows a trial from its sessions to the decision to continue', () => {
		let team = oliveTeam();
		expect(trialStatus(team, bea)).toEqual({ kind: 'no-trial' });
		expect(trialStatus(team, stranger)).toEqual({ kind: 'not-a-member' });
		expect(trialStatus(team, dan)).toEqual({ kind: 'on-trial', sessionsAgreed: 2, sessionsDone: 0, readyToDecide: false });

		// Dan's two sessions are recorded on two devices while offline: both count.
		const a = act(A.clone(team), (t) => recordTrialSession(t, dan, 'morning:2025-03-03', d('2025-03-03')));
		const b = act(A.clone(team), (t) => recordTrialSession(t, dan, 'morning:2025-03-05', d('2025-03-05')));
		team = A.merge(a, b);
		expect(trialStatus(team, dan)).toEqual({ kind: 'on-trial', sessionsAgreed: 2, sessionsDone: 2, readyToDecide: true });
		// Recording the same visit again counts once.
		team = act(team, (t) => recordTrialSession(t, dan, 'morning:2025-03-05', d('2025-03-05')));
		expect(trialStatus(team, dan)).toMatchObject({ sessionsDone: 2 });

		expect(refused(team, (t) => setTrialOutcome(t, bea, dan, 'continuing'))).toBe('Only the Team Owner records that someone continues after their trial.');
		expect(refused(team, (t) => setTrialOutcome(t, bea, dan, 'ended'))).toBe('Only the Team Owner or the person on trial can end a trial.');
		team = act(team, (t) => setTrialOutcome(t, olive, dan, 'continuing'));
		expect(trialStatus(team, dan)).toEqual({ kind: 'continuing', sessionsAgreed: 2, sessionsDone: 2 });
		expect(refused(team, (t) => recordTrialSession(t, dan, 'x:2025-03-07', d('2025-03-07')))).toBe('Their trial has already been decided.');
	});

	it('a person on trial may end it themself', () => {
		const team = act(oliveTeam(), (t) => setTrialOutcome(t, dan, dan, 'ended'));
		expect(trialStatus(team, dan)).toMatchObject({ kind: 'ended' });
	});

	it('someone the Owner names to speak for them can decide a trial; nobody else can name them', () => {
		let team = oliveTeam();
		expect(refused(team, (t) => setRepresentative(t, bea, cat, true))).toBe('Only the Team Owner chooses who speaks for them.');
		expect(refused(team, (t) => setRepresentative(t, olive, olive, true))).toBe('The Team Owner speaks for themself.');
		expect(refused(team, (t) => setRepresentative(t, olive, stranger, true))).toBe('They are not in the team.');
		team = act(team, (t) => setRepresentative(t, olive, cat, true));
		expect(speaksForOwner(team, cat)).toBe(true);
		expect(speaksForOwner(team, bea)).toBe(false);
		team = act(team, (t) => setTrialOutcome(t, cat, dan, 'continuing'));
		expect(trialStatus(team, dan)).toMatchObject({ kind: 'continuing' });

		// They may step down themself; after that (or after leaving) they no longer speak for Olive.
		const stepped = act(A.clone(team), (t) => setRepresentative(t, cat, cat, false));
		expect(speaksForOwner(stepped, cat)).toBe(false);
		expect(stepped.members[cat]).not.toHaveProperty('representative');
		const left = act(A.clone(team), (t) => leave(t, cat, {}, 20));
		expect(speaksForOwner(left, cat)).toBe(false);
		expect(refused(team, (t) => setRepresentative(t, cat, bea, true))).toBe('Only the Team Owner chooses who speaks for them.');
	});
});

describe('hats', () => {
	it('are nominated, and only the nominee can accept or decline', () => {
		let team = oliveTeam();
		team = act(team, (t) => nominateHat(t, olive, { id: 'h1', kind: 'rota-holder', nominee: bea, reviewDate: d('2025-06-01') }, 10));
		expect(team.hats.h1).toMatchObject({ title: 'Rota Holder', status: 'nominated', wearer: bea, nominatedBy: olive });
		expect(hatsOf(team, bea)).toEqual([]);
		expect(nominationsFor(team, bea).map((h) => h.id)).toEqual(['h1']);

		expect(refused(team, (t) => acceptHat(t, olive, 'h1'))).toBe('Only Bea can answer this nomination for Rota Holder.');
		expect(refused(team, (t) => declineHat(t, cat, 'h1'))).toBe('Only Bea can answer this nomination for Rota Holder.');
		expect(refused(team, (t) => acceptHat(t, bea, 'nope'))).toBe('That hat no longer exists.');

		team = act(team, (t) => acceptHat(t, bea, 'h1', 11));
		expect(hatsOf(team, bea).map((h) => h.title)).toEqual(['Rota Holder']);
		expect(refused(team, (t) => acceptHat(t, bea, 'h1'))).toBe('The Rota Holder hat is not waiting for an answer.');
		expect(team.hats.h1.history.map((e) => e.event)).toEqual(['nominated', 'accepted']);
	});

	it('a declined custom hat can be offered to someone else', () => {
		let team = oliveTeam();
		expect(refused(team, (t) => nominateHat(t, olive, { id: 'g', kind: 'custom', nominee: cat }))).toBe('A custom hat needs a title.');
		expect(refused(team, (t) => nominateHat(t, stranger, { id: 'g', kind: 'custom', title: 'Gardener', nominee: cat }))).toBe('Only team members can nominate someone for a hat.');
		expect(refused(team, (t) => nominateHat(t, olive, { id: 'g', kind: 'custom', title: 'Gardener', nominee: stranger }))).toMatch(/not in the team/);
		team = act(team, (t) => nominateHat(t, olive, { id: 'g', kind: 'custom', title: 'Gardener', description: 'Keeps the garden nice', nominee: cat }, 1));
		expect(refused(team, (t) => renominate(t, olive, 'g', bea))).toBe('Cat has not answered yet.');
		team = act(team, (t) => declineHat(t, cat, 'g', 2));
		expect(team.hats.g).toMatchObject({ status: 'declined', wearer: cat });
		expect(vacantHats(team).map((h) => h.id)).toEqual(['g']);
		team = act(team, (t) => renominate(t, olive, 'g', bea, 3));
		team = act(team, (t) => acceptHat(t, bea, 'g', 4));
		expect(hatsOf(team, bea).map((h) => h.title)).toEqual(['Gardener']);
		expect(refused(team, (t) => renominate(t, olive, 'g', cat))).toBe('Bea wears this hat; they hand it over first.');
	});

	it('hats nominated on two devices offline both survive', () => {
		const base = oliveTeam();
		const a = act(A.clone(base), (t) => nominateHat(t, olive, { id: 'aaa', kind: 'mar-holder', nominee: bea }, 1));
		const b = act(A.clone(base), (t) => nominateHat(t, cat, { id: 'bbb', kind: 'safeguarding-lead', nominee: cat }, 1));
		const merged = A.merge(a, b);
		expect(Object.values(merged.hats).map((h) => h.title).sort()).toEqual(['MAR Holder', 'Safeguarding Lead']);
	});

	it('come up for review on their review date', () => {
		let team = oliveTeam();
		team = act(team, (t) => nominateHat(t, olive, { id: 'r', kind: 'rota-holder', nominee: bea, reviewDate: d('2025-06-01') }));
		team = act(team, (t) => nominateHat(t, olive, { id: 'c', kind: 'check-in-facilitator', nominee: cat }));
		team = act(team, (t) => acceptHat(t, bea, 'r'));
		team = act(team, (t) => acceptHat(t, cat, 'c'));
		team = act(team, (t) => setReviewDate(t, cat, 'c', d('2025-05-01'), 5));
		expect(hatsDueForReview(team, d('2025-04-30'))).toEqual([]);
		expect(hatsDueForReview(team, d('2025-05-01')).map((h) => h.id)).toEqual(['c']);
		expect(hatsDueForReview(team, d('2025-07-01')).map((h) => h.id)).toEqual(['c', 'r']);
		expect(refused(team, (t) => setReviewDate(t, cat, 'c', d('2025-13-01')))).toBe('The review date is not a date.');
		expect(refused(team, (t) => setReviewDate(t, stranger, 'c', d('2025-08-01')))).toBe('Only team members can set a review date.');
		expect(team.hats.c.history.at(-1)).toEqual({ event: 'review-date', at: 5, by: cat, date: '2025-05-01' });
	});

	it('are handed over when someone leaves, and the new person must still accept', () => {
		let team = oliveTeam();
		team = act(team, (t) => nominateHat(t, olive, { id: 'rota', kind: 'rota-holder', nominee: bea }));
		team = act(team, (t) => nominateHat(t, olive, { id: 'chat', kind: 'team-chat-admin', nominee: bea }));
		team = act(team, (t) => nominateHat(t, olive, { id: 'mar', kind: 'mar-holder', nominee: bea }));
		team = act(team, (t) => acceptHat(t, bea, 'rota'));
		team = act(team, (t) => acceptHat(t, bea, 'chat'));
		// 'mar' was offered to Bea but not yet answered: it is handed over too.

		expect(refused(team, (t) => leave(t, bea, { rota: stranger }))).toMatch(/not in the team/);
		expect(refused(team, (t) => leave(t, bea, { rota: bea }))).toBe('A hat cannot be handed over to the person leaving.');
		expect(refused(team, (t) => leave(t, bea, { nope: cat }))).toBe('They can only hand over hats they wear or were offered.');
		expect(refused(team, (t) => leave(t, olive, {}))).toMatch(/Team Owner cannot leave/);

		team = act(team, (t) => leave(t, bea, { rota: cat, mar: dan }, 50));
		expect(team.members[bea].leftAt).toBe(50);
		expect(activeMembers(team).map((m) => m.name)).toEqual(['Olive', 'Cat', 'Dan']);
		expect(hatsOf(team, bea)).toEqual([]);
		// Never imposed: Cat and Dan are nominated, not wearing.
		expect(team.hats.rota).toMatchObject({ status: 'nominated', wearer: cat, nominatedBy: bea });
		expect(hatsOf(team, cat)).toEqual([]);
		expect(nominationsFor(team, cat).map((h) => h.id)).toEqual(['rota']);
		expect(nominationsFor(team, dan).map((h) => h.id)).toEqual(['mar']);
		// Nobody was named for the chat: it goes back to the team.
		expect(team.hats.chat).toMatchObject({ status: 'handed-over', wearer: null });
		expect(vacantHats(team).map((h) => h.id)).toEqual(['chat']);
		expect(team.hats.rota.history.map((e) => e.event)).toEqual(['nominated', 'accepted', 'handed-over', 'nominated']);

		team = act(team, (t) => acceptHat(t, cat, 'rota'));
		expect(hatsOf(team, cat).map((h) => h.title)).toEqual(['Rota Holder']);
		expect(refused(team, (t) => leave(t, bea, {}))).toBe('They are not in the team.');
		expect(refused(team, (t) => nominateHat(t, olive, { id: 'x', kind: 'coach' as never, nominee: cat }))).toBe('Choose a hat.');
	});

	it('a wearer can hand a hat on without leaving', () => {
		let team = oliveTeam();
		team = act(team, (t) => nominateHat(t, olive, { id: 'p', kind: 'profile-holder', nominee: cat }));
		team = act(team, (t) => acceptHat(t, cat, 'p'));
		expect(refused(team, (t) => handOverHat(t, bea, 'p', bea))).toBe('Only the person wearing Profile Holder can hand it over.');
		team = act(team, (t) => handOverHat(t, cat, 'p', bea));
		expect(team.hats.p).toMatchObject({ status: 'nominated', wearer: bea });
		team = act(team, (t) => declineHat(t, bea, 'p'));
		expect(vacantHats(team).map((h) => h.id)).toEqual(['p']);
	});
});

describe('someone removed from the team’s space', () => {
	/** Bea speaks for Olive, wears the Rota Holder hat and has been offered the MAR Holder hat. */
	function beaHoldsThings(): A.Doc<Team> {
		let team = oliveTeam();
		team = act(team, (t) => setRepresentative(t, olive, bea, true));
		team = act(team, (t) => nominateHat(t, olive, { id: 'rota', kind: 'rota-holder', nominee: bea }, 10));
		team = act(team, (t) => acceptHat(t, bea, 'rota', 11));
		team = act(team, (t) => nominateHat(t, olive, { id: 'mar', kind: 'mar-holder', nominee: bea }, 12));
		team = act(team, (t) => nominateHat(t, olive, { id: 'chat', kind: 'team-chat-admin', nominee: cat }, 13));
		return act(team, (t) => acceptHat(t, cat, 'chat', 14));
	}
	const removal = { person: bea, by: olive, at: 100 };

	it('is no longer a member, speaks for nobody, and every hat she held ends; her name stays', () => {
		const team = act(beaHoldsThings(), (t) => recordRemoval(t, removal));
		expect(isActive(team, bea)).toBe(false);
		expect(activeMembers(team).map((m) => m.name)).toEqual(['Olive', 'Cat', 'Dan']);
		expect(speaksForOwner(team, bea)).toBe(false);
		expect(team.members[bea]).toMatchObject({ name: 'Bea', leftAt: 100, removedBy: olive });
		expect(team.members[bea].representative).toBeUndefined();
		for (const id of ['rota', 'mar']) {
			expect(team.hats[id]).toMatchObject({ status: 'handed-over', wearer: null });
			expect(hatEnding(team.hats[id])).toEqual({ person: bea, by: olive, at: 100 });
		}
		expect(vacantHats(team).map((h) => h.id).sort()).toEqual(['mar', 'rota']);
		// Cat's hat is untouched.
		expect(team.hats.chat).toMatchObject({ status: 'worn', wearer: cat });
		expect(hatEnding(team.hats.chat)).toBeUndefined();
		expect(removedMembers(team)).toEqual([{ person: bea, name: 'Bea', by: olive, at: 100 }]);
		// Nobody can offer her a hat or let her speak for the Owner now.
		expect(refused(team, (t) => nominateHat(t, olive, { id: 'x', kind: 'safeguarding-lead', nominee: bea }))).toBe('Bea is not in the team, so cannot be offered a hat.');
		expect(refused(team, (t) => setRepresentative(t, olive, bea, true))).toBe('They are not in the team.');
		expect(refused(team, (t) => renominate(t, olive, 'rota', bea))).toBe('Bea is not in the team, so cannot be offered a hat.');
		// The hat can go to someone else, who still has to say yes.
		const next = act(team, (t) => renominate(t, olive, 'rota', cat, 101));
		expect(next.hats.rota).toMatchObject({ status: 'nominated', wearer: cat });
	});

	it('recording it again (another device, or a later look) changes nothing more', () => {
		const once = act(beaHoldsThings(), (t) => recordRemoval(t, removal));
		expect(needsRemovalRecorded(once, removal)).toBe(false);
		const twice = A.change(once, (t) => void recordRemoval(t, removal));
		expect(A.getHeads(twice)).toEqual(A.getHeads(once));
		expect(refused(once, (t) => recordRemoval(t, { person: olive, by: olive, at: 100 }))).toMatch(/Team Owner/);
	});

	it('an offer made on a device that had not heard of the removal ends when the two merge and it is recorded', () => {
		const base = beaHoldsThings();
		const owner = act(A.clone(base), (t) => recordRemoval(t, removal));
		// Cat, offline, offers Bea a hat without knowing she was removed.
		const offline = act(A.clone(base), (t) => nominateHat(t, cat, { id: 'safe', kind: 'safeguarding-lead', nominee: bea }, 99));
		const merged = A.merge(owner, offline);
		expect(merged.hats.safe).toMatchObject({ status: 'nominated', wearer: bea });
		expect(needsRemovalRecorded(merged, removal)).toBe(true);
		// Read through the membership log, the offer is already ended; recording it makes it so in the document.
		expect(withRemovals(merged, [removal]).hats.safe).toMatchObject({ status: 'handed-over', wearer: null });
		const recorded = act(merged, (t) => recordRemoval(t, removal));
		expect(recorded.hats.safe).toMatchObject({ status: 'handed-over', wearer: null });
		expect(hatEnding(recorded.hats.safe)).toEqual({ person: bea, by: olive, at: 100 });
	});

	it('read through the membership log, the team follows at once, without changing the document', () => {
		const doc = beaHoldsThings();
		const heads = A.getHeads(doc);
		const view = withRemovals(doc, [removal]);
		expect(activeMembers(view).map((m) => m.name)).toEqual(['Olive', 'Cat', 'Dan']);
		expect(speaksForOwner(view, bea)).toBe(false);
		expect(hatsOf(view, bea)).toEqual([]);
		expect(nominationsFor(view, bea)).toEqual([]);
		expect(view.members[bea].name).toBe('Bea');
		// The document itself is untouched, and nothing to apply gives the document back as it is.
		expect(A.getHeads(doc)).toEqual(heads);
		expect(isActive(doc, bea)).toBe(true);
		expect(withRemovals(doc, [])).toBe(doc);
		const recorded = act(doc, (t) => recordRemoval(t, removal));
		expect(withRemovals(recorded, [removal])).toBe(recorded);
	});

	it('someone who took themself out of the space has left; their hats end, and nobody is named as removing them', () => {
		const team = act(beaHoldsThings(), (t) => recordRemoval(t, { person: bea, by: bea, at: 100 }));
		expect(team.members[bea]).toMatchObject({ leftAt: 100 });
		expect(team.members[bea].removedBy).toBeUndefined();
		expect(removedMembers(team)).toEqual([]);
		expect(hatEnding(team.hats.rota)).toEqual({ person: bea, by: bea, at: 100 });
	});

	it('someone who had already left the team list keeps what they handed over', () => {
		let team = beaHoldsThings();
		team = act(team, (t) => leave(t, bea, { rota: cat }, 50));
		const recorded = act(team, (t) => recordRemoval(t, removal));
		// Still the leave's time; the hat she handed to Cat stays offered to Cat.
		expect(recorded.members[bea]).toMatchObject({ leftAt: 50, removedBy: olive });
		expect(recorded.hats.rota).toMatchObject({ status: 'nominated', wearer: cat });
	});
});

describe('check-ins', () => {
	it('keep notes two people take at once, and actions agreed on two devices', () => {
		let team = oliveTeam();
		team = act(team, (t) => addCheckIn(t, cat, 'ci1', d('2025-03-10'), 1));
		team = act(team, (t) => editCheckInNotes(t, 'ci1', 'Rota is fine.'));
		let a = act(A.clone(team), (t) => editCheckInNotes(t, 'ci1', 'Rota is fine. Olive wants more outings.'));
		let b = act(A.clone(team), (t) => editCheckInNotes(t, 'ci1', 'Summary: Rota is fine.'));
		a = act(a, (t) => addAction(t, 'ci1', 'act-a', 'Look up the swimming pool times', bea, 2));
		b = act(b, (t) => addAction(t, 'ci1', 'act-b', 'Book the GP review', null, 3));
		team = A.merge(a, b);
		expect(team.checkIns.ci1.notes).toBe('Summary: Rota is fine. Olive wants more outings.');
		expect(openActions(team).map((x) => x.text)).toEqual(['Look up the swimming pool times', 'Book the GP review']);
		expect(openActions(team, bea).map((x) => x.actionId)).toEqual(['act-a']);

		team = act(team, (t) => setActionDone(t, 'ci1', 'act-a', true));
		expect(openActions(team).map((x) => x.actionId)).toEqual(['act-b']);
		team = act(team, (t) => addCheckIn(t, olive, 'ci2', d('2025-04-10'), 4));
		expect(checkIns(team).map((c) => c.id)).toEqual(['ci2', 'ci1']);
		expect(refused(team, (t) => addAction(t, 'ci1', 'x', '   ', null))).toBe('Say what was agreed.');
		expect(refused(team, (t) => addAction(t, 'ci1', 'x', 'Do a thing', stranger))).toMatch(/not in the team/);
		expect(refused(team, (t) => addCheckIn(t, stranger, 'ci3', d('2025-04-11')))).toBe('Only team members can add a check-in.');
	});
});
