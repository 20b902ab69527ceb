import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { addItem, editNotes, newSpace, progress, removeItem, renameSpace, setItemDone, type Space } from '$lib/model/space';

describe('a space', () => {
	it('merges two people typing in the same notes character by character', () => {
		let a = A.from<Space>(newSpace('Lunch club', 0));
		a = A.change(a, (d) => editNotes(d, 'Soup'));
		let b = A.clone(a);
		a = A.change(a, (d) => editNotes(d, 'Hot soup'));
		b = A.change(b, (d) => editNotes(d, 'Soup and bread'));
		const merged = A.merge(a, b);
		expect(merged.notes).toBe('Hot soup and bread');
	});

	it('keeps a checklist', () => {
		let s = A.from<Space>(newSpace('  Rota  ', 0));
		expect(s.title).toBe('Rota');
		s = A.change(s, (d) => {
			addItem(d, ' Buy milk ', 'x');
			addItem(d, '   ', 'empty');
			addItem(d, 'Call GP', 'y');
			setItemDone(d, 'x', true);
			renameSpace(d, 'Weekly rota');
		});
		expect(progress(s)).toEqual({ done: 1, total: 2 });
		expect(s.items[0].text).toBe('Buy milk');
		s = A.change(s, (d) => removeItem(d, 'x'));
		expect(s.items.map((i) => i.id)).toEqual(['y']);
		expect(s.title).toBe('Weekly rota');
	});
});
