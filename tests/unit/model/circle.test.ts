// A circle: aim, domain, the double link to its wider circle, budget, plans, and roles filled
// by consent in an election round for a set term.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import {
	addMonths, addPlan, circleMembers, completeElection, doubleLinks, joinCircle, leaveCircle, newCircle, nominate,
	nominationCount, plansOf, proposeCandidate, respondToElection, closeElectionObjection, rolesOf, setBudget,
	shareOfParent, startElection, termsEnding, type Circle
} from '$lib/model/circle';
import { act, refused } from './changes';

const ana = 'ana-key' as PersonKey;
const ben = 'ben-key' as PersonKey;
const cy = 'cy-key' as PersonKey;
const stranger = 'x-key' as PersonKey;
const d = (s: string) => s as IsoDate;

function circle(): A.Doc<Circle> {
	let c = A.from<Circle>(newCircle('North Local Circle', ana, 'Ana', { aim: 'Care in the north', parent: { spaceId: 'sp', name: 'Members’ Circle' } }, 0));
	c = act(c, (x) => joinCircle(x, ben, 'Ben', 1));
	c = act(c, (x) => joinCircle(x, cy, 'Cy', 2));
	return c;
}

describe('a circle', () => {
	it('elects a Delegate by nominations, a change round and consent; the Delegate sits in the wider circle for the term', () => {
		let c = circle();
		c = act(c, (x) => startElection(x, 'e1', ana, 'delegate', 12, 3));
		expect(refused(c, (x) => nominate(x, 'e1', ana, stranger, 'x'))).toBe('You can only nominate someone in the circle.');
		expect(refused(c, (x) => nominate(x, 'e1', ana, ben, ''))).toBe('Say why you nominate them.');
		c = act(c, (x) => nominate(x, 'e1', ana, ben, 'Ben listens well', 4));
		c = act(c, (x) => nominate(x, 'e1', ben, cy, 'Cy knows the wider circle', 5));
		c = act(c, (x) => nominate(x, 'e1', cy, ben, 'Ben has time', 6));
		// Change round: Ben hears the reasons and changes his nomination.
		c = act(c, (x) => nominate(x, 'e1', ben, ben, 'I am willing after hearing you', 7));
		expect(nominationCount(c.elections.e1)[0]).toMatchObject({ nominee: ben, count: 3 });
		expect(refused(c, (x) => proposeCandidate(x, 'e1', ana, stranger, ''))).toBe('Propose someone who was nominated.');
		c = act(c, (x) => proposeCandidate(x, 'e1', ana, ben, 'Most nominations', 8));
		c = act(c, (x) => respondToElection(x, 'e1', ana, 'consent', '', 'o1', 9));
		c = act(c, (x) => respondToElection(x, 'e1', cy, 'object', 'Ben is already Secretary', 'o2', 10));
		expect(refused(c, (x) => completeElection(x, 'e1', ana, d('2026-01-10')))).toMatch(/objection is still open/);
		c = act(c, (x) => closeElectionObjection(x, 'e1', 'o2', cy, 'resolved', 'Ben will hand Secretary over', 11));
		expect(refused(c, (x) => completeElection(x, 'e1', ana, d('2026-01-10')))).toBe('Ben has not consented to take the role yet.');
		c = act(c, (x) => respondToElection(x, 'e1', ben, 'consent', '', 'o3', 12));
		c = act(c, (x) => completeElection(x, 'e1', ana, d('2026-01-10'), 13));
		expect(c.roles.delegate).toMatchObject({ holder: ben, from: '2026-01-10', until: '2027-01-10' });
		expect(doubleLinks(c, d('2026-06-01'))).toEqual({ leader: null, delegate: ben });
		expect(rolesOf(c, ben, d('2026-06-01'))).toEqual(['delegate']);
		expect(doubleLinks(c, d('2027-02-01')).delegate).toBe(null);
		expect(termsEnding(c, d('2026-12-20')).map((t) => t.role)).toEqual(['delegate']);
		expect(c.elections.e1.history.map((h) => h.what)).toEqual([
			'started', 'nominated', 'nominated', 'nominated', 'changed-nomination', 'proposed', 'consented', 'objected', 'objection-resolved', 'consented', 'elected'
		]);
		c = act(c, (x) => leaveCircle(x, ben, 20));
		expect(doubleLinks(c, d('2026-06-01')).delegate).toBe(null);
		expect(circleMembers(c).map((m) => m.name)).toEqual(['Ana', 'Cy']);
	});

	it('keeps its budget within the wider circle’s, and plans added on two devices both survive', () => {
		let c = circle();
		const parent = { amountPence: 1_200_000, period: 'year' as const, fromParentPence: 0, note: '' };
		expect(refused(c, (x) => setBudget(x, ana, { amountPence: 100, period: 'month', fromParentPence: 200, note: '' }))).toMatch(/More cannot come/);
		expect(refused(c, (x) => setBudget(x, ana, { amountPence: 200_000, period: 'month', fromParentPence: 200_000, note: '' }, parent))).toMatch(/wider circle’s whole budget/);
		c = act(c, (x) => setBudget(x, ana, { amountPence: 50_000, period: 'month', fromParentPence: 25_000, note: 'Room hire' }, parent));
		expect(shareOfParent(c, parent)).toBe(25);
		const a = act(A.clone(c), (x) => addPlan(x, 'p1', ana, 'Open day', d('2026-05-01'), 1));
		const b = act(A.clone(c), (x) => addPlan(x, 'p2', ben, 'Recruit two workers', null, 1));
		expect(plansOf(A.merge(a, b)).map((p) => p.text)).toEqual(['Open day', 'Recruit two workers']);
		expect(refused(c, (x) => addPlan(x, 'p3', stranger, 'x', null))).toMatch(/Only members/);
	});

	it('adds months to a date, clamped to the month’s end', () => {
		expect(addMonths(d('2026-01-31'), 1)).toBe('2026-02-28');
		expect(addMonths(d('2026-11-15'), 3)).toBe('2027-02-15');
	});
});
