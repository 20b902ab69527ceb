// The PostgreSQL store, on a real server of its own, in what several relay nodes sharing it
// count on. A notice from another node carries its small changes, which are taken only if well
// formed; whatever it only names is read, many documents in one query (entriesInRanges). That
// read must stay an index lookup per document from the first minute: a new relay's tables
// have no statistics yet, and a plan chosen without them scanned the whole entries table on
// every notice. (Signatures and auth rules are the relay's job, so records are placeholders.)
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthRecord, DeviceKey, DocumentId, SpaceId, WireEntry } from '$lib/protocol';
import { startPostgres, type PostgresProcess } from '$tests/helpers/postgresProcess';
import { APPEND_BATCH_SQL, ENTRIES_IN_RANGES_SQL, PostgresStore } from '../../../sync-server/PostgresStore';
import { POSTGRES_MIGRATIONS } from '../../../sync-server/postgresMigrations';
import { SchemaTooNewError } from '../../../sync-server/SchemaTooNewError';
import type { StoreEvent } from '../../../sync-server/RelayStore';

let server: PostgresProcess;
let store: PostgresStore;
let db: pg.Client;

beforeAll(async () => {
	server = await startPostgres();
	const url = await server.createDatabase();
	store = new PostgresStore({ url });
	await store.open();
	db = new pg.Client({ connectionString: url });
	await db.connect();
}, 60_000);

afterAll(async () => {
	await db?.end();
	await store?.close();
	server?.remove();
});

const author = 'A'.repeat(43) as DeviceKey;
const record = { placeholder: true } as unknown as AuthRecord;

function change(docId: DocumentId, text: string): WireEntry {
	return { docId, epoch: 0, kind: 'change', author, nonce: 'n'.repeat(32), ct: text, sig: 's'.repeat(86) };
}

/** Every plan node of an EXPLAIN (FORMAT JSON) that reads `relation`, by node type. */
function scansOf(plan: Record<string, unknown>, relation: string, found: string[] = []): string[] {
	if (plan['Relation Name'] === relation) found.push(String(plan['Node Type']));
	for (const child of (plan['Plans'] as Record<string, unknown>[] | undefined) ?? []) scansOf(child, relation, found);
	return found;
}

