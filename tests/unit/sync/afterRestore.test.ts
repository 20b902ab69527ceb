// A device's log against a restored relay's: what it keeps, and what it sends again, in order.
import { describe, expect, it } from 'vitest';
import { afterRestore } from '$lib/sync/afterRestore';

const r = (sig: string) => ({ sig });
const sigs = (xs: Array<{ sig: string }>) => xs.map((x) => x.sig);

describe('afterRestore', () => {
	it('has nothing to put back when the relay holds all of ours (and perhaps more)', () => {
		expect(afterRestore([r('a'), r('b')], [r('a'), r('b'), r('c')], [r('p')])).toBeUndefined();
		expect(afterRestore([], [r('a')], [])).toBeUndefined();
	});

	it('sends back what the restored relay lost, before our unsent records', () => {
		const out = afterRestore([r('a'), r('b'), r('c')], [r('a')], [r('p')]);
		expect(out?.keep).toBe(1);
		expect(sigs(out!.pending)).toEqual(['b', 'c', 'p']);
	});

	it('takes the relay’s order where the logs part ways, resending only what it lacks, each once', () => {
		// Since the restore the relay took x (from someone else) and c (resent by another device).
		const out = afterRestore([r('a'), r('b'), r('c'), null], [r('a'), r('x'), r('c')], [r('c'), r('b'), r('p')]);
		expect(out?.keep).toBe(1);
		expect(sigs(out!.pending)).toEqual(['b', 'p']);
	});
});
