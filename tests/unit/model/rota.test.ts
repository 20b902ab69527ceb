// The rota as two and three devices edit it offline, with real Automerge merges.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import fc from 'fast-check';
import type { IsoDate, TimeOfDay } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import {
	acceptSwap, addVisit, assign, cancelVisit, declineSwap, endSeries, gaps, markDone, newRota, occurrence,
	occurrences, openShifts, overBooked, parseVisitKey, requestSwap, restoreVisit, shiftsOf, swapsAskedBy, swapsToAnswer,
	takeShift, unassign, visitKey, visitMinutes, type Rota
} from '$lib/model/rota';
import { act, refused } from './changes';

const ann = 'ann-key' as PersonKey;
const bea = 'bea-key' as PersonKey;
const cat = 'cat-key' as PersonKey;
const dev = 'dev-key' as PersonKey;
const d = (s: string) => s as IsoDate;
const t = (s: string) => s as TimeOfDay;

// A week starting Monday 2025-03-03. Morning visits Mon/Wed/Fri with Bea as the regular and a
// second place open; a one-off hospital trip on Thursday with one open place.
function baseRota(): A.Doc<Rota> {
	let rota = A.from<Rota>(newRota());
	rota = act(rota, (r) =>
		addVisit(r, ann, 'morning', {
			title: 'Morning support',
			when: { repeat: 'weekly', weekdays: [1, 3, 5], from: d('2025-03-03'), until: null },
			start: t('08:00'),
			end: t('10:30'),
			places: 2,
			regulars: [bea]
		}, 1)
	);
	rota = act(rota, (r) =>
		addVisit(r, ann, 'hospital', { title: 'Hospital appointment', when: { repeat: 'once', date: d('2025-03-06') }, start: t('13:00'), end: t('15:00'), places: 1 }, 2)
	);
	return rota;
}

const mon = visitKey('morning', d('2025-03-03'));
const wed = visitKey('morning', d('2025-03-05'));
const fri = visitKey('morning', d('2025-03-07'));
const thu = visitKey('hospital', d('2025-03-06'));