describe('PostgresStore', () => {
	it("reads other nodes' entries by index per document, even before PostgreSQL has statistics for the table", async () => {
		// A busy new relay: 400 documents with 30 entries each, written faster than autovacuum
		// would look at them (here it is simply switched off for the table, so it cannot).
		await db.query('ALTER TABLE entries SET (autovacuum_enabled = false)');
		const docs = Array.from({ length: 400 }, (_, i) => `bulk${String(i).padStart(20, '0')}`);
		await db.query('INSERT INTO docs (doc_id, head, auth_count) SELECT unnest($1::text[]), 30, 1', [docs]);
		await db.query(
			`INSERT INTO entries (doc_id, seq, epoch, kind, author, nonce, ct, sig)
			 SELECT d, s, 0, 'change', $2, $3, d || ':' || s || ':' || repeat('c', 260), $4
			 FROM unnest($1::text[]) d, generate_series(1, 30) s`,
			[docs, author, 'n'.repeat(32), 's'.repeat(86)]
		);
		// And one document written the way the relay writes.
		const live = 'live00000000000000000001' as DocumentId;
		expect(await store.appendAuth(live, 0, record)).toBe(true);
		for (const text of ['first', 'second', 'third']) {
			expect(await store.append(change(live, text), { authCount: 1, maxDocBytes: 1_000_000 })).toMatchObject({ ok: true });
		}
		const { rows: stats } = await db.query("SELECT COUNT(*)::int AS n FROM pg_stats WHERE tablename = 'entries'");
		expect(stats[0].n).toBe(0);

		// A notice names a few new entries in each of many documents.
		const ranges = docs.filter((_, i) => i % 5 === 0).map((docId) => ({ docId: docId as DocumentId, after: 24, upTo: 26 }));
		const { rows: explained } = await db.query(`EXPLAIN (FORMAT JSON) ${ENTRIES_IN_RANGES_SQL}`, [
			ranges.map((r) => r.docId),
			ranges.map((r) => r.after),
			ranges.map((r) => r.upTo)
		]);
		const scans = scansOf(explained[0]['QUERY PLAN'][0]['Plan'], 'entries');
		expect(scans).not.toContain('Seq Scan');
		expect(scans.length).toBeGreaterThan(0);
		expect(scans.every((s) => s.includes('Index'))).toBe(true);

		// And it reads exactly what was asked, in order, for bulk and live documents alike.
		const asked = [
			...ranges,
			{ docId: live, after: 1, upTo: 3 },
			{ docId: docs[1] as DocumentId, after: 29, upTo: 40 }, // past the head: what there is
			{ docId: docs[2] as DocumentId, after: 5, upTo: 5 }, // empty
			{ docId: docs[3] as DocumentId, after: 9, upTo: 4 } // backwards: nothing, not an error
		];
		const found = await store.entriesInRanges(asked);
		for (const r of ranges) {
			expect(found.get(r.docId)!.map((e) => [e.seq, e.ct.slice(0, e.ct.lastIndexOf(':'))])).toEqual([
				[25, `${r.docId}:25`],
				[26, `${r.docId}:26`]
			]);
		}
		expect(found.get(live)!.map((e) => [e.seq, e.ct])).toEqual([
			[2, 'second'],
			[3, 'third']
		]);
		expect(found.get(docs[1] as DocumentId)!.map((e) => e.seq)).toEqual([30]);
		expect(found.get(docs[2] as DocumentId)).toEqual([]);
		expect(found.get(docs[3] as DocumentId)).toEqual([]);
	});

	it('locks each document of a batch of appends through its index, even while the table is small', async () => {
		// A few hundred documents, as on a new relay: small enough that PostgreSQL would rather
		// scan the whole table than look each one up, which it then did on every batch.
		const docs = Array.from({ length: 300 }, (_, i) => `lock${String(i).padStart(20, '0')}`);
		await db.query('INSERT INTO docs (doc_id, head, auth_count) SELECT unnest($1::text[]), 0, 1', [docs]);
		const batch = [docs[3], docs[3], docs[150], docs[299]];
		const { rows: explained } = await db.query(`EXPLAIN (FORMAT JSON) ${APPEND_BATCH_SQL}`, [
			batch,
			batch.map(() => 10),
			batch.map(() => 1),
			batch.map(() => 1_000_000),
			batch.map(() => 0),
			batch.map(() => author),
			batch.map(() => 'n'.repeat(32)),
			batch.map(() => 'c'.repeat(10)),
			batch.map(() => 's'.repeat(86))
		]);
		const scans = scansOf(explained[0]['QUERY PLAN'][0]['Plan'], 'docs');
		expect(scans.length).toBeGreaterThan(0);
		expect(scans).not.toContain('Seq Scan');
	});

	it('answers reads asked for at once, which go to the database together, each with exactly its own range', async () => {
		const docs = ['read0000000000000000000A', 'read0000000000000000000B'] as DocumentId[];
		for (const docId of docs) {
			expect(await store.appendAuth(docId, 0, record)).toBe(true);
			for (let i = 1; i <= 6; i++) expect(await store.append(change(docId, `${docId}#${i}`), { authCount: 1, maxDocBytes: 1_000_000 })).toMatchObject({ ok: true });
		}
		const [a, b] = docs;
		// Overlapping, disjoint, empty and past-the-head ranges of the same documents, all at once.
		const asked: Array<[DocumentId, number, number]> = [
			[a, 0, 2],
			[a, 1, 4],
			[a, 5, 6],
			[b, 2, 3],
			[a, 3, 3],
			[b, 4, 9],
			...Array.from({ length: 300 }, (_, i): [DocumentId, number, number] => [i % 2 ? a : b, i % 6, (i % 6) + 1])
		];
		const answers = await Promise.all(asked.map(([docId, after, upTo]) => store.entriesBetween(docId, after, upTo)));
		answers.forEach((entries, i) => {
			const [docId, after, upTo] = asked[i];
			const expected = Array.from({ length: Math.max(0, Math.min(upTo, 6) - after) }, (_, k) => after + k + 1);
			expect(entries.map((e) => e.seq)).toEqual(expected);
			expect(entries.map((e) => e.ct)).toEqual(expected.map((seq) => `${docId}#${seq}`));
		});
	});

	it("takes a change carried in another node's notice only if it is a well-formed entry, and otherwise names it for reading", async () => {
		const heard: StoreEvent[] = [];
		store.listen({ onEvents: (events) => heard.push(...events), onResync: () => {} });
		const docId = 'noteNoteNoteNoteNoteNote';
		const good = signedLooking(docId);
		const line = (seq: number, fields: string) => `e ${docId} ${seq} ${Date.now()} 1 ${fields}`;
		const payload = [
			'othernode',
			line(1, `0 ${good.author} ${good.nonce} ${good.sig} ${good.ct}`),
			line(2, `0 ${good.author} ${good.nonce} ${good.sig}`), // a field short
			line(3, `0 ${good.author} ${good.nonce} ${good.sig} not+base64url`),
			line(4, `0 ${good.author} ${good.nonce.slice(1)} ${good.sig} ${good.ct}`), // nonce too short
			`e ${docId} 5 ${Date.now()} 1` // named only, as for a large entry
		].join('\n');
		await db.query("SELECT pg_notify('hearth_relay', $1)", [payload]);
		await vi.waitFor(() => expect(heard.length).toBe(5), { timeout: 5_000 });
		const entries = heard.filter((e): e is Extract<StoreEvent, { kind: 'entry' }> => e.kind === 'entry');
		expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
		expect(entries[0].entry).toEqual({ docId, seq: 1, epoch: 0, kind: 'change', author: good.author, nonce: good.nonce, ct: good.ct, sig: good.sig });
		expect(entries.slice(1).map((e) => e.entry)).toEqual([undefined, undefined, undefined, undefined]);

		// A node's own notices are not news to it.
		heard.length = 0;
		await db.query("SELECT pg_notify('hearth_relay', $1)", [`${store.nodeId}\n${line(6, `0 ${good.author} ${good.nonce} ${good.sig} ${good.ct}`)}`]);
		await db.query("SELECT pg_notify('hearth_relay', $1)", [`othernode\ne ${docId} 7 ${Date.now()} 1`]);
		await vi.waitFor(() => expect(heard.map((e) => (e.kind === 'entry' ? e.seq : -1))).toEqual([7]), { timeout: 5_000 });
	});

	it('refuses to start on a database a newer relay has migrated, says what to do, and writes nothing to it', async () => {
		const url = await server.createDatabase();
		const first = new PostgresStore({ url });
		await first.open();
		expect(await first.appendAuth('keptKeptKeptKeptKeptKept' as DocumentId, 0, record)).toBe(true);
		await first.close();
		const other = new pg.Client({ connectionString: url });
		await other.connect();
		try {
			// A newer relay ran here: one more step, a table this code has never heard of, and
			// (say) its lineage kept somewhere else, so a stray write of ours would show.
			const next = POSTGRES_MIGRATIONS.length + 1;
			await other.query('CREATE TABLE from_the_future (x TEXT)');
			await other.query('INSERT INTO hearth_schema_migrations (version) VALUES ($1)', [next]);
			await other.query('DELETE FROM hearth_meta');
			const state = async () => ({
				migrations: (await other.query('SELECT version, applied_at FROM hearth_schema_migrations ORDER BY version')).rows,
				meta: (await other.query('SELECT key, value FROM hearth_meta')).rows,
				tables: (await other.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).rows,
				auth: (await other.query('SELECT doc_id, idx, record FROM auth')).rows
			});
			const before = await state();

			const refused = new PostgresStore({ url });
			const error = await refused.open().then(
				() => undefined,
				(e: unknown) => e
			);
			await refused.close();
			expect(error).toBeInstanceOf(SchemaTooNewError);
			const message = (error as Error).message;
			expect(message).toContain(`schema version ${next}`);
			expect(message).toContain(`knows versions up to ${POSTGRES_MIGRATIONS.length}`);
			expect(message).toMatch(/Upgrade Hearth’s relay/);
			expect(message).toMatch(/restore a backup made for this version/);
			expect(await state()).toEqual(before);
			expect(before.meta).toEqual([]);
		} finally {
			await other.end();
		}
	});

	it('keeps only the newest recovery copy of an old database when it upgrades, and every op of any other log', async () => {
		// A relay before issue 19 kept every recovery copy (each a full bundle of keys) for ever.
		const url = await server.createDatabase();
		const first = new PostgresStore({ url });
		await first.open();
		await first.close();
		const other = new pg.Client({ connectionString: url });
		await other.connect();
		try {
			// Back to the schema before the pruning step, with what an older relay kept.
			await other.query('DELETE FROM hearth_schema_migrations WHERE version > 2');
			await other.query('ALTER TABLE space_ops DROP COLUMN IF EXISTS relay_fields');
			const kit = 'K'.repeat(43);
			const device = 'D'.repeat(43);
			const rows: Array<[string, number, string, string]> = [
				['recovery-log', 0, kit, '{"backup":"copy 0"}'],
				['recovery-log', 1, kit, '{"backup":"copy 1"}'],
				['recovery-log', 2, kit, '{"backup":"copy 2"}'],
				['space-log', 0, device, '{"v":1,"prev":[],"at":1,"action":{"type":"create"}}'],
				['space-log', 1, device, '{"backup":"dressed up"}'],
				['two-keys', 0, kit, '{"backup":"a"}'],
				['two-keys', 1, device, '{"backup":"b"}']
			];
			for (const [space, idx, who, body] of rows) {
				await other.query('INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES ($1, $2, $3, $4, $5, 1)', [space, idx, who, body, `sig-${space}-${idx}`]);
				await other.query('INSERT INTO spaces (space_id, length) VALUES ($1, $2) ON CONFLICT (space_id) DO UPDATE SET length = $2', [space, idx + 1]);
			}
			const upgraded = new PostgresStore({ url });
			await upgraded.open();
			try {
				expect((await upgraded.opsSince('recovery-log' as SpaceId, 0)).map((o) => [o.index, o.op.body])).toEqual([[2, '{"backup":"copy 2"}']]);
				expect((await upgraded.opsSince('space-log' as SpaceId, 0)).map((o) => o.index)).toEqual([0, 1]);
				expect((await upgraded.opsSince('two-keys' as SpaceId, 0)).map((o) => o.index)).toEqual([0, 1]);
				const next = await upgraded.appendOp('recovery-log' as SpaceId, { spaceId: 'recovery-log' as SpaceId, author: kit as DeviceKey, body: '{"backup":"copy 3"}', sig: 'sig-r3' }, 2, true);
				expect(next.logged.index).toBe(3);
				expect((await upgraded.opsSince('recovery-log' as SpaceId, 0)).map((o) => o.index)).toEqual([3]);
			} finally {
				await upgraded.close();
			}
		} finally {
			await other.end();
		}
	});
});

/** Fields shaped like a stored change (the store does not check signatures; the relay does). */
function signedLooking(docId: string) {
	const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64url');
	return { docId, author: b64(32), nonce: b64(24), sig: b64(64), ct: b64(300) };
}
