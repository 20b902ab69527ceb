// Snapshots keep the relay's log short: a client compacts after enough entries, the relay
// drops what the snapshot covers, and a newcomer loads the snapshot plus what came after.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { ClientMessage, DocumentId } from '$lib/protocol';
import type { SocketLike } from '$lib/sync/RelayConnection';
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

	it('changes made while a snapshot was on its way still go out when the relay refuses that snapshot', async () => {
		relay = await startRelay();
		// Alice's first snapshot is held back on its way to the relay until Bob's, covering the
		// same entries, is stored: the relay then refuses hers as stale.
		let holding = true;
		const held: Array<() => void> = [];
		class HoldingSocket extends WebSocket {
			override send(data: string): void {
				const message = JSON.parse(data) as ClientMessage;
				if (holding && message.type === 'push' && message.entry.kind === 'snapshot') {
					holding = false;
					held.push(() => super.send(data));
				} else super.send(data);
			}
		}
		const alice = await openDevice('alice', relay, undefined, { compactEvery: 4, socketFactory: (url) => new HoldingSocket(url) as unknown as SocketLike });
		const bob = await openDevice('bob', relay, undefined, { compactEvery: 4 });
		open.push(alice, bob);
		alice.engine.connect();
		bob.engine.connect();
		const handle = await alice.engine.create<{ items: string[] }>({ items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await alice.engine.whenSynced();
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		const stored = async () => (await relay!.query<{ head: number; auth_count: number; snapshot_seq: number }>('SELECT head, auth_count, snapshot_seq FROM docs WHERE doc_id = ?', [docId]))[0];
		await eventually(async () => (await stored()).auth_count === 2 && bob.engine.isCaughtUp(docId), 10_000, 'bob to join');
		// Both compact after the fourth entry: Alice on its acknowledgement, Bob on receiving it.
		for (let i = 0; held.length === 0 && i < 10; i++) {
			const head = (await stored()).head;
			handle.change((d) => d.items.push(`alice ${i}`));
			await eventually(async () => (await stored()).head > head, 10_000, 'alice’s change on the relay');
		}
		expect(held, 'alice sent a snapshot').toHaveLength(1);
		await eventually(async () => (await stored()).snapshot_seq > 0, 10_000, 'bob’s snapshot on the relay');
		handle.change((d) => d.items.push('written while the snapshot was on its way'));
		held[0]();
		const metrics = async () => (await fetch(`${relay!.httpUrl}/metrics`)).text();
		await eventually(async () => (await metrics()).includes('hearth_relay_rejected_frames_total{reason="stale-snapshot"} 1'), 10_000, 'the relay to refuse alice’s snapshot');
		await eventually(
			() => bob.engine.handle<{ items: string[] }>(docId)?.doc().items.includes('written while the snapshot was on its way') === true,
			5_000,
			'alice’s change to reach bob'
		);
		expect(bob.engine.handle<{ items: string[] }>(docId)!.doc().items).toEqual(handle.doc().items);
	});
});

