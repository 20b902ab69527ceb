// Formatting for live minutes, kept in the text itself so it merges character by character
// like the words do: a line starting "# " or "## " is a heading, "- " a bullet, "1. " a
// numbered item; **bold** and _italic_ inside a line. A plain text box edits it (robust with
// several people typing, keyboard and screen readers); `minutesBlocks` shows it formatted.
import * as A from '@automerge/automerge';

export type Span = { text: string; bold: boolean; italic: boolean };
export type Block =
	| { type: 'heading'; level: 1 | 2 | 3; spans: Span[] }
	| { type: 'bullet' | 'numbered' | 'paragraph'; spans: Span[] };

/** Splits one line's inline formatting. Unclosed markers are shown as typed. */
export function spansOf(line: string): Span[] {
	const out: Span[] = [];
	const re = /\*\*(.+?)\*\*|_(.+?)_/g;
	let last = 0;
	for (let m = re.exec(line); m; m = re.exec(line)) {
		if (m.index > last) out.push({ text: line.slice(last, m.index), bold: false, italic: false });
		if (m[1] !== undefined) {
			for (const s of spansOf(m[1])) out.push({ ...s, bold: true });
		} else {
			for (const s of spansOf(m[2])) out.push({ ...s, italic: true });
		}
		last = re.lastIndex;
	}
	if (last < line.length) out.push({ text: line.slice(last), bold: false, italic: false });
	return out;
}

export function minutesBlocks(text: string): Block[] {
	const blocks: Block[] = [];
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		const heading = /^(#{1,3}) (.*)$/.exec(line);
		if (heading) {
			blocks.push({ type: 'heading', level: heading[1].length as 1 | 2 | 3, spans: spansOf(heading[2]) });
		} else if (/^[-*] /.test(line)) {
			blocks.push({ type: 'bullet', spans: spansOf(line.slice(2)) });
		} else if (/^\d+[.)] /.test(line)) {
			blocks.push({ type: 'numbered', spans: spansOf(line.replace(/^\d+[.)] /, '')) });
		} else {
			blocks.push({ type: 'paragraph', spans: spansOf(line) });
		}
	}
	return blocks;
}

export type Edit = { text: string; start: number; end: number };

/** Wraps the selection in a marker (bold `**`, italic `_`), or unwraps it if already wrapped. */
export function toggleInline(text: string, start: number, end: number, marker: '**' | '_'): Edit {
	const n = marker.length;
	if (start >= n && text.slice(start - n, start) === marker && text.slice(end, end + n) === marker) {
		return { text: text.slice(0, start - n) + text.slice(start, end) + text.slice(end + n), start: start - n, end: end - n };
	}
	return { text: text.slice(0, start) + marker + text.slice(start, end) + marker + text.slice(end), start: start + n, end: end + n };
}

/** Sets the line prefix of every line the selection touches ('' for plain text); toggles off if all have it. */
export function toggleLinePrefix(text: string, start: number, end: number, prefix: '# ' | '## ' | '- ' | '1. '): Edit {
	const lineStart = text.lastIndexOf('\n', start - 1) + 1;
	const nl = text.indexOf('\n', Math.max(end - (end > start && text[end - 1] === '\n' ? 1 : 0), lineStart));
	const lineEnd = nl < 0 ? text.length : nl;
	const lines = text.slice(lineStart, lineEnd).split('\n');
	const strip = (l: string) => l.replace(/^(#{1,3} |[-*] |\d+[.)] )/, '');
	const all = lines.every((l) => l.startsWith(prefix));
	const next = lines.map((l) => (all ? strip(l) : prefix + strip(l)));
	const replaced = next.join('\n');
	const delta = next[0].length - lines[0].length;
	const total = replaced.length - (lineEnd - lineStart);
	return {
		text: text.slice(0, lineStart) + replaced + text.slice(lineEnd),
		start: Math.max(lineStart, start + delta),
		end: Math.max(lineStart, end + total)
	};
}

// ── carets that stick to what you typed ─────────────────────────────────────────────────────

/**
 * The smallest splice from `before` to `after`, using where the caret ended up to place it:
 * typing "a" before another "a" is an insert at the caret, not after it. (A plain diff cannot
 * tell, and would put your letter on the wrong side of a letter someone else just typed.)
 */
export function spliceFor(before: string, after: string, caret: number): { index: number; remove: number; insert: string } {
	const max = Math.min(before.length, after.length);
	let suffix = 0;
	const suffixCap = Math.min(max, Math.max(0, after.length - caret));
	while (suffix < suffixCap && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
	let prefix = 0;
	const prefixCap = max - suffix;
	while (prefix < prefixCap && before[prefix] === after[prefix]) prefix++;
	return { index: prefix, remove: before.length - suffix - prefix, insert: after.slice(prefix, after.length - suffix) };
}

/**
 * A caret as "just after this character" (or "at the start"): when someone else types at the
 * same spot, their words go on the far side of your caret and yours stay together, instead of
 * the two people's letters interleaving.
 */
export function caretCursor(doc: unknown, path: Array<string | number>, position: number): string | undefined {
	try {
		return position <= 0 ? 'start' : A.getCursor(doc as A.Doc<unknown>, path, position - 1);
	} catch {
		return undefined;
	}
}

export function caretPosition(doc: unknown, path: Array<string | number>, cursor: string | null | undefined, fallback: number): number {
	if (!cursor) return fallback;
	if (cursor === 'start') return 0;
	try {
		return A.getCursorPosition(doc as A.Doc<unknown>, path, cursor) + 1;
	} catch {
		return fallback;
	}
}
