// Visit notes written by workers and read (and added to) by Olive, the Team Owner.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { visitKey } from '$lib/model/rota';
import {
	addNote, addOwnerComment, editNote, isVisitNotes, latestNotes, legacyNoteKey, newVisitNotes, notesForDay, notesForVisit, setActivity,
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
		notes = act(notes, (n) => addNote(n, bea, 'n1', mon, 'Olive had porridge and we walked to the shop.', ['meal', 'outing', 'shopping'], 10));
		notes = act(notes, (n) => addOwnerComment(n, olive, 'n1', 'c1', 'It was lovely, thank you. Cold though!', 20));
		expect(refused(notes, (n) => addOwnerComment(n, cat, 'n1', 'c2', 'I was there too'))).toBe('Only the Team Owner can add to someone else’s visit note.');
		expect(refused(notes, (n) => addOwnerComment(n, olive, 'n1', 'c2', '   '))).toBe('The comment is empty.');

		// The Owner writing "on" the visit makes her own note: Bea's text is untouched.
		notes = act(notes, (n) => addNote(n, olive, 'n2', mon, 'I was tired today.', [], 30));
		const [first, second] = notesForVisit(notes, mon);
		expect(first).toMatchObject({
			id: 'n1',
			author: bea,
			text: 'Olive had porridge and we walked to the shop.',
			activities: ['meal', 'shopping', 'outing'],
			ownerComments: [{ id: 'c1', text: 'It was lovely, thank you. Cold though!', at: 20 }]
		});
		expect(second).toMatchObject({ author: olive, text: 'I was tired today.' });
		expect(refused(notes, (n) => addNote(n, bea, 'n3', 'not-a-visit' as never, 'x'))).toBe('That is not a visit.');
		expect(refused(notes, (n) => addNote(n, bea, 'n3', mon, 'x', ['dancing' as never]))).toBe('Choose activities from the list.');
		expect(refused(notes, (n) => addNote(n, bea, 'n3', mon, '  \n '))).toBe('Write what happened on the visit.');
		// A note is never written over by adding another under its id.
		expect(refused(notes, (n) => addNote(n, bea, 'n1', mon, 'Overwritten?'))).toBe('A note with that id already exists.');
		expect(refused(notes, (n) => addNote(n, bea, legacyNoteKey(mon, bea), mon, 'x'))).toBe('That note needs a new id.');
	});

	it('a worker who writes again about the same visit in the evening keeps the morning note too', () => {
		let notes = A.from<VisitNotes>(newVisitNotes(olive));
		notes = act(notes, (n) => addNote(n, bea, 'morning-note', mon, 'Breakfast and her tablets.', ['meal', 'medication'], 9 * 3600_000));
		notes = act(notes, (n) => addNote(n, bea, 'evening-note', mon, 'Back at six: soup, then bed.', ['meal'], 18 * 3600_000));
		expect(notesForVisit(notes, mon).map((n) => [n.author, n.text])).toEqual([
			[bea, 'Breakfast and her tablets.'],
			[bea, 'Back at six: soup, then bed.']
		]);
		// The newest first on the page's list.
		expect(latestNotes(notes).map((n) => n.id)).toEqual(['evening-note', 'morning-note']);
	});

	it('notes written offline on two devices, by one worker or two, are all kept when they merge', () => {
		let base = A.from<VisitNotes>(newVisitNotes(olive));
		base = act(base, (n) => addNote(n, bea, 'first', mon, 'Personal care and breakfast.', ['personal-care', 'meal'], 1));
		const phone = act(A.clone(base), (n) => addNote(n, bea, 'from-phone', mon, 'Lunch: she ate it all.', ['meal'], 2));
		const laptop = act(A.clone(base), (n) => addNote(n, bea, 'from-laptop', mon, 'Evening: a quiet night in.', [], 3));
		const colleague = act(A.clone(base), (n) => addNote(n, cat, 'from-cat', mon, 'Did the hoovering.', ['housework'], 4));
		const merged = A.merge(A.merge(phone, laptop), colleague);
		expect(notesForVisit(merged, mon).map((n) => [n.author, n.text])).toEqual([
			[bea, 'Personal care and breakfast.'],
			[bea, 'Lunch: she ate it all.'],
			[bea, 'Evening: a quiet night in.'],
			[cat, 'Did the hoovering.']
		]);
	});

	it('a document written when notes were one per visit and author still reads, and takes new notes beside the old', () => {
		// Exactly what earlier versions stored: the note under `${visit}~${author}`.
		const old = A.from<VisitNotes>({
			kind: 'visit-notes',
			owner: olive,
			notes: {
				[legacyNoteKey(mon, bea)]: { visit: mon, author: bea, createdAt: 5, text: 'Morning: a walk to the park.', activities: { outing: true }, ownerComments: {} },
				[legacyNoteKey(mon, cat)]: { visit: mon, author: cat, createdAt: 6, text: 'Cleaned the kitchen.', activities: {}, ownerComments: { oc: { text: 'Thanks Cat', at: 7 } } }
			}
		});
		expect(isVisitNotes(old)).toBe(true);
		expect(notesForVisit(old, mon).map((n) => [n.id, n.text, n.activities, n.ownerComments.map((c) => c.text)])).toEqual([
			[legacyNoteKey(mon, bea), 'Morning: a walk to the park.', ['outing'], []],
			[legacyNoteKey(mon, cat), 'Cleaned the kitchen.', [], ['Thanks Cat']]
		]);

		// Bea adds her evening note on her phone while the Owner, on her tablet, comments on
		// Bea's old note: both land, and the old note keeps its words.
		const phone = act(A.clone(old), (n) => addNote(n, bea, 'evening', mon, 'Evening: fish and chips.', ['meal'], 8));
		const tablet = act(A.clone(old), (n) => addOwnerComment(n, olive, legacyNoteKey(mon, bea), 'oc2', 'She loved the park', 9));
		const merged = A.merge(phone, tablet);
		const views = notesForVisit(merged, mon);
		expect(views.map((n) => [n.author, n.text])).toEqual([
			[bea, 'Morning: a walk to the park.'],
			[cat, 'Cleaned the kitchen.'],
			[bea, 'Evening: fish and chips.']
		]);
		expect(views[0].ownerComments.map((c) => c.text)).toEqual(['She loved the park']);
		expect(notesForDay(merged, '2025-03-03' as IsoDate)).toHaveLength(3);
	});

	it('only the author changes a note; edits from their two devices and the Owner’s comment all merge', () => {
		let base = A.from<VisitNotes>(newVisitNotes(olive));
		base = act(base, (n) => addNote(n, bea, 'lunch', mon, 'Lunch.', ['meal'], 1));
		const phone = act(A.clone(base), (n) => editNote(n, bea, 'lunch', 'Lunch. Took her tablets.', ['meal', 'medication']));
		let laptop = act(A.clone(base), (n) => editNote(n, bea, 'lunch', 'Soup for lunch.', ['meal']));
		laptop = act(laptop, (n) => setActivity(n, bea, 'lunch', 'drink', true));
		const owner = act(A.clone(base), (n) => addOwnerComment(n, olive, 'lunch', 'oc', 'Thanks Bea', 4));
		const merged = A.merge(A.merge(phone, laptop), owner);
		const [note] = notesForVisit(merged, mon);
		expect(note.text).toBe('Soup for lunch. Took her tablets.');
		expect(note.activities).toEqual(['meal', 'drink', 'medication']);
		expect(note.ownerComments.map((c) => c.text)).toEqual(['Thanks Bea']);
		const unticked = act(merged, (n) => setActivity(n, bea, 'lunch', 'meal', false));
		expect(notesForVisit(unticked, mon)[0].activities).toEqual(['drink', 'medication']);
		expect(refused(unticked, (n) => setActivity(n, cat, 'lunch', 'meal', true))).toBe('Only the person who wrote a note can change it.');
		expect(refused(unticked, (n) => editNote(n, olive, 'lunch', 'Rewritten by the Owner', []))).toBe('Only the person who wrote a note can change it.');
		expect(refused(unticked, (n) => editNote(n, bea, 'lunch', ' ', []))).toBe('Write what happened on the visit.');
		expect(refused(unticked, (n) => editNote(n, bea, 'nope', 'x', []))).toBe('That note no longer exists.');
	});

	it('finds the notes for a day and the latest notes', () => {
		let notes = A.from<VisitNotes>(newVisitNotes(olive));
		notes = act(notes, (n) => addNote(n, bea, 'a', mon, 'Monday', [], 100));
		notes = act(notes, (n) => addNote(n, cat, 'b', wed, 'Wednesday, Cat', [], 300));
		notes = act(notes, (n) => addNote(n, bea, 'c', wed, 'Wednesday, Bea', [], 200));
		expect(notesForDay(notes, '2025-03-05' as IsoDate).map((n) => n.text)).toEqual(['Wednesday, Bea', 'Wednesday, Cat']);
		expect(notesForDay(notes, '2025-03-04' as IsoDate)).toEqual([]);
		expect(latestNotes(notes, 2).map((n) => n.text)).toEqual(['Wednesday, Cat', 'Wednesday, Bea']);
		expect(latestNotes(notes).map((n) => n.date)).toEqual(['2025-03-05', '2025-03-05', '2025-03-03']);
	});
});
