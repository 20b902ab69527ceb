// Visit notes written by workers and read (and added to) by Olive, the Team Owner.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { visitKey } from '$lib/model/rota';
import {
	addOwnerComment, isVisitNotes, latestNotes, newVisitNotes, noteKey, notesForDay, notesForVisit, setActivity, writeNote,
	type VisitNotes
} from '$lib/model/visitNotes';
import { act, refused } from './changes';

const olive = 'olive-key' as PersonKey;
const bea = 'bea-key' as PersonKey;
const cat = 'cat-key' as PersonKey;
const mon = visitKey('morning', '2025-03-03' as IsoDate);
const wed = visitKey('morning', '2025-03-05' as IsoDate);

describe('visit notes', () => {
	it('a worker writes a note with quick icons; the Owner adds to it without touching their words', () => {
		let notes = A.from<VisitNotes>(newVisitNotes(olive));
		expect(isVisitNotes(notes)).toBe(true);
		notes = act(notes, (n) => writeNote(n, bea, mon, 'Olive had porridge and we walked to the shop.', ['meal', 'outing', 'shopping'], 10));
		const id = noteKey(mon, bea);
		notes = act(notes, (n) => addOwnerComment(n, olive, id, 'c1', 'It was lovely, thank you. Cold though!', 20));
		expect(refused(notes, (n) => addOwnerComment(n, cat, id, 'c2', 'I was there too'))).toBe('Only the Team Owner can add to someone else’s visit note.');
		expect(refused(notes, (n) => addOwnerComment(n, olive, id, 'c2', '   '))).toBe('The comment is empty.');

		// The Owner writing "on" the visit makes her own note: Bea's text is untouched.
		notes = act(notes, (n) => writeNote(n, olive, mon, 'I was tired today.', [], 30));
		const [first, second] = notesForVisit(notes, mon);
		expect(first).toMatchObject({
			author: bea,
			text: 'Olive had porridge and we walked to the shop.',
			activities: ['meal', 'shopping', 'outing'],
			ownerComments: [{ id: 'c1', text: 'It was lovely, thank you. Cold though!', at: 20 }]
		});
		expect(second).toMatchObject({ author: olive, text: 'I was tired today.' });
		expect(refused(notes, (n) => writeNote(n, bea, 'not-a-visit' as never, 'x'))).toBe('That is not a visit.');
		expect(refused(notes, (n) => writeNote(n, bea, mon, 'x', ['dancing' as never]))).toBe('Choose activities from the list.');
	});

	it('two workers on the same visit, both offline, each keep their own note', () => {
		const base = A.from<VisitNotes>(newVisitNotes(olive));
		const a = act(A.clone(base), (n) => writeNote(n, bea, mon, 'Personal care and breakfast.', ['personal-care', 'meal'], 1));
		const b = act(A.clone(base), (n) => writeNote(n, cat, mon, 'Did the hoovering.', ['housework'], 2));
		const merged = A.merge(a, b);
		expect(notesForVisit(merged, mon).map((n) => [n.author, n.text])).toEqual([
			[bea, 'Personal care and breakfast.'],
			[cat, 'Did the hoovering.']
		]);
	});

	it("edits from the author's two devices and the Owner's comment all merge", () => {
		let base = A.from<VisitNotes>(newVisitNotes(olive));
		base = act(base, (n) => writeNote(n, bea, mon, 'Lunch.', ['meal'], 1));
		const id = noteKey(mon, bea);
		const phone = act(A.clone(base), (n) => writeNote(n, bea, mon, 'Lunch. Took her tablets.', ['medication'], 2));
		let laptop = act(A.clone(base), (n) => writeNote(n, bea, mon, 'Soup for lunch.', [], 3));
		laptop = act(laptop, (n) => setActivity(n, bea, mon, 'drink', true));
		const owner = act(A.clone(base), (n) => addOwnerComment(n, olive, id, 'oc', 'Thanks Bea', 4));
		const merged = A.merge(A.merge(phone, laptop), owner);
		const [note] = notesForVisit(merged, mon);
		expect(note.text).toBe('Soup for lunch. Took her tablets.');
		expect(note.activities).toEqual(['meal', 'drink', 'medication']);
		expect(note.ownerComments.map((c) => c.text)).toEqual(['Thanks Bea']);
		const unticked = act(merged, (n) => setActivity(n, bea, mon, 'meal', false));
		expect(notesForVisit(unticked, mon)[0].activities).toEqual(['drink', 'medication']);
		expect(refused(unticked, (n) => setActivity(n, cat, mon, 'meal', true))).toBe('Write the note first.');
	});

	it('finds the notes for a day and the latest notes', () => {
		let notes = A.from<VisitNotes>(newVisitNotes(olive));
		notes = act(notes, (n) => writeNote(n, bea, mon, 'Monday', [], 100));
		notes = act(notes, (n) => writeNote(n, cat, wed, 'Wednesday, Cat', [], 300));
		notes = act(notes, (n) => writeNote(n, bea, wed, 'Wednesday, Bea', [], 200));
		expect(notesForDay(notes, '2025-03-05' as IsoDate).map((n) => n.text)).toEqual(['Wednesday, Bea', 'Wednesday, Cat']);
		expect(notesForDay(notes, '2025-03-04' as IsoDate)).toEqual([]);
		expect(latestNotes(notes, 2).map((n) => n.text)).toEqual(['Wednesday, Cat', 'Wednesday, Bea']);
		expect(latestNotes(notes).map((n) => n.date)).toEqual(['2025-03-05', '2025-03-05', '2025-03-03']);
	});
});
