// Faults on a two-node relay over one PostgreSQL: a node killed mid-burst, the database
// stopped for a moment, and a bad network between clients and relays. Every acknowledged
// entry must survive, devices must reconnect by themselves and converge, and no change may
// be lost or applied twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId, ServerMessage } from '$lib/protocol';
import { FlakyProxy } from '$tests/helpers/FlakyProxy';
import { startPostgres, type PostgresProcess } from '$tests/helpers/postgresProcess';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';
import { genesis, marker, randomDocId, signedEntry } from '$tests/helpers/signedFrames';

interface Notes {
	items: string[];
}

let pg: PostgresProcess;
let node1: RelayProcess;
let node2: RelayProcess;
const devices: Device[] = [];
const proxies: FlakyProxy[] = [];

beforeAll(async () => {
	await cryptoReady();
	pg = await startPostgres();
	const pgUrl = await pg.createDatabase();
	node1 = await startRelay({ store: 'postgres', pgUrl, pgDataDir: pg.dataDir });
	node2 = await startRelay({ store: 'postgres', pgUrl, pgDataDir: pg.dataDir });
}, 60_000);

afterEach(async () => {
	for (const d of devices.splice(0)) await d.engine.close();
	for (const p of proxies.splice(0)) await p.close();
});

afterAll(async () => {
	await node1?.stop();
	await node2?.stop();
	pg?.remove();
});

async function device(name: string, url: string): Promise<Device> {
	const d = await openDevice(name, { url } as RelayProcess);
	devices.push(d);
	d.engine.connect();
	return d;
}

/** Alice creates a document; Bob opens it from the share link; both can write. */
async function sharedNotes(alice: Device, bob: Device): Promise<DocumentId> {
	const handle = await alice.engine.create<Notes>({ items: [] });
	const docId = handle.documentId as unknown as DocumentId;
	await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
	await eventually(() => bob.engine.handle(docId) !== undefined && bob.engine.isCaughtUp(docId), 20_000, 'bob to open the document');
	await bob.engine.whenSynced();
	return docId;
}

const items = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc().items ?? [];
const edit = (d: Device, docId: DocumentId, item: string) => d.engine.handle<Notes>(docId)!.change((n) => n.items.push(item));

/** Both devices hold exactly `expected` (each item once) and the same document. */
async function convergeOn(a: Device, b: Device, docId: DocumentId, expected: string[], timeoutMs = 30_000) {
	const want = [...expected].sort();
	const holds = (d: Device) => JSON.stringify([...items(d, docId)].sort()) === JSON.stringify(want);
	await eventually(() => holds(a) && holds(b), timeoutMs, `both devices to hold exactly the ${want.length} edits`).catch((error) => {
		const missing = (d: Device) => want.filter((w) => !items(d, docId).includes(w));
		throw new Error(`${(error as Error).message}: ${a.name} has ${items(a, docId).length} (missing ${missing(a).join(', ')}), ${b.name} has ${items(b, docId).length} (missing ${missing(b).join(', ')})`);
	});
	expect(items(a, docId)).toEqual(items(b, docId));
}

type Ack = Extract<ServerMessage, { type: 'ack' }>;

