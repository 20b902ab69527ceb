// Small helpers over Automerge heads (change hashes), shared by sending and receiving.
import * as A from '@automerge/automerge';

/**
 * Whether the document holds the change with this hash. Not `A.hasHeads`: in Automerge 3 that
 * rebuilds the whole change to look it up, which for a document made in one large change (a
 * logbook imported with 200 pages) takes about a second, on every keystroke. The dependency
 * index answers the same question at once.
 */
export function holds(doc: A.Doc<unknown>, hash: string): boolean {
	return !A.getMissingDeps(doc, [hash]).includes(hash);
}

export function sameHeads(a: string[], b: string[]): boolean {
	if (a.length !== b.length) return false;
	const set = new Set(b);
	return a.every((h) => set.has(h));
}

export function dedupe(heads: string[]): string[] {
	return [...new Set(heads)];
}
