// Several relay nodes on one PostgreSQL: a client on one node sees what a client on another
// node wrote, seqs stay unique and gap-free, and the membership log orders ops across nodes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId, ServerMessage } from '$lib/protocol';
import { startPostgres, type PostgresProcess } from '$tests/helpers/postgresProcess';
import pgLib from 'pg';
import { PostgresStore } from '../../sync-server/PostgresStore';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';
import { newSigningKeyPair } from '$lib/crypto';
import { addWriters, genesis, marker, randomDocId, signedEntry, signedSnapshot } from '$tests/helpers/signedFrames';

let pg: PostgresProcess;
let node1: RelayProcess;
let node2: RelayProcess;
let pgUrl: string;
const devices: Device[] = [];

beforeAll(async () => {
	await cryptoReady();
	pg = await startPostgres();
	pgUrl = await pg.createDatabase();
	node1 = await startRelay({ store: 'postgres', pgUrl, pgDataDir: pg.dataDir });
	node2 = await startRelay({ store: 'postgres', pgUrl, pgDataDir: pg.dataDir });
}, 60_000);

afterAll(async () => {
	for (const d of devices) await d.engine.close();
	await node1?.stop();
	await node2?.stop();
	pg?.remove();
});

async function device(name: string, relay: RelayProcess): Promise<Device> {
	const d = await openDevice(name, relay);
	devices.push(d);
	d.engine.connect();
	return d;
}

