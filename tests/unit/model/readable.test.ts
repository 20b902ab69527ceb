import { describe, expect, it } from 'vitest';
import { docTitle, toMarkdown } from '$lib/model/readable';

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
});