describe('the rota', () => {
	it('a worker takes an open shift while another swaps a visit offline; both changes survive the merge', () => {
		const base = baseRota();
		// Three devices start from the same rota and go offline.
		let annPhone = A.clone(base);
		let beaPhone = A.clone(base);

		// Ann takes the open hospital trip.
		annPhone = act(annPhone, (r) => takeShift(r, thu, ann, 100));
		// Bea asks Cat to cover her Wednesday morning…
		beaPhone = act(beaPhone, (r) => requestSwap(r, 'swap1', { requester: bea, visit: wed, colleague: cat }, 101));
		// …and Cat, with a copy of Bea's rota but still offline from Ann, accepts on her own device.
		let catPhone = A.merge(A.clone(base), beaPhone);
		expect(swapsToAnswer(catPhone, cat).map((s) => s.id)).toEqual(['swap1']);
		catPhone = act(catPhone, (r) => acceptSwap(r, cat, 'swap1', 102));

		// Everyone comes back online; merge in two different orders.
		const one = A.merge(A.merge(A.clone(annPhone), beaPhone), catPhone);
		const two = A.merge(A.merge(A.clone(catPhone), annPhone), beaPhone);
		for (const rota of [one, two]) {
			expect(occurrence(rota, thu)!.workers).toEqual([ann]);
			expect(occurrence(rota, wed)!.workers).toEqual([cat]);
			expect(occurrence(rota, mon)!.workers).toEqual([bea]);
			expect(rota.swaps.swap1.status).toBe('accepted');
			expect(overBooked(rota, d('2025-03-03'), d('2025-03-09'))).toEqual([]);
		}
		expect(occurrences(one, d('2025-03-03'), d('2025-03-09'))).toEqual(occurrences(two, d('2025-03-03'), d('2025-03-09')));
	});

	it('taking the open place and swapping on the very same occurrence, offline, both survive', () => {
		const base = baseRota();
		let annPhone = A.clone(base);
		let beaPhone = A.clone(base);
		annPhone = act(annPhone, (r) => takeShift(r, mon, ann, 100));
		beaPhone = act(beaPhone, (r) => requestSwap(r, 's', { requester: bea, visit: mon, colleague: cat }, 100));
		let catPhone = A.clone(beaPhone);
		catPhone = act(catPhone, (r) => acceptSwap(r, cat, 's', 101));
		const merged = A.merge(A.merge(annPhone, beaPhone), catPhone);
		// Per-person entries, not one override object per occurrence, so nothing is overwritten.
		expect(occurrence(merged, mon)!.workers.sort()).toEqual([ann, cat].sort());
		expect(occurrence(merged, mon)!.open).toBe(0);
	});

	it('two people taking the last place at once: the earlier keeps it, the later is reported as over-booked', () => {
		const base = baseRota();
		let annPhone = A.clone(base);
		let devPhone = A.clone(base);
		annPhone = act(annPhone, (r) => takeShift(r, thu, ann, 500));
		devPhone = act(devPhone, (r) => takeShift(r, thu, dev, 400));
		const one = A.merge(A.clone(annPhone), devPhone);
		const two = A.merge(A.clone(devPhone), annPhone);
		for (const rota of [one, two]) {
			const occ = occurrence(rota, thu)!;
			expect(occ.workers).toEqual([dev]);
			expect(occ.overBooked).toEqual([ann]);
			expect(overBooked(rota, d('2025-03-01'), d('2025-03-31')).map((o) => o.key)).toEqual([thu]);
		}
		// Ann steps off: the over-booking is resolved and nobody was silently lost on the way.
		const settled = act(one, (r) => unassign(r, ann, thu, ann, 600));
		expect(occurrence(settled, thu)).toMatchObject({ workers: [dev], overBooked: [] });
	});

	it('breaks a tie between takers at the same moment by key, the same on every device', () => {
		const base = baseRota();
		const a = act(A.clone(base), (r) => takeShift(r, thu, dev, 400));
		const b = act(A.clone(base), (r) => takeShift(r, thu, ann, 400));
		expect(occurrence(A.merge(A.clone(a), b), thu)!.workers).toEqual([ann]);
		expect(occurrence(A.merge(A.clone(b), a), thu)!.workers).toEqual([ann]);
	});

	it('works out the occurrences of a weekly visit from its rule, with one-off visits in between', () => {
		const rota = baseRota();
		const week = occurrences(rota, d('2025-03-01'), d('2025-03-09'));
		expect(week.map((o) => o.key)).toEqual([mon, wed, thu, fri]);
		expect(week[0]).toMatchObject({ title: 'Morning support', repeat: 'weekly', minutes: 150, places: 2, workers: [bea], open: 1 });
		expect(week[2]).toMatchObject({ repeat: 'once', workers: [], open: 1 });
		// Before the series starts there is nothing; the range is inclusive at both ends.
		expect(occurrences(rota, d('2025-02-24'), d('2025-03-02'))).toEqual([]);
		expect(occurrences(rota, d('2025-03-07'), d('2025-03-07')).map((o) => o.key)).toEqual([fri]);
		expect(occurrences(rota, d('2025-03-09'), d('2025-03-01'))).toEqual([]);
		// A key for a day the visit does not happen on names nothing.
		expect(occurrence(rota, visitKey('morning', d('2025-03-04')))).toBeUndefined();
		expect(parseVisitKey(mon)).toEqual({ visitId: 'morning', date: '2025-03-03' });
	});

	it('stops a series after its end date', () => {
		const rota = act(baseRota(), (r) => endSeries(r, 'morning', d('2025-03-10')));
		expect(occurrences(rota, d('2025-03-01'), d('2025-03-31')).filter((o) => o.visitId === 'morning').map((o) => o.date)).toEqual([
			'2025-03-03', '2025-03-05', '2025-03-07', '2025-03-10'
		]);
		expect(refused(rota, (r) => endSeries(r, 'morning', d('2025-01-01')))).toMatch(/on or after/);
		expect(refused(rota, (r) => endSeries(r, 'hospital', d('2025-04-01')))).toMatch(/not a repeating visit/);
	});

	it('cancelling one occurrence and taking another of the same series, offline, both survive', () => {
		const base = baseRota();
		const a = act(A.clone(base), (r) => cancelVisit(r, ann, wed, 10));
		const b = act(A.clone(base), (r) => takeShift(r, fri, cat, 11));
		const merged = A.merge(A.clone(a), b);
		expect(occurrence(merged, wed)!.cancelled).toBe(true);
		expect(occurrence(merged, fri)!.workers).toEqual([bea, cat]);
		expect(occurrence(merged, mon)!.cancelled).toBe(false);
		expect(refused(merged, (r) => takeShift(r, wed, dev, 12))).toBe('That visit has been cancelled.');
		const restored = act(merged, (r) => restoreVisit(r, wed));
		expect(occurrence(restored, wed)!.cancelled).toBe(false);
	});

	it('highlights gaps and open shifts, leaving out cancelled visits', () => {
		let rota = act(baseRota(), (r) => takeShift(r, fri, cat, 5));
		rota = act(rota, (r) => cancelVisit(r, ann, wed, 6));
		const from = d('2025-03-03');
		const to = d('2025-03-09');
		// Each visit's own places: Monday needs one more, Thursday one, Friday is full.
		expect(gaps(rota, from, to).map((g) => [g.key, g.missing])).toEqual([[mon, 1], [thu, 1]]);
		expect(openShifts(rota, from, to).map((o) => o.key)).toEqual([mon, thu]);
		// A team-wide minimum of three per visit shows every visit short.
		expect(gaps(rota, from, to, 3).map((g) => [g.key, g.needed, g.missing])).toEqual([[mon, 3, 2], [thu, 3, 3], [fri, 3, 1]]);
		expect(shiftsOf(rota, bea, from, to).map((o) => o.key)).toEqual([mon, fri]);
	});

	it('refuses to overfill a visit or take a visit that is not on the rota, saying why', () => {
		let rota = act(baseRota(), (r) => takeShift(r, thu, ann, 1));
		expect(refused(rota, (r) => takeShift(r, thu, cat, 2))).toBe('That visit is already full.');
		expect(refused(rota, (r) => takeShift(r, thu, ann, 2))).toBe('You are already on that visit.');
		expect(refused(rota, (r) => takeShift(r, visitKey('hospital', d('2025-03-07')), cat, 2))).toBe('There is no such visit on that day.');
		expect(refused(rota, (r) => takeShift(r, 'nonsense' as never, cat, 2))).toBe('There is no such visit on that day.');
		rota = act(rota, (r) => assign(r, ann, mon, dev, 3));
		expect(occurrence(rota, mon)!.workers).toEqual([bea, dev]);
		expect(refused(rota, (r) => assign(r, ann, mon, cat, 3))).toBe('That visit is already full.');
	});

	it('only the colleague asked can answer a swap, and a swap that no longer fits is refused', () => {
		let rota = act(baseRota(), (r) => requestSwap(r, 's1', { requester: bea, visit: mon, colleague: cat }, 1));
		expect(refused(rota, (r) => acceptSwap(r, dev, 's1', 2))).toBe('Only the colleague who was asked can accept this swap.');
		expect(refused(rota, (r) => acceptSwap(r, bea, 's1', 2))).toBe('Only the colleague who was asked can accept this swap.');
		expect(refused(rota, (r) => requestSwap(r, 's2', { requester: ann, visit: mon, colleague: cat }, 2))).toBe('The person asking is no longer on that visit.');
		expect(refused(rota, (r) => requestSwap(r, 's2', { requester: bea, visit: mon, colleague: bea }, 2))).toBe('Ask someone else to swap with.');
		// Meanwhile Bea is taken off Monday by the Rota Holder: Cat's acceptance no longer fits.
		const stale = act(A.clone(rota), (r) => unassign(r, ann, mon, bea, 3));
		expect(refused(stale, (r) => acceptSwap(r, cat, 's1', 4))).toBe('The person asking is no longer on that visit.');
		rota = act(rota, (r) => declineSwap(r, cat, 's1', 5));
		expect(rota.swaps.s1).toMatchObject({ status: 'declined', answeredAt: 5 });
		expect(occurrence(rota, mon)!.workers).toEqual([bea]);
		expect(refused(rota, (r) => acceptSwap(r, cat, 's1', 6))).toBe('This swap has already been declined.');
	});

	it('swaps two visits both ways when one is offered in return', () => {
		let rota = act(baseRota(), (r) => takeShift(r, thu, cat, 1));
		rota = act(rota, (r) => requestSwap(r, 'x', { requester: bea, visit: fri, colleague: cat, inReturn: thu }, 2));
		rota = act(rota, (r) => acceptSwap(r, cat, 'x', 3));
		expect(occurrence(rota, fri)!.workers).toEqual([cat]);
		expect(occurrence(rota, thu)!.workers).toEqual([bea]);
	});

	it('lists the swaps someone asked for, newest first, with the answer they got', () => {
		let rota = act(baseRota(), (r) => takeShift(r, thu, cat, 1));
		rota = act(rota, (r) => requestSwap(r, 'first', { requester: bea, visit: mon, colleague: dev }, 2));
		rota = act(rota, (r) => requestSwap(r, 'second', { requester: bea, visit: fri, colleague: cat }, 3));
		rota = act(rota, (r) => declineSwap(r, dev, 'first', 4));
		expect(swapsAskedBy(rota, bea).map((s) => [s.id, s.status])).toEqual([['second', 'requested'], ['first', 'declined']]);
		expect(swapsAskedBy(rota, cat)).toEqual([]);
		expect(swapsToAnswer(rota, cat).map((s) => s.id)).toEqual(['second']);
	});

	it('marks visits done, counts overnight stays across midnight, and checks what it is given', () => {
		let rota = baseRota();
		expect(refused(rota, (r) => markDone(r, ann, thu, 1))).toBe('Nobody was on that visit.');
		rota = act(rota, (r) => markDone(r, bea, mon, 1));
		expect(occurrence(rota, mon)!.done).toBe(true);
		expect(refused(rota, (r) => cancelVisit(r, ann, mon, 2))).toBe('That visit has been marked as done.');
		expect(visitMinutes(t('22:00'), t('07:00'))).toBe(540);
		expect(refused(rota, (r) => addVisit(r, ann, 'bad', { title: 'x', when: { repeat: 'once', date: d('2025-02-30') }, start: t('09:00'), end: t('10:00'), places: 1 }))).toBe('That is not a date.');
		expect(refused(rota, (r) => addVisit(r, ann, 'bad', { title: 'x', when: { repeat: 'weekly', weekdays: [], from: d('2025-03-01'), until: null }, start: t('09:00'), end: t('10:00'), places: 1 }))).toMatch(/days of the week/);
		expect(refused(rota, (r) => addVisit(r, ann, 'bad', { title: 'x', when: { repeat: 'once', date: d('2025-03-01') }, start: t('9:00'), end: t('10:00'), places: 1 }))).toMatch(/HH:MM/);
		expect(refused(rota, (r) => addVisit(r, ann, 'bad:id', { title: 'x', when: { repeat: 'once', date: d('2025-03-01') }, start: t('09:00'), end: t('10:00'), places: 1 }))).toMatch(/letters, digits/);
		expect(refused(rota, (r) => addVisit(r, ann, 'bad', { title: 'x', when: { repeat: 'once', date: d('2025-03-01') }, start: t('09:00'), end: t('10:00'), places: 1, regulars: [ann, bea] }))).toMatch(/More regular/);
		expect(() => occurrences(rota, d('2020-01-01'), d('2025-01-01'))).toThrow(RangeError);
	});

	it('never stores undefined, so Automerge accepts every change', () => {
		// A.from throws on undefined values; a round trip through save/load checks the shapes.
		const rota = act(baseRota(), (r) => requestSwap(r, 's', { requester: bea, visit: mon, colleague: cat }, 1));
		const loaded = A.load<Rota>(A.save(rota));
		expect(loaded.swaps.s.inReturn).toBeNull();
		expect(loaded.visits.morning.when).toEqual({ repeat: 'weekly', weekdays: [1, 3, 5], from: '2025-03-03', until: null });
	});
});

