// A circle's logbook: a proposal follows the playbook's steps to a decision by consent, edited
// on several devices with real Automerge merges. An open objection blocks the decision until
// its objector says it is resolved or withdraws it, and every step stays in the history.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import {
	addAgendaItem, addInput, addMeeting, addProposal, agendaOf, amendProposal, answerRound, addRound, chooseLead,
	closeAppeal, closeProposalObjection, decisionsRegister, editMemberPage, editMinutes, escalateAppeal, historyOf,
	markDecided, newLogbook, notifyCommunity, openDecision, openFinalInput, raiseAppeal, respondToProposal,
	reviewDecision, reviewsDue, setAttendance, supportAppeal, unrelatedSupport, writeDraft, type Logbook
} from '$lib/model/logbook';
import { openObjections } from '$lib/model/consent';
import { act, refused } from './changes';

const ana = 'ana-key' as PersonKey;
const ben = 'ben-key' as PersonKey;
const cy = 'cy-key' as PersonKey;
const dee = 'dee-key' as PersonKey;
const d = (s: string) => s as IsoDate;
const decision = { text: 'Meet on the first Tuesday of the month', term: 'One year', reviewDate: d('2027-06-01'), measure: 'Everyone can come at least 10 times' };

/** A proposal brought through every step up to the decision, led by Ana. */
function atDecision(): A.Doc<Logbook> {
	let book = A.from<Logbook>(newLogbook(0));
	book = act(book, (b) => addProposal(b, 'p1', ben, 'When we meet', 'Tuesdays clash with school pick-up', 1));
	expect(refused(book, (b) => notifyCommunity(b, 'p1', ana, d('2026-12-01')))).toBe('Choose a lead before letting everyone know.');
	book = act(book, (b) => addInput(b, 'p1', 'i1', cy, 'Evenings are hard for me', 2));
	expect(refused(book, (b) => chooseLead(b, 'p1', ben, ana))).toBe('Only the person who will lead can take the proposal on.');
	book = act(book, (b) => chooseLead(b, 'p1', ana, ana, 3));
	book = act(book, (b) => notifyCommunity(b, 'p1', ana, d('2026-12-01'), 4));
	expect(refused(book, (b) => writeDraft(b, 'p1', ana, 2, 'v2'))).toBe('Write draft 1 first.');
	book = act(book, (b) => writeDraft(b, 'p1', ana, 1, 'First Tuesday, 10am', 5));
	book = act(book, (b) => writeDraft(b, 'p1', ana, 2, 'First Tuesday, 10:30am, online too', 6));
	book = act(book, (b) => openFinalInput(b, 'p1', ana, 7));
	book = act(book, (b) => addInput(b, 'p1', 'i2', dee, 'Looks good', 8));
	book = act(book, (b) => openDecision(b, 'p1', ana, 9));
	return book;
}

