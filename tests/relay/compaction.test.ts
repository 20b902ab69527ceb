// Snapshots keep the relay's log short: a client compacts after enough entries, the relay
// drops what the snapshot covers, and a newcomer loads the snapshot plus what came after.
import { afterEach, describe, expect, it } from 'vitest';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';

let relay: RelayProcess | undefined;
const open: Device[] = [];
afterEach(async () => {
	for (const d of open.splice(0)) await d.engine.close();
	await relay?.stop();
});

function relayEntries(r: RelayProcess, docId: DocumentId) {
	return r.query<{ seq: number; kind: string }>('SELECT seq, kind FROM entries WHERE doc_id = ? ORDER BY seq', [docId]);
}

describe('compaction', () => {
	it('replaces covered entries with a snapshot that newcomers load', async () => {
		relay = await startRelay();
		const alice = await openDevice('alice', relay, undefined, { compactEvery: 10 });
		open.push(alice);
		alice.engine.connect();
		const handle = await alice.engine.create<{ items: number[] }>({ items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		for (let i = 0; i < 25; i++) {
			handle.change((d) => d.items.push(i));
			await alice.engine.whenSynced();
		}
		await eventually(async () => (await relayEntries(relay!, docId)).some((r) => r.kind === 'snapshot'), 10_000, 'a snapshot on the relay');
		const rows = await relayEntries(relay, docId);
		expect(rows.filter((r) => r.kind === 'snapshot')).toHaveLength(1);
		expect(rows.length).toBeLessThan(25);

		const carol = await openDevice('carol', relay);
		open.push(carol);
		await carol.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		carol.engine.connect();
		await eventually(() => carol.engine.handle<{ items: number[] }>(docId)?.doc().items.length === 25, 10_000, 'carol loads the snapshot');
		expect(carol.engine.handle<{ items: number[] }>(docId)!.doc().items).toEqual([...Array(25).keys()]);
		expect(carol.engine.status.problems).toEqual([]);

		// Carol keeps working normally after starting from a snapshot.
		await carol.engine.whenSynced();
		carol.engine.handle<{ items: number[] }>(docId)!.change((d) => d.items.push(99));
		await eventually(() => handle.doc().items.includes(99), 10_000, 'alice sees carol’s edit');
	});
});