describe('two relay nodes sharing one PostgreSQL', () => {
	it('both nodes really use PostgreSQL, not a folder of their own', async () => {
		expect(node1.logs()).not.toContain('relay.sqlite');
		const [{ n }] = await node1.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM hearth_schema_migrations');
		expect(n).toBeGreaterThan(0);
		expect((await fetch(`${node2.httpUrl}/readyz`)).status).toBe(200);
	});

	// Both devices compact near the end of this burst, so a catch-up can meet a snapshot
	// stored on the other node; that once lost entries for good (see "a catch-up read that
	// another node's snapshot overtakes", below). If it ever fails again, the printout shows
	// what each side had.
	it('devices attached to different nodes converge on a shared document', async () => {
		const alice = await device('alice', node1);
		const bob = await device('bob', node2);
		const handle = await alice.engine.create<{ items: string[] }>({ items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		await eventually(() => bob.engine.handle(docId) !== undefined && bob.engine.isCaughtUp(docId), 15_000, 'bob (node 2) to load the document from node 1');
		for (let i = 0; i < 10; i++) {
			handle.change((d) => d.items.push(`alice ${i}`));
			bob.engine.handle<{ items: string[] }>(docId)!.change((d) => d.items.push(`bob ${i}`));
			await new Promise((r) => setTimeout(r, 20));
		}
		const items = (d: Device) => d.engine.handle<{ items: string[] }>(docId)?.doc().items ?? [];
		try {
			await eventually(() => items(alice).length === 20 && items(bob).length === 20, 20_000, 'all 20 edits on both nodes’ devices');
		} catch (error) {
			const stored = await node1.query<{ head: number; auth_count: number }>('SELECT head, auth_count FROM docs WHERE doc_id = ?', [docId]);
			console.error('cluster convergence failed', {
				alice: { items: items(alice), caughtUp: alice.engine.isCaughtUp(docId), status: alice.engine.status },
				bob: { items: items(bob), caughtUp: bob.engine.isCaughtUp(docId), status: bob.engine.status },
				stored
			});
			console.error('node 1 log tail', node1.logs().slice(-3000));
			console.error('node 2 log tail', node2.logs().slice(-3000));
			throw error;
		}
		expect(items(alice)).toEqual(items(bob));
		expect(new Set(items(alice)).size).toBe(20);
	});

	it('after a database restore, relay:restored gives the storage a new lineage that every node announces', async () => {
		const welcome = async (url: string) => {
			const c = await RawRelayClient.connect(url);
			c.close();
			return (c.messages[0] as Extract<ServerMessage, { type: 'welcome' }>).lineage;
		};
		const before = await welcome(node1.url);
		expect(before).toBeTruthy();
		expect(await welcome(node2.url)).toBe(before);
		const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'sync-server/markRestored.ts'], {
			env: { ...process.env, HEARTH_STORE: 'postgres', HEARTH_PG_URL: pgUrl }
		});
		expect(stdout).toContain('Marked the relay storage as restored');
		// A running node keeps what it read at start; restarted nodes announce the new one.
		await node1.restart();
		await node2.restart();
		const after = await welcome(node1.url);
		expect(after).not.toBe(before);
		expect(await welcome(node2.url)).toBe(after);
	});

	it('a private space works across nodes: invitation on one, acceptance on the other', async () => {
		const olive = await device('olive', node1);
		const bea = await device('bea', node2);
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const notes = await olive.engine.createInSpace<{ items: string[] }>(spaceId, circles[1], { items: ['first'] });
		const docId = notes.documentId as unknown as DocumentId;
		const link = await olive.engine.invite(spaceId, { circles, info: { space: 'x', from: 'y' } });
		await olive.engine.whenSynced();
		await bea.engine.acceptInvitation(link);
		await eventually(() => olive.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 15_000, 'olive hears bea’s request via node 2');
		await olive.engine.admit(spaceId, link.invite);
		await eventually(() => bea.engine.handle<{ items: string[] }>(docId)?.doc().items[0] === 'first', 15_000, 'bea reads the notes');
		await eventually(() => bea.engine.isCaughtUp(docId));
		bea.engine.handle<{ items: string[] }>(docId)!.change((d) => d.items.push('from bea'));
		await eventually(() => notes.doc().items.includes('from bea'), 15_000, 'bea’s note reaches olive');
	});

	it('a writer who joined through another node reaches readers only after the record that let them in', async () => {
		// A third node whose notices are slow: it stores a join and the newcomer's entry, and
		// tells nobody. When node 1 next stores an entry it fills the gap from storage, and the
		// join must go out before the newcomer's entry, or every reader refuses it for good.
		const docId = randomDocId();
		const { kp, record } = genesis(docId);
		const newcomer = newSigningKeyPair();
		const writer = await RawRelayClient.connect(node1.url);
		const reader = await RawRelayClient.connect(node1.url);
		writer.send({ type: 'auth', rid: 1, record });
		await writer.reply(1, 'auth-ok');
		reader.send({ type: 'sync', rid: 2, docs: [{ docId, since: 0, authSince: 0 }] });
		await reader.next((m) => m.type === 'catchup' && m.rid === 2 && m.done);

		const join = addWriters(docId, kp, [newcomer]);
		const theirs = signedEntry(docId, newcomer, marker(1));
		await node2.query('UPDATE docs SET auth_count = 2, head = 1, bytes = ? WHERE doc_id = ?', [theirs.ct.length, docId]);
		await node2.query('INSERT INTO auth (doc_id, idx, record) VALUES (?, 1, ?)', [docId, JSON.stringify(join)]);
		await node2.query("INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, 1, 0, 'change', NULL, ?, ?, ?, ?)", [
			docId,
			theirs.author,
			theirs.nonce,
			theirs.ct,
			theirs.sig
		]);

		writer.send({ type: 'push', rid: 3, entry: signedEntry(docId, kp, marker(2)) });
		expect((await writer.reply(3, 'ack')).seq).toBe(2);
		await eventually(() => reader.messages.filter((m) => m.type === 'entry').length >= 2, 10_000, 'both entries at the reader');
		const seen = reader.messages.filter((m) => m.type === 'auth' || m.type === 'entry');
		const joined = seen.findIndex((m) => m.type === 'auth' && m.index === 1);
		const wrote = seen.findIndex((m) => m.type === 'entry' && m.entry.author === theirs.author);
		expect(joined, 'the join reaches the reader').toBeGreaterThanOrEqual(0);
		expect(joined, 'before the newcomer’s entry').toBeLessThan(wrote);
		writer.close();
		reader.close();
	});

	it('a document created on another node while a follower’s catch-up is being read still reaches it with its auth log', async () => {
		// The follower asks for a document nobody has stored yet, alongside one whose read is
		// held up. While its catch-up is unfinished, the document is created through node 2:
		// node 1 hears of the genesis record before it has noted what that catch-up holds, and
		// must not take it as already sent (the catch-up will only say "unknown").
		const fresh = randomDocId();
		const slow = randomDocId();
		const old = genesis(slow);
		const w1 = await RawRelayClient.connect(node1.url);
		w1.send({ type: 'auth', rid: 1, record: old.record });
		await w1.reply(1, 'auth-ok');
		w1.send({ type: 'push', rid: 2, entry: signedEntry(slow, old.kp, marker(1)) });
		await w1.reply(2, 'ack');
		const auths = async () => Number(/hearth_relay_cluster_events_total\{kind="auth"\} (\d+)/.exec(await (await fetch(`${node1.httpUrl}/metrics`)).text())?.[1] ?? 0);
		const heard = await auths();

		// Reads of entries wait while this transaction holds the table.
		const holder = new pgLib.Client({ connectionString: pgUrl });
		await holder.connect();
		await holder.query('BEGIN');
		await holder.query('LOCK TABLE entries IN ACCESS EXCLUSIVE MODE');
		const reader = await RawRelayClient.connect(node1.url);
		const created = genesis(fresh);
		const w2 = await RawRelayClient.connect(node2.url);
		try {
			reader.send({ type: 'sync', rid: 3, docs: [fresh, slow].map((docId) => ({ docId, since: 0, authSince: 0 })) });
			// Asked on a connection of its own: inside a transaction the activity view stays as first read.
			const waiting = async () =>
				(
					await node1.query<{ n: number }>(
						"SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hearth-relay' AND wait_event_type = 'Lock' AND query LIKE '%FROM docs d JOIN entries%'"
					)
				)[0].n;
			await eventually(async () => (await waiting()) > 0, 10_000, 'the catch-up read to wait');
			w2.send({ type: 'auth', rid: 4, record: created.record });
			await w2.reply(4, 'auth-ok');
			await eventually(async () => (await auths()) > heard, 10_000, 'node 1 to hear of the new document');
			await new Promise((r) => setTimeout(r, 200));
		} finally {
			await holder.query('COMMIT');
			await holder.end();
		}
		const done = (await reader.next((m) => m.type === 'catchup' && m.rid === 3 && m.done)) as Extract<ServerMessage, { type: 'catchup' }>;
		expect(done.unknown, 'the catch-up was read before the document existed').toEqual([fresh]);

		w2.send({ type: 'push', rid: 5, entry: signedEntry(fresh, created.kp, marker(2)) });
		await w2.reply(5, 'ack');
		await eventually(() => reader.messages.some((m) => m.type === 'entry' && m.entry.docId === fresh), 10_000, 'the entry at the follower');
		const seen = reader.messages.filter((m) => (m.type === 'auth' && m.docId === fresh) || (m.type === 'entry' && m.entry.docId === fresh));
		expect(seen.map((m) => m.type), 'the genesis record, then the entry its writer may write by').toEqual(['auth', 'entry']);
		for (const c of [w1, w2, reader]) c.close();
	});

	it('concurrent writers on both nodes get unique, gap-free seqs, and every subscriber sees each entry once, in order, as stored', async () => {
		const docId = randomDocId();
		const { kp, record } = genesis(docId);
		const w1 = await RawRelayClient.connect(node1.url);
		const w2 = await RawRelayClient.connect(node2.url);
		const r1 = await RawRelayClient.connect(node1.url);
		const r2 = await RawRelayClient.connect(node2.url);
		w1.send({ type: 'auth', rid: 1, record });
		await w1.reply(1, 'auth-ok');
		for (const [i, r] of [r1, r2].entries()) {
			r.send({ type: 'sync', rid: 10 + i, docs: [{ docId, since: 0, authSince: 0 }] });
			await r.next((m) => m.type === 'catchup' && m.rid === 10 + i && m.done);
		}
		const perWriter = 60;
		// Small changes reach the other node inside its notice; every third one here is too big
		// for that and is read back from the database. Both must arrive whole and in order.
		const ct = (n: number) => (n % 3 === 0 ? marker(n) + 'A'.repeat(3_000) : marker(n));
		for (let i = 0; i < perWriter; i++) {
			w1.send({ type: 'push', rid: 100 + i, entry: signedEntry(docId, kp, ct(i)) });
			w2.send({ type: 'push', rid: 100 + i, entry: signedEntry(docId, kp, ct(1000 + i)) });
		}
		const acks = async (c: RawRelayClient) => {
			await c.next((m) => m.type === 'ack' && m.rid === 100 + perWriter - 1);
			return c.messages.filter((m): m is Extract<ServerMessage, { type: 'ack' }> => m.type === 'ack').map((m) => m.seq);
		};
		const seqs = [...(await acks(w1)), ...(await acks(w2))].sort((a, b) => a - b);
		expect(seqs).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 1));
		const delivered = (c: RawRelayClient) =>
			c.messages.filter((m): m is Extract<ServerMessage, { type: 'entry' }> => m.type === 'entry' && m.entry.docId === docId).map((m) => m.entry);
		const stored = await node2.query<{ seq: number; epoch: number; author: string; nonce: string; ct: string; sig: string }>(
			'SELECT seq, epoch, author, nonce, ct, sig FROM entries WHERE doc_id = ? ORDER BY seq',
			[docId]
		);
		expect(stored.map((r) => r.seq)).toEqual(seqs);
		expect(new Set(stored.map((r) => r.ct)).size).toBe(2 * perWriter);
		for (const reader of [r1, r2]) {
			await eventually(() => delivered(reader).length >= 2 * perWriter, 15_000, 'every entry fanned out to a reader');
			expect(delivered(reader)).toEqual(stored.map((r) => ({ docId, kind: 'change', ...r })));
		}
		for (const c of [w1, w2, r1, r2]) c.close();
	});

	it('two nodes batching appends to the same documents store each once, gap-free, in each node’s order', async () => {
		// Many appends at once fill each node's lanes, so batches of the two nodes meet on the
		// same documents: one skips what the other holds and tries again in its next batch.
		const [a, b] = [new PostgresStore({ url: pgUrl }), new PostgresStore({ url: pgUrl })];
		await a.open();
		await b.open();
		const docs = Array.from({ length: 20 }, () => randomDocId());
		for (const docId of docs) expect(await a.appendAuth(docId, 0, genesis(docId).record)).toBe(true);
		const { kp } = genesis(docs[0]);
		const guard = { authCount: 1, maxDocBytes: 10_000_000 };
		const sent = Array.from({ length: 1200 }, (_, i) => ({ node: i % 2 ? a : b, entry: signedEntry(docs[(i * 7) % docs.length], kp, marker(i)) }));
		const results = await Promise.all(sent.map(({ node, entry }) => node.append(entry, guard)));
		expect(results.every((r) => r.ok)).toBe(true);
		for (const docId of docs) {
			const head = (await a.getDoc(docId))!.head;
			const stored = await a.entriesBetween(docId, 0, head);
			expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
			const mine = sent.filter((x) => x.entry.docId === docId);
			expect(new Set(stored.map((e) => e.ct))).toEqual(new Set(mine.map((x) => x.entry.ct)));
			// Each node's appends to a document keep the order it was given them in.
			for (const node of [a, b]) {
				const order = mine.filter((x) => x.node === node).map((x) => x.entry.ct);
				expect(stored.map((e) => e.ct).filter((ct) => order.includes(ct))).toEqual(order);
			}
		}
		await a.close();
		await b.close();
	});

	it('a catch-up read that another node’s snapshot overtakes still holds every entry', async () => {
		// Catch-up reads a document's row, then its entries. A snapshot stored on another node in
		// between deletes what it covers: the entries must come with that snapshot, not without
		// it, or the reader skips what the snapshot covers for good.
		const [a, b] = [new PostgresStore({ url: pgUrl }), new PostgresStore({ url: pgUrl })];
		await a.open();
		await b.open();
		const docId = randomDocId();
		const { kp, record } = genesis(docId);
		await a.appendAuth(docId, 0, record);
		const guard = { authCount: 1, maxDocBytes: 10_000_000 };
		for (let i = 1; i <= 6; i++) expect(await a.append(signedEntry(docId, kp, marker(i)), guard)).toEqual({ ok: true, seq: i });
		// The relay's catch-up has read the document's row (no snapshot yet) when another node
		// stores a snapshot covering seqs 1-4.
		expect((await a.getDoc(docId))!.snapshotSeq).toBe(0);
		expect(await b.append(signedSnapshot(docId, kp, 4, marker(100)), guard)).toEqual({ ok: true, seq: 7 });
		const read = (await a.entriesSince(docId, 2)).entries;
		expect(read.map((e) => [e.seq, e.kind, e.covers])).toEqual([
			[7, 'snapshot', 4],
			[5, 'change', undefined],
			[6, 'change', undefined]
		]);
		await a.close();
		await b.close();
	});

	it('a document another node is writing does not hold up the rest of a batch', async () => {
		const store = new PostgresStore({ url: pgUrl });
		await store.open();
		const busy = randomDocId();
		const others = Array.from({ length: 30 }, () => randomDocId());
		for (const docId of [busy, ...others]) await store.appendAuth(docId, 0, genesis(docId).record);
		const { kp } = genesis(busy);
		const guard = { authCount: 1, maxDocBytes: 10_000_000 };
		// "Another node" holds the busy document's row in an open transaction.
		const holder = new pgLib.Client({ connectionString: pgUrl });
		await holder.connect();
		await holder.query('BEGIN');
		await holder.query('UPDATE docs SET head = head WHERE doc_id = $1', [busy]);
		// One write per other document starts every lane; the next round goes in batches.
		const firstRound = others.map((docId, i) => store.append(signedEntry(docId, kp, marker(i)), guard));
		const waiting = store.append(signedEntry(busy, kp, marker(100)), guard);
		const secondRound = others.map((docId, i) => store.append(signedEntry(docId, kp, marker(200 + i)), guard));
		const settled = await Promise.race([Promise.all([...firstRound, ...secondRound]), new Promise((r) => setTimeout(() => r('held up'), 5_000))]);
		expect(settled, 'every other document’s writes are stored while one is busy').not.toBe('held up');
		await holder.query('COMMIT');
		expect(await waiting).toEqual({ ok: true, seq: 1 });
		await holder.end();
		await store.close();
	});
});
