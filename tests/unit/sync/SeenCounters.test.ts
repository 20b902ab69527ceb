import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeenCounters } from '$lib/sync/SeenCounters';

describe('SeenCounters', () => {
	it('agrees with a plain set for any insertion order, and survives JSON', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 120 }), fc.array(fc.integer({ min: 0, max: 200 })), (added, probes) => {
				const seen = new SeenCounters();
				const reference = new Set<number>();
				for (const n of added) {
					seen.add('a', n);
					reference.add(n);
				}
				const restored = SeenCounters.fromJSON(JSON.parse(JSON.stringify(seen.toJSON())));
				for (const p of [...probes, ...added]) {
					expect(seen.has('a', p)).toBe(reference.has(p));
					expect(restored.has('a', p)).toBe(reference.has(p));
					expect(seen.has('b', p)).toBe(false);
				}
			})
		);
	});

	it('stays compact for sequential counters and merges another set', () => {
		const seen = new SeenCounters();
		for (let i = 1000; i < 2000; i++) seen.add('a', i);
		expect(seen.toJSON()).toEqual({ a: [[1000, 1999]] });
		const other = new SeenCounters();
		other.add('a', 5);
		other.add('b', 7);
		seen.merge(other);
		expect(seen.has('a', 5) && seen.has('b', 7) && seen.has('a', 1500)).toBe(true);
		expect(seen.has('a', 6)).toBe(false);
	});
});
