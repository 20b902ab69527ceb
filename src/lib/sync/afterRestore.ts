// After a relay's storage is restored from a backup, a device compares each of its logs (a
// document's auth records, a space's membership ops) with the restored relay's. Pure: the
// engine applies the answer.

/**
 * Where our log and the relay's part ways, and what to send again. The relay's order stands
 * up to `keep` (we drop ours after it and take the relay's from there); `pending` is, in
 * order, our records after `keep` that the relay lacks, then our own still-unsent records
 * that it lacks too. Undefined when ours is a prefix of the relay's (nothing to put back).
 */
export function afterRestore<T extends { sig: string }>(
	mine: ReadonlyArray<T | null>,
	relay: readonly T[],
	pending: readonly T[]
): { keep: number; pending: T[] } | undefined {
	let keep = 0;
	while (keep < mine.length && keep < relay.length && mine[keep]?.sig === relay[keep].sig) keep++;
	if (keep === mine.length) return undefined;
	const onRelay = new Set(relay.map((r) => r.sig));
	const missing = mine.slice(keep).filter((r): r is T => r !== null && !onRelay.has(r.sig));
	const resent = new Set(missing.map((r) => r.sig));
	return { keep, pending: [...missing, ...pending.filter((p) => !onRelay.has(p.sig) && !resent.has(p.sig))] };
}