describe('faults on a two-node relay', () => {
	it('a node killed with SIGKILL mid-burst loses no acknowledged entry; its clients reconnect and converge', async () => {
		const alice = await device('alice', node1.url);
		const bob = await device('bob', node2.url);
		const docId = await sharedNotes(alice, bob);

		// A raw writer bursts signed entries at node 1 without waiting for replies.
		const rawDoc = randomDocId();
		const { kp, record } = genesis(rawDoc);
		const writer = await RawRelayClient.connect(node1.url);
		writer.send({ type: 'auth', rid: 1, record });
		await writer.reply(1, 'auth-ok');
		const burst = 1500;
		for (let i = 0; i < burst; i++) writer.send({ type: 'push', rid: 1000 + i, entry: signedEntry(rawDoc, kp, marker(i)) });

		const expected: string[] = [];
		for (let i = 0; i < 30; i++) {
			expected.push(`alice ${i}`, `bob ${i}`);
			edit(alice, docId, `alice ${i}`);
			edit(bob, docId, `bob ${i}`);
			if (i === 3) await node1.kill(); // mid-burst, mid-edits
			if (i === 15) await node1.start();
			await new Promise((r) => setTimeout(r, 30));
		}

		const acked = writer.messages.filter((m): m is Ack => m.type === 'ack');
		expect(acked.length).toBeGreaterThan(0);
		expect(acked.length, 'the kill must land mid-burst').toBeLessThan(burst);
		const stored = await node2.query<{ seq: number; ct: string }>('SELECT seq, ct FROM entries WHERE doc_id = ? ORDER BY seq', [rawDoc]);
		const bySeq = new Map(stored.map((r) => [r.seq, r.ct]));
		for (const ack of acked) expect(bySeq.get(ack.seq), `acknowledged entry ${ack.rid} at seq ${ack.seq}`).toBe(marker(ack.rid - 1000));
		// Stored once each, with no gap: whatever was cut off was never stored at all.
		expect(stored.map((r) => r.seq)).toEqual(stored.map((_, i) => i + 1));
		expect(new Set(stored.map((r) => r.ct)).size).toBe(stored.length);

		await convergeOn(alice, bob, docId, expected);
	}, 90_000);

	it('PostgreSQL stopping for a moment: not ready meanwhile, nothing lost, everyone converges after', async () => {
		const alice = await device('alice', node1.url);
		const bob = await device('bob', node2.url);
		const docId = await sharedNotes(alice, bob);
		const expected = ['before'];
		edit(alice, docId, 'before');
		await convergeOn(alice, bob, docId, expected);

		pg.stop();
		await eventually(async () => (await fetch(`${node1.httpUrl}/readyz`)).status === 503, 10_000, 'node 1 to report not ready');
		expect((await fetch(`${node1.httpUrl}/healthz`)).status).toBe(200);
		for (let i = 0; i < 5; i++) {
			expected.push(`alice during ${i}`, `bob during ${i}`);
			edit(alice, docId, `alice during ${i}`);
			edit(bob, docId, `bob during ${i}`);
			await new Promise((r) => setTimeout(r, 200));
		}
		expect(alice.engine.status.pendingChanges).toBeGreaterThan(0);
		pg.start();
		await eventually(async () => (await fetch(`${node2.httpUrl}/readyz`)).status === 200, 20_000, 'node 2 ready again');

		expected.push('after');
		edit(bob, docId, 'after');
		await convergeOn(alice, bob, docId, expected, 40_000);
		const metrics = await (await fetch(`${node1.httpUrl}/metrics`)).text();
		expect(metrics).toMatch(/^hearth_relay_storage_errors_total [1-9]/m);
	}, 90_000);

	it('a network that delays, drops and cuts connections: devices reconnect by themselves and converge, each change once', async () => {
		const p1 = await FlakyProxy.start(node1.port);
		const p2 = await FlakyProxy.start(node2.port);
		proxies.push(p1, p2);
		const alice = await device('alice', p1.url);
		const bob = await device('bob', p2.url);
		const docId = await sharedNotes(alice, bob);

		// A raw writer through the bad network too: what it was told is stored must be stored.
		const rawDoc = randomDocId();
		const { kp, record } = genesis(rawDoc);
		const acks: Ack[] = [];
		const openWriter = async () => {
			const w = await RawRelayClient.connect(p1.url);
			w.ws.on('message', (d) => {
				const m = JSON.parse(String(d)) as ServerMessage;
				if (m.type === 'ack') acks.push(m);
			});
			return w;
		};
		let writer = await openWriter();
		writer.send({ type: 'auth', rid: 1, record });
		await writer.reply(1, 'auth-ok');

		for (const p of [p1, p2]) {
			p.delayMs = 15;
			p.jitterMs = 40;
			p.dropChance = 0.01;
		}
		const expected: string[] = [];
		for (let i = 0; i < 40; i++) {
			expected.push(`alice ${i}`, `bob ${i}`);
			edit(alice, docId, `alice ${i}`);
			edit(bob, docId, `bob ${i}`);
			if (writer.closed) writer = await openWriter().catch(() => writer);
			if (!writer.closed) writer.send({ type: 'push', rid: 1000 + i, entry: signedEntry(rawDoc, kp, marker(i)) });
			if (i % 10 === 5) {
				p1.cutAll();
				p2.cutAll();
			}
			await new Promise((r) => setTimeout(r, 40));
		}
		expect(p1.cuts + p2.cuts).toBeGreaterThan(0);
		for (const p of [p1, p2]) {
			p.dropChance = 0;
			p.delayMs = 0;
			p.jitterMs = 0;
		}
		await convergeOn(alice, bob, docId, expected, 45_000);

		const stored = await node1.query<{ seq: number; ct: string }>('SELECT seq, ct FROM entries WHERE doc_id = ?', [rawDoc]);
		const bySeq = new Map(stored.map((r) => [r.seq, r.ct]));
		for (const ack of acks) expect(bySeq.get(ack.seq)).toBe(marker(ack.rid - 1000));
		writer.close();
	}, 120_000);
});
