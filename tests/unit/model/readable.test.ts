import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { docTitle, toMarkdown } from '$lib/model/readable';
import { visitKey } from '$lib/model/rota';
import { addNote, legacyNoteKey, type VisitNotes } from '$lib/model/visitNotes';

describe('readable copies', () => {
	it('names documents by their own name, or by their kind', () => {
		expect(docTitle({ kind: 'space', title: 'Lunch club' })).toBe('Lunch club');
		expect(docTitle({ kind: 'team', name: 'Mum’s team' })).toBe('Mum’s team (care team)');
		expect(docTitle({ kind: 'mar' })).toBe('Medication record');
		expect(docTitle({})).toBe('Document');
	});

	it('renders any document as Markdown with its words intact', () => {
		const md = toMarkdown({ kind: 'space', title: 'Lunch club', notes: 'Soup.\nBread.', items: [{ text: 'Big pot', done: false }], empty: {} });
		expect(md).toContain('# Lunch club');
		expect(md).toContain('## Notes\n\nSoup.\nBread.');
		expect(md).toContain('- **Text**: Big pot');
		expect(md).toContain('- **Done**: false');
		expect(md).toContain('## Empty\n\n- (none)');
	});

	it('a readable copy of visit notes holds every note, from before each save was its own note and after', () => {
		const bea = 'bea-key' as PersonKey;
		const visit = visitKey('morning', '2025-03-03' as IsoDate);
		let doc = A.from<VisitNotes>({
			kind: 'visit-notes',
			owner: 'olive-key' as PersonKey,
			notes: { [legacyNoteKey(visit, bea)]: { visit, author: bea, createdAt: 1, text: 'Morning: a walk.', activities: {}, ownerComments: {} } }
		});
		doc = A.change(doc, (d) => void addNote(d, bea, 'evening', visit, 'Evening: soup.\nBed at nine.', ['meal'], 2));
		doc = A.change(doc, (d) => void addNote(d, bea, 'late', visit, 'Late call: all well.', [], 3));
		const md = toMarkdown(A.toJS(doc));
		expect(md).toContain('# Visit notes');
		for (const text of ['Morning: a walk.', 'Evening: soup. Bed at nine.', 'Late call: all well.']) expect(md).toContain(`- **Text**: ${text}`);
	});
});