describe('the rota under any offline takes', () => {
	it('converges whichever way devices merge, and every accepted take is on the visit or listed as over-booked', () => {
		const keys = [mon, wed, fri, thu];
		const people = [ann, bea, cat, dev];
		const take = fc.record({ key: fc.constantFrom(...keys), person: fc.constantFrom(...people), at: fc.integer({ min: 0, max: 50 }) });
		fc.assert(
			fc.property(fc.array(take, { maxLength: 6 }), fc.array(take, { maxLength: 6 }), (left, right) => {
				const base = baseRota();
				const accepted: Array<[string, PersonKey]> = [];
				const play = (doc: A.Doc<Rota>, takes: typeof left) => {
					for (const { key, person, at } of takes) {
						let ok = false;
						doc = A.change(doc, (r) => {
							ok = takeShift(r, key, person, at).ok;
						});
						if (ok) accepted.push([key, person]);
					}
					return doc;
				};
				const a = play(A.clone(base), left);
				const b = play(A.clone(base), right);
				const one = A.merge(A.clone(a), b);
				const two = A.merge(A.clone(b), a);
				const week = (r: A.Doc<Rota>) => occurrences(r, d('2025-03-03'), d('2025-03-09'));
				expect(week(one)).toEqual(week(two));
				for (const [key, person] of accepted) {
					const occ = occurrence(one, key as never)!;
					expect([...occ.workers, ...occ.overBooked]).toContain(person);
				}
			}),
			{ numRuns: 60 }
		);
	});
});
