// A catch-up must account for every relay seq from where the device stood up to the relay's
// head: a leading snapshot stands for everything it covers, the relay names the older
// snapshots it leaves out (`skipped`), and every other entry comes itself. A hole means the
// relay skipped or lost something (a storage race, a damaged restore). Moving past it would
// drop those changes for good, without a word, so the engine stops at the hole and asks
// again. Pure: the engine keeps the state and acts on the answer.

export interface Coverage {
	/** Every seq up to here is merged, stood for by a snapshot, or was refused on its merits. */
	covered: number;
	/** Seqs beyond `covered` already accounted for (a snapshot's own seq, skipped snapshots). */
	held?: readonly number[];
}

export interface SeqPosition {
	seq: number;
	kind: 'change' | 'snapshot';
	covers?: number;
}

function absorb(covered: number, held: readonly number[]): Coverage {
	const ahead = new Set(held.filter((s) => s > covered));
	while (ahead.delete(covered + 1)) covered++;
	return ahead.size > 0 ? { covered, held: [...ahead].sort((a, b) => a - b) } : { covered };
}

/** Coverage once the relay has said these seqs need not be sent (see CatchupDoc.skipped). */
export function withSkipped(c: Coverage, skipped: readonly number[]): Coverage {
	return skipped.length === 0 ? c : absorb(c.covered, [...(c.held ?? []), ...skipped]);
}

/** Coverage after one more entry in relay order, or undefined when there is a hole before it. */
export function coverageAfter(before: Coverage, entry: SeqPosition): Coverage | undefined {
	const c = absorb(before.covered, before.held ?? []);
	const held = c.held ?? [];
	if (entry.seq <= c.covered || held.includes(entry.seq)) return c;
	const covers = entry.covers ?? 0;
	if (entry.kind === 'snapshot' && covers > c.covered && covers < entry.seq) return absorb(covers, [...held, entry.seq]);
	if (entry.seq !== c.covered + 1) return undefined;
	return absorb(entry.seq, held);
}

/** Whether a finished catch-up reached the relay's head. */
export function reachesHead(c: Coverage, head: number): boolean {
	return absorb(c.covered, c.held ?? []).covered >= head;
}
