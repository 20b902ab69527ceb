// Snapshots keep the relay's log short: a client compacts after enough entries, the relay
// drops what the snapshot covers, and a newcomer loads the snapshot plus what came after.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import { cryptoReady } from '$lib/crypto';
import type { ClientMessage, DocumentId, ServerMessage } from '$lib/protocol';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { coverageAfter, reachesHead, withSkipped, type Coverage } from '$lib/sync/seqCoverage';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';
import { genesis, marker, randomDocId, signedEntry, signedSnapshot } from '$tests/helpers/signedFrames';

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

	it('keeps a snapshot written beside a newer one, so a catch-up still accounts for every seq', async () => {
		await cryptoReady();
		relay = await startRelay();
		const writer = await RawRelayClient.connect(relay.url);
		const docId = randomDocId();
		const { kp, record } = genesis(docId);
		writer.send({ type: 'auth', rid: 1, record });
		await writer.reply(1, 'auth-ok');
		for (let i = 1; i <= 6; i++) {
			writer.send({ type: 'push', rid: 10 + i, entry: signedEntry(docId, kp, marker(i)) });
			await writer.reply(10 + i, 'ack');
		}
		// Two devices compact at once: one had seen up to 4, the other up to 5. The second
		// snapshot covers less than the first one's own seq (7), so that one must stay.
		writer.send({ type: 'push', rid: 20, entry: signedSnapshot(docId, kp, 4, marker(100)) });
		await writer.reply(20, 'ack');
		writer.send({ type: 'push', rid: 21, entry: signedSnapshot(docId, kp, 5, marker(101)) });
		await writer.reply(21, 'ack');

		const reader = await RawRelayClient.connect(relay.url);
		reader.send({ type: 'sync', rid: 1, docs: [{ docId, since: 0, authSince: 0 }] });
		const catchup = (await reader.next((m) => m.type === 'catchup' && m.done)) as Extract<ServerMessage, { type: 'catchup' }>;
		const part = catchup.docs[0];
		// The older snapshot is kept but not sent: everything in it is in what the reader gets.
		expect(part.entries.map((e) => [e.seq, e.kind, e.covers])).toEqual([
			[8, 'snapshot', 5],
			[6, 'change', undefined]
		]);
		expect(part.skipped).toEqual([7]);
		let coverage: Coverage | undefined = withSkipped({ covered: 0 }, part.skipped ?? []);
		for (const e of part.entries) coverage = coverage && coverageAfter(coverage, { seq: e.seq!, kind: e.kind, covers: e.covers });
		expect(coverage && reachesHead(coverage, part.head)).toBe(true);
		// A reader already past both covers gets neither snapshot, only their seqs.
		reader.send({ type: 'sync', rid: 2, docs: [{ docId, since: 6, authSince: 1 }] });
		const later = (await reader.next((m) => m.type === 'catchup' && m.rid === 2 && m.done)) as Extract<ServerMessage, { type: 'catchup' }>;
		expect(later.docs[0].entries).toEqual([]);
		expect(later.docs[0].skipped).toEqual([7, 8]);
		expect(reachesHead(withSkipped({ covered: 6 }, later.docs[0].skipped ?? []), later.docs[0].head)).toBe(true);
		writer.close();
		reader.close();
	});
});
