import { describe, expect, it } from 'vitest';
import { coverageAfter, reachesHead, withSkipped, type Coverage, type SeqPosition } from '$lib/sync/seqCoverage';

const change = (seq: number): SeqPosition => ({ seq, kind: 'change' });
const snapshot = (seq: number, covers: number): SeqPosition => ({ seq, kind: 'snapshot', covers });

/** Runs entries in order; the index of the first one after a hole, or the final coverage. */
function walk(from: number, entries: SeqPosition[], skipped: number[] = []): { holeAt: number } | { coverage: Coverage } {
	let c: Coverage = withSkipped({ covered: from }, skipped);
	for (const [i, e] of entries.entries()) {
		const next = coverageAfter(c, e);
		if (!next) return { holeAt: i };
		c = next;
	}
	return { coverage: c };
}

describe('a catch-up accounts for every seq', () => {
	it('accepts a run of entries straight after where the device stood', () => {
		expect(walk(4, [change(5), change(6), change(7)])).toEqual({ coverage: { covered: 7 } });
	});

	it('finds a missing entry in the middle', () => {
		expect(walk(4, [change(5), change(7)])).toEqual({ holeAt: 1 });
	});

	it('finds a hole right at the start (the relay skipped what came first)', () => {
		expect(walk(4, [change(6)])).toEqual({ holeAt: 0 });
	});

	it('lets a snapshot stand for what it covers, then counts its own seq once the entries before it arrive', () => {
		// Snapshot at 10 covers 7; entries 8 and 9 were written beside it; 11 after.
		const done = walk(0, [snapshot(10, 7), change(8), change(9), change(11)]);
		expect(done).toEqual({ coverage: { covered: 11 } });
	});

	it('still notices a hole between a snapshot and its own seq', () => {
		expect(walk(0, [snapshot(10, 7), change(9), change(11)])).toEqual({ holeAt: 1 });
	});

	it('a snapshot that covers nothing new is just the next entry', () => {
		expect(walk(8, [change(9), snapshot(10, 7), change(11)])).toEqual({ coverage: { covered: 11 } });
		expect(walk(8, [snapshot(10, 7)])).toEqual({ holeAt: 0 });
	});

	it('ignores entries the device already has', () => {
		expect(walk(6, [change(5), change(6), change(7)])).toEqual({ coverage: { covered: 7 } });
	});

	it('a finished catch-up must reach the head, counting a held snapshot', () => {
		expect(reachesHead({ covered: 7 }, 7)).toBe(true);
		expect(reachesHead({ covered: 6 }, 7)).toBe(false);
		// Entries 8 and 9 arrived beside the snapshot at 10, which is the head.
		expect(reachesHead({ covered: 9, held: [10] }, 10)).toBe(true);
		expect(reachesHead({ covered: 8, held: [10] }, 10)).toBe(false);
	});

	it('counts the older snapshots the relay names as left out', () => {
		// Snapshot at 12 covers 8; an older one at 10 is named, not sent; 9, 11 and 13 come.
		expect(walk(0, [snapshot(12, 8), change(9), change(11), change(13)], [10])).toEqual({ coverage: { covered: 13 } });
		// Past the newest snapshot's cover: it is left out too, and the head may be one.
		const end = walk(12, [change(13)], [14]);
		expect(end).toEqual({ coverage: { covered: 14 } });
		expect(walk(12, [change(13), change(15)], [14])).toEqual({ coverage: { covered: 15 } });
		// A named seq does not excuse a different missing one.
		expect(walk(12, [change(13), change(16)], [14])).toEqual({ holeAt: 1 });
	});
});