describe('a decision by consent', () => {
	it('cannot be marked decided while one objection is open; once it is resolved it can, and the history is kept', () => {
		let book = atDecision();
		book = act(book, (b) => respondToProposal(b, 'p1', ana, 'consent', '', 'o0', 10));
		book = act(book, (b) => respondToProposal(b, 'p1', ben, 'object', 'I work Tuesday mornings', 'o1', 11));
		book = act(book, (b) => respondToProposal(b, 'p1', cy, 'consent', 'Good for me', 'o2', 12));
		expect(refused(book, (b) => markDecided(b, 'p1', ana, decision))).toMatch(/objection still open/);
		// Nobody but Ben can talk his objection away, and he cannot just flip to consent.
		expect(refused(book, (b) => closeProposalObjection(b, 'p1', 'o1', ana, 'resolved', 'fine now'))).toMatch(/Only the person who raised/);
		expect(refused(book, (b) => respondToProposal(b, 'p1', ben, 'consent', '', 'x'))).toMatch(/still open/);
		// Amended around the objection: still open until Ben says so.
		book = act(book, (b) => amendProposal(b, 'p1', 'o1', cy, 'Alternate mornings and evenings', 'a1', 13));
		expect(refused(book, (b) => markDecided(b, 'p1', ana, decision))).toMatch(/objection still open/);
		book = act(book, (b) => closeProposalObjection(b, 'p1', 'o1', ben, 'resolved', 'Alternating works for me', 14));
		expect(openObjections(book.proposals.p1.round)).toEqual([]);
		expect(refused(book, (b) => markDecided(b, 'p1', ana, { ...decision, measure: ' ' }))).toMatch(/how the circle will know/);
		book = act(book, (b) => markDecided(b, 'p1', ana, { ...decision, policy: true }, 15));
		expect(book.proposals.p1.step).toBe('decided');
		expect(book.proposals.p1.decision).toMatchObject({ text: decision.text, term: 'One year', reviewDate: '2027-06-01', policy: true });
		// The objection and its resolution stay on record.
		expect(book.proposals.p1.round.objections.o1).toMatchObject({ by: ben, reason: 'I work Tuesday mornings', status: 'resolved', closingNote: 'Alternating works for me' });
		expect(Object.values(book.proposals.p1.round.objections.o1.amendments).map((a) => a.text)).toEqual(['Alternate mornings and evenings']);
		expect(historyOf(book, 'p1').map((e) => e.what)).toEqual([
			'proposal-added', 'lead-chosen', 'community-notified', 'draft-written', 'draft-written', 'final-input-opened',
			'decision-opened', 'consented', 'objected', 'consented', 'amended', 'objection-resolved', 'decided'
		]);
		expect(refused(book, (b) => markDecided(b, 'p1', ana, decision))).toBe('This proposal is already decided.');
	});

	it('a withdrawn objection also lets the decision through; an objection raised on another device at the same time blocks it after the merge', () => {
		const base = atDecision();
		let here = act(A.clone(base), (b) => respondToProposal(b, 'p1', ana, 'consent', '', 'o0', 10));
		const there = act(A.clone(base), (b) => respondToProposal(b, 'p1', dee, 'object', 'We have not asked the members', 'o9', 10));
		here = A.merge(here, there);
		expect(refused(here, (b) => markDecided(b, 'p1', ana, decision))).toMatch(/objection still open/);
		here = act(here, (b) => closeProposalObjection(b, 'p1', 'o9', dee, 'withdrawn', 'I asked them; they agree', 11));
		here = act(here, (b) => markDecided(b, 'p1', ana, decision, 12));
		expect(here.proposals.p1.round.objections.o9.status).toBe('withdrawn');
		expect(here.proposals.p1.round.responses[dee].answer).toBe('consent');
	});

	it('an objection needs a reason', () => {
		const book = atDecision();
		expect(refused(book, (b) => respondToProposal(b, 'p1', ben, 'object', '  ', 'o1'))).toMatch(/Say what your objection is/);
	});
});

describe('the decisions register', () => {
	it('reminds the circle of reviews when due, and keeps reviews and retirements', () => {
		let book = atDecision();
		book = act(book, (b) => respondToProposal(b, 'p1', ana, 'consent', '', 'o0', 10));
		book = act(book, (b) => markDecided(b, 'p1', ana, decision, 11));
		expect(decisionsRegister(book).map((r) => r.title)).toEqual(['When we meet']);
		expect(reviewsDue(book, d('2027-05-01'))).toEqual([]);
		expect(reviewsDue(book, d('2027-05-01'), 31).map((r) => r.id)).toEqual(['p1']);
		expect(reviewsDue(book, d('2027-06-01')).map((r) => r.id)).toEqual(['p1']);
		book = act(book, (b) => reviewDecision(b, 'p1', 'r1', cy, 'Still working', d('2028-06-01'), 12));
		expect(reviewsDue(book, d('2027-06-02'))).toEqual([]);
		book = act(book, (b) => reviewDecision(b, 'p1', 'r2', cy, 'No longer needed', null, 13));
		expect(reviewsDue(book, d('2029-01-01'))).toEqual([]);
		expect(decisionsRegister(book)[0].retiredAt).toBe(13);
	});
});

