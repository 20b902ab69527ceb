// Coming back after a long time offline, a device catches up from a snapshot plus the entries
// after it. When two people write at once, some entries land between what a snapshot covers
// and the snapshot's own place in the log; those are not inside it and must still be merged.
// (They used to be skipped as "already had", so a returning device could miss them for good.)
import { afterEach, describe, expect, it } from 'vitest';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';

type Notes = { items: string[] };

let relay: RelayProcess | undefined;
const open: Device[] = [];
afterEach(async () => {
	for (const d of open.splice(0)) await d.engine.close();
	await relay?.stop();
});

const items = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc()?.items;

async function write(d: Device, docId: DocumentId, name: string, round: number, count: number): Promise<void> {
	const handle = d.engine.handle<Notes>(docId)!;
	for (let i = 0; i < count; i++) {
		handle.change((doc) => doc.items.push(`${name} ${round}.${i}`));
		await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 8)));
	}
}

describe('catching up from a snapshot', () => {
	it('a device back from offline gets every change, including those written beside a snapshot', async () => {
		relay = await startRelay();
		// Compacting often makes snapshots land while the other writer is mid-burst.
		const ana = await openDevice('ana', relay, undefined, { compactEvery: 4 });
		const cy = await openDevice('cy', relay, undefined, { compactEvery: 4 });
		const bo = await openDevice('bo', relay);
		open.push(ana, cy, bo);
		for (const d of open) d.engine.connect();
		const handle = await ana.engine.create<Notes>({ items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		for (const d of [cy, bo]) await d.engine.add(parseShareLink(shareFragment(ana.engine.access(docId)!)));
		await eventually(() => items(cy, docId) !== undefined && items(bo, docId) !== undefined, 20_000, 'everyone to have the document');

		for (let round = 1; round <= 8; round++) {
			bo.engine.disconnect();
			// Bo comes back in the middle of the burst, when the newest snapshot often has
			// entries from the other writer between what it covers and itself.
			const back = new Promise<void>((r) => setTimeout(r, 60 + Math.floor(Math.random() * 120))).then(() => bo.engine.connect());
			await Promise.all([write(ana, docId, 'ana', round, 24), write(cy, docId, 'cy', round, 24), back]);
			await ana.engine.whenSynced(20_000);
			await cy.engine.whenSynced(20_000);
			await eventually(() => items(ana, docId)!.length === items(cy, docId)!.length, 20_000, 'ana and cy to agree');
			await bo.engine.whenSynced(20_000);
			const want = [...items(ana, docId)!].sort();
			await eventually(() => items(bo, docId)!.length === want.length, 10_000, `bo to catch up in round ${round}`);
			expect([...items(bo, docId)!].sort()).toEqual(want);
		}
		expect(bo.engine.status.problems).toEqual([]);
	}, 120_000);
});
