// Presence messages are checked before they are believed, and the roster forgets people who
// go quiet. Minutes formatting lives in the text and toggles cleanly.
import { describe, expect, it } from 'vitest';
import { applyPresence, decodePresence, encodePresence, expirePresence, peersIn, type Roster } from '$lib/model/presence';
import { minutesBlocks, toggleInline, toggleLinePrefix } from '$lib/model/minutes';

describe('presence', () => {
	it('round-trips, ignores malformed messages, and only lets a session’s own device change it', () => {
		const here = { v: 1 as const, type: 'here' as const, session: 's1', name: 'Ana', colour: 2, spot: { field: 'm1', anchor: '3@abc', head: '3@abc' } };
		expect(decodePresence(encodePresence(here))).toEqual(here);
		expect(decodePresence(new TextEncoder().encode('{"v":1,"type":"here","session":"../x","name":"A","colour":1,"spot":null}'))).toBeUndefined();
		expect(decodePresence(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
		let roster: Roster = {};
		roster = applyPresence(roster, 'devA', here, 1000);
		expect(peersIn(roster, 'm1').map((p) => p.name)).toEqual(['Ana']);
		// Another device cannot move or remove Ana's session.
		expect(applyPresence(roster, 'devB', { v: 1, type: 'gone', session: 's1' }, 1100)).toBe(roster);
		expect(applyPresence(roster, 'devB', { ...here, name: 'Mallory' }, 1100)).toBe(roster);
		expect(expirePresence(roster, 3000, 3000)).toBe(roster);
		expect(expirePresence(roster, 4001, 3000)).toEqual({});
		expect(applyPresence(roster, 'devA', { v: 1, type: 'gone', session: 's1' }, 1200)).toEqual({});
	});
});

describe('minutes formatting', () => {
	it('reads headings, lists, bold and italic', () => {
		expect(minutesBlocks('# March\n- **Budget** agreed\n1. _Rota_ done\nPlain')).toEqual([
			{ type: 'heading', level: 1, spans: [{ text: 'March', bold: false, italic: false }] },
			{ type: 'bullet', spans: [{ text: 'Budget', bold: true, italic: false }, { text: ' agreed', bold: false, italic: false }] },
			{ type: 'numbered', spans: [{ text: 'Rota', bold: false, italic: true }, { text: ' done', bold: false, italic: false }] },
			{ type: 'paragraph', spans: [{ text: 'Plain', bold: false, italic: false }] }
		]);
	});
	it('toggles bold around a selection and a list prefix on each selected line', () => {
		const b = toggleInline('say hello now', 4, 9, '**');
		expect(b).toEqual({ text: 'say **hello** now', start: 6, end: 11 });
		expect(toggleInline(b.text, b.start, b.end, '**')).toEqual({ text: 'say hello now', start: 4, end: 9 });
		const l = toggleLinePrefix('one\ntwo\nthree', 1, 5, '- ');
		expect(l.text).toBe('- one\n- two\nthree');
		expect(toggleLinePrefix(l.text, 3, 8, '- ').text).toBe('one\ntwo\nthree');
		expect(toggleLinePrefix('# Title', 2, 2, '## ').text).toBe('## Title');
	});
});

describe('typing at the same spot as someone else', () => {
	it('places a keystroke at the caret, even where a plain diff cannot tell', async () => {
		const { spliceFor } = await import('$lib/model/minutes');
		expect(spliceFor('a', 'aa', 1)).toEqual({ index: 0, remove: 0, insert: 'a' });
		expect(spliceFor('a', 'aa', 2)).toEqual({ index: 1, remove: 0, insert: 'a' });
		expect(spliceFor('hello', 'help', 3)).toEqual({ index: 3, remove: 2, insert: 'p' });
		expect(spliceFor('abc', 'ac', 1)).toEqual({ index: 1, remove: 1, insert: '' });
	});

	it('keeps each person’s words together when both type at the end at once', async () => {
		const A = await import('@automerge/automerge');
		const { caretCursor, caretPosition } = await import('$lib/model/minutes');
		const path = ['t'];
		let ana = A.from({ t: 'Minutes\n' });
		let ben = A.clone(ana);
		let anaCaret = caretCursor(ana, path, 8);
		let benCaret = caretCursor(ben, path, 8);
		const a = 'Ana agrees';
		const b = 'Ben objects';
		for (let i = 0; i < Math.max(a.length, b.length); i++) {
			if (a[i]) {
				ana = A.change(ana, (d) => A.splice(d, path, caretPosition(d, path, anaCaret, 0), 0, a[i]));
				anaCaret = caretCursor(ana, path, caretPosition(ana, path, anaCaret, 0) + 1);
			}
			if (b[i]) {
				ben = A.change(ben, (d) => A.splice(d, path, caretPosition(d, path, benCaret, 0), 0, b[i]));
				benCaret = caretCursor(ben, path, caretPosition(ben, path, benCaret, 0) + 1);
			}
			// Each keystroke reaches the other before the next one.
			const merged = A.merge(A.clone(ana), ben);
			ben = A.merge(ben, ana);
			ana = merged;
		}
		expect(ana.t).toBe(ben.t);
		expect(ana.t).toContain(a);
		expect(ana.t).toContain(b);
	});
});