describe('appeals', () => {
	it('need three people who are not related to each other, then follow the escalation steps', () => {
		let book = atDecision();
		book = act(book, (b) => respondToProposal(b, 'p1', ana, 'consent', '', 'o0', 10));
		book = act(book, (b) => markDecided(b, 'p1', ana, decision, 11));
		book = act(book, (b) => raiseAppeal(b, 'p1', 'ap', ben, 'The members were not asked', 12));
		book = act(book, (b) => supportAppeal(b, 'p1', 'ap', cy, [ben], 13));
		book = act(book, (b) => supportAppeal(b, 'p1', 'ap', dee, [], 14));
		expect(unrelatedSupport(book.proposals.p1.appeals.ap)).toBe(2);
		expect(refused(book, (b) => escalateAppeal(b, 'p1', 'ap', ben))).toMatch(/3 people who are not related/);
		book = act(book, (b) => supportAppeal(b, 'p1', 'ap', ana, [], 15));
		expect(unrelatedSupport(book.proposals.p1.appeals.ap)).toBe(3);
		expect(refused(book, (b) => closeAppeal(b, 'p1', 'ap', ben, 'upheld', 'x'))).toMatch(/not been heard/);
		for (const step of ['circle', 'wider-circle', 'members-circle', 'mediation']) {
			book = act(book, (b) => escalateAppeal(b, 'p1', 'ap', ben, 16));
			expect(book.proposals.p1.appeals.ap.step).toBe(step);
		}
		expect(refused(book, (b) => escalateAppeal(b, 'p1', 'ap', ben))).toMatch(/last step/);
		book = act(book, (b) => closeAppeal(b, 'p1', 'ap', ben, 'upheld', 'Ask the members first', 17));
		expect(book.proposals.p1.appeals.ap).toMatchObject({ step: 'closed', outcome: 'upheld' });
	});
});

describe('meetings', () => {
	it('keep agenda, attendance, rounds and minutes typed on two devices at once', () => {
		let book = A.from<Logbook>(newLogbook(0));
		book = act(book, (b) => addMeeting(b, 'm1', ana, 'March circle meeting', d('2026-03-03'), 1));
		book = act(book, (b) => addAgendaItem(b, 'm1', 'a1', ana, 'Check-in round', 2));
		book = act(book, (b) => addAgendaItem(b, 'm1', 'a2', ana, 'Budget', 3));
		book = act(book, (b) => setAttendance(b, 'm1', ben, 'apologies'));
		book = act(book, (b) => addRound(b, 'm1', 'r1', 'How are you arriving?', 4));
		book = act(book, (b) => answerRound(b, 'm1', 'r1', cy, 'Tired but glad to be here', 5));
		book = act(book, (b) => editMinutes(b, 'm1', '# March\n'));
		const mine = act(A.clone(book), (b) => editMinutes(b, 'm1', '# March\n- Ana: budget agreed\n'));
		const theirs = act(A.clone(book), (b) => editMinutes(b, 'm1', '# March\n- Cy: rota covered\n'));
		const merged = A.merge(mine, theirs);
		expect(merged.meetings.m1.minutes).toContain('Ana: budget agreed');
		expect(merged.meetings.m1.minutes).toContain('Cy: rota covered');
		expect(agendaOf(merged.meetings.m1).map((i) => i.text)).toEqual(['Check-in round', 'Budget']);
		expect(merged.meetings.m1.attendance[ben]).toBe('apologies');
		expect(refused(merged, (b) => editMinutes(b, 'nope', 'x'))).toMatch(/not in the logbook/);
	});

	it('each member writes their own role, aims and development goals', () => {
		let book = A.from<Logbook>(newLogbook(0));
		book = act(book, (b) => editMemberPage(b, ana, ana, 'developmentGoals', 'Learn to facilitate'));
		expect(book.members[ana].developmentGoals).toBe('Learn to facilitate');
		expect(refused(book, (b) => editMemberPage(b, ben, ana, 'aims', 'x'))).toMatch(/their own/);
	});
});

describe('live minutes keystrokes', () => {
	it('splice exactly where typed, refuse edits that do not fit, and keep both people’s letters', async () => {
		const { spliceMinutes } = await import('$lib/model/logbook');
		let book = A.from<Logbook>(newLogbook(0));
		book = act(book, (b) => addMeeting(b, 'm1', ana, 'M', d('2026-03-03'), 1));
		book = act(book, (b) => spliceMinutes(b, 'm1', 0, 0, 'ab'));
		const mine = act(A.clone(book), (b) => spliceMinutes(b, 'm1', 1, 0, 'X'));
		const theirs = act(A.clone(book), (b) => spliceMinutes(b, 'm1', 2, 0, 'Y'));
		expect(A.merge(mine, theirs).meetings.m1.minutes).toBe('aXbY');
		expect(refused(book, (b) => spliceMinutes(b, 'm1', 1, 5, ''))).toBe('That edit does not fit the minutes.');
		expect(refused(book, (b) => spliceMinutes(b, 'nope', 0, 0, 'x'))).toMatch(/not in the logbook/);
	});
});
