// The embedded store writes on a thread of its own and reads on the caller's. These stories
// check what the relay counts on: a write is readable as soon as it resolves, seqs follow the
// order writes were asked for, nothing is lost across a restart, and a failed commit stores
// nothing and says why. (Signatures and auth rules are the relay's job, not the store's, so
// the records here are plain placeholders.)
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthRecord, DeviceKey, DocumentId, SignedOp, SpaceId, WireEntry } from '$lib/protocol';
import { SchemaTooNewError } from '../../../sync-server/SchemaTooNewError';
import { SQLITE_SCHEMA_VERSION, migrateSqlite, openSqliteFile } from '../../../sync-server/sqliteSchema';
import { SqliteStore } from '../../../sync-server/SqliteStore';
import { SqliteWriter } from '../../../sync-server/SqliteWriter';
import { commitWrites, prepareWrites, type SqliteWrite } from '../../../sync-server/sqliteWrites';

const folders: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
	for (const s of stores.splice(0)) await s.close().catch(() => {});
	for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function dataFolder(): string {
	const dir = mkdtempSync(join(tmpdir(), 'hearth-store-'));
	folders.push(dir);
	return dir;
}

async function openStore(dir: string): Promise<SqliteStore> {
	const store = new SqliteStore(dir);
	await store.open();
	stores.push(store);
	return store;
}

const author = 'A'.repeat(43) as DeviceKey;
const record = { placeholder: true } as unknown as AuthRecord;
const guard = { authCount: 1, maxDocBytes: 1_000_000 };

function change(docId: DocumentId, text: string): WireEntry {
	return { docId, epoch: 0, kind: 'change', author, nonce: 'n'.repeat(32), ct: text, sig: 's'.repeat(86) };
}

function snapshot(docId: DocumentId, covers: number, text: string): WireEntry {
	return { ...change(docId, text), kind: 'snapshot', covers };
}

describe('SqliteStore', () => {
	it('numbers writes asked for at once in the order asked, shows each as soon as it resolves, and keeps them across a restart', async () => {
		const dir = dataFolder();
		const store = await openStore(dir);
		const docs = Array.from({ length: 20 }, (_, i) => `doc-${i}` as DocumentId);
		expect(await Promise.all(docs.map((d) => store.appendAuth(d, 0, record)))).toEqual(docs.map(() => true));
		// The same index again is taken: refused, nothing stored.
		expect(await store.appendAuth(docs[0], 0, record)).toBe(false);

		const writes = docs.flatMap((d) => Array.from({ length: 10 }, (_, i) => ({ d, i })));
		const results = await Promise.all(
			writes.map(async ({ d, i }) => {
				const result = await store.append(change(d, `${d} change ${i}`), guard);
				// Readable the moment it resolves, although another thread wrote it.
				const read = await store.entriesSince(d, 0);
				expect(read.entries.map((e) => e.ct)).toContain(`${d} change ${i}`);
				return result;
			})
		);
		expect(results).toEqual(writes.map(({ i }) => ({ ok: true, seq: i + 1 })));

		await store.close();
		stores.splice(stores.indexOf(store), 1);
		const again = await openStore(dir);
		for (const d of docs) {
			const read = await again.entriesSince(d, 0);
			expect(read.entries.map((e) => [e.seq, e.ct])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, `${d} change ${i}`]));
		}
		expect(await again.append(change(docs[3], 'after the restart'), guard)).toEqual({ ok: true, seq: 11 });
		expect((await again.authSince(docs[3], 0)).length).toBe(1);
	});

	it('refuses an entry checked against an older auth log, and a snapshot that would pass the size limit, keeping what was there', async () => {
		const store = await openStore(dataFolder());
		const doc = 'doc-quota' as DocumentId;
		await store.appendAuth(doc, 0, record);
		for (let i = 0; i < 3; i++) await store.append(change(doc, 'x'.repeat(100)), guard);
		expect(await store.append(change(doc, 'late'), { ...guard, authCount: 0 })).toEqual({ ok: false, reason: 'auth-changed' });
		expect(await store.append(change('doc-nobody' as DocumentId, 'lost?'), guard)).toEqual({ ok: false, reason: 'unknown-document' });

		const tooBig = await store.append(snapshot(doc, 3, 'y'.repeat(500)), { ...guard, maxDocBytes: 400 });
		expect(tooBig).toEqual({ ok: false, reason: 'doc-too-large' });
		const read = await store.entriesSince(doc, 0);
		expect(read.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
		expect(await store.getDoc(doc)).toMatchObject({ head: 3, snapshotSeq: 0, bytes: 300 });

		expect(await store.append(snapshot(doc, 3, 'y'.repeat(50)), guard)).toEqual({ ok: true, seq: 4 });
		expect((await store.entriesSince(doc, 0)).entries.map((e) => [e.seq, e.kind])).toEqual([[4, 'snapshot']]);
	});

	it('a commit the disk cannot take stores nothing from its batch and reports SQLite’s code; the next batch goes through', () => {
		const db = openSqliteFile(join(dataFolder(), 'relay.sqlite'));
		try {
			migrateSqlite(db);
			const stmts = prepareWrites(db);
			const doc = 'doc-full' as DocumentId;
			expect(commitWrites(db, stmts, [{ op: 'appendAuth', docId: doc, index: 0, record }])).toEqual([{ ok: true, value: true }]);
			// A full disk, as SQLite sees it: the file may not grow.
			const pages = db.pragma('page_count', { simple: true }) as number;
			db.pragma(`max_page_count = ${pages}`);
			const big: SqliteWrite[] = Array.from({ length: 5 }, (_, i) => ({ op: 'append', entry: change(doc, `${i}`.repeat(20_000)), guard }));
			const outcomes = commitWrites(db, stmts, big);
			expect(outcomes).toHaveLength(5);
			for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, code: 'SQLITE_FULL' });
			expect(db.prepare('SELECT COUNT(*) AS n FROM entries').get()).toEqual({ n: 0 });

			db.pragma('max_page_count = 1073741823');
			expect(commitWrites(db, stmts, big.slice(0, 2))).toEqual([
				{ ok: true, value: { ok: true, seq: 1 } },
				{ ok: true, value: { ok: true, seq: 2 } }
			]);
		} finally {
			db.close();
		}
	});

	it('if the writer thread dies, what it held is reported as failed and not stored, and the next write starts a new thread', async () => {
		const dir = dataFolder();
		await (await openStore(dir)).close(); // the schema
		const file = join(dir, 'relay.sqlite');
		const writer = new SqliteWriter(file, { entry: new URL('../../helpers/crashingSqliteWriter.ts', import.meta.url).href });
		await writer.start();
		const lost = writer.write({ op: 'appendAuth', docId: 'doc-lost' as DocumentId, index: 0, record });
		await expect(lost).rejects.toMatchObject({ name: 'SqliteWriteError', code: 'writer_stopped' });
		// The relay answers that push with storage-failed and the client sends it again.
		expect(await writer.write({ op: 'appendAuth', docId: 'doc-lost' as DocumentId, index: 0, record })).toBe(true);
		expect(await writer.write({ op: 'appendAuth', docId: 'doc-next' as DocumentId, index: 0, record })).toBe(true);
		await writer.close();
		const db = openSqliteFile(file);
		try {
			expect(db.prepare('SELECT doc_id, idx FROM auth ORDER BY doc_id').all()).toEqual([
				{ doc_id: 'doc-lost', idx: 0 },
				{ doc_id: 'doc-next', idx: 0 }
			]);
		} finally {
			db.close();
		}
	});

	it('moves a store made before entries had row ids to the new table, keeping every entry, its order and the one-entry-per-seq rule', async () => {
		const dir = dataFolder();
		const old = openSqliteFile(join(dir, 'relay.sqlite'));
		migrateSqlite(old, 3);
		const insert = old.prepare('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)');
		old.prepare("INSERT INTO docs (doc_id, head, snapshot_seq, snapshot_covers, auth_count, bytes) VALUES ('doc-b', 3, 2, 1, 1, 3), ('doc-a', 2, 0, 0, 1, 2)").run();
		old.prepare("INSERT INTO auth (doc_id, idx, record) VALUES ('doc-a', 0, '{}'), ('doc-b', 0, '{}')").run();
		for (const [doc, seq, kind, covers] of [
			['doc-b', 3, 'change', null],
			['doc-a', 1, 'change', null],
			['doc-b', 2, 'snapshot', 1],
			['doc-a', 2, 'change', null]
		] as const) {
			insert.run(doc, seq, kind, covers, author, 'n', `${doc}@${seq}`, 's');
		}
		old.close();

		const store = await openStore(dir);
		const a = await store.entriesSince('doc-a' as DocumentId, 0);
		expect(a.entries.map((e) => [e.seq, e.ct])).toEqual([
			[1, 'doc-a@1'],
			[2, 'doc-a@2']
		]);
		const b = await store.entriesSince('doc-b' as DocumentId, 0);
		expect(b.entries.map((e) => [e.seq, e.kind, e.covers])).toEqual([
			[2, 'snapshot', 1],
			[3, 'change', undefined]
		]);
		expect(await store.append(change('doc-a' as DocumentId, 'next'), guard)).toEqual({ ok: true, seq: 3 });

		const check = openSqliteFile(join(dir, 'relay.sqlite'));
		try {
			expect(check.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(4);
			expect(() => check.prepare("INSERT INTO entries (doc_id, seq, epoch, kind, author, nonce, ct, sig) VALUES ('doc-a', 3, 0, 'change', 'x', 'n', 'dup', 's')").run()).toThrow(/UNIQUE/);
		} finally {
			check.close();
		}
	});

	it('keeps space-log ops stored before relay fields existed, and stores the fields of new ones across a restart', async () => {
		const dir = dataFolder();
		const old = openSqliteFile(join(dir, 'relay.sqlite'));
		migrateSqlite(old, 4);
		old.prepare("INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES ('space-1', 0, ?, '{\"old\":true}', 'sig-0', 5)").run(author);
		old.close();

		let store = await openStore(dir);
		const spaceId = 'space-1' as SpaceId;
		expect(await store.opsSince(spaceId, 0)).toEqual([{ index: 0, at: 5, op: { spaceId, author, body: '{"old":true}', sig: 'sig-0' } }]);
		const cap = { by: 'B'.repeat(43), sig: 'C'.repeat(86) };
		const withFields: SignedOp = { spaceId, author, body: '{"new":true}', sig: 'sig-1', admits: ['D'.repeat(43)], cap };
		expect((await store.appendOp(spaceId, withFields, 6)).logged.index).toBe(1);
		await store.close();
		stores.splice(stores.indexOf(store), 1);
		store = await openStore(dir);
		expect((await store.opsSince(spaceId, 1))[0].op).toEqual(withFields);
		// A retry finds it, fields and all.
		expect(await store.appendOp(spaceId, withFields, 7)).toEqual({ logged: { index: 1, at: 6, op: withFields }, fresh: false });
	});

	it('refuses to start on a file a newer relay has migrated, says what to do, and writes nothing to it', async () => {
		const dir = dataFolder();
		const file = join(dir, 'relay.sqlite');
		const store = await openStore(dir);
		await store.appendAuth('doc-kept' as DocumentId, 0, record);
		expect(await store.append(change('doc-kept' as DocumentId, 'written by this version'), guard)).toEqual({ ok: true, seq: 1 });
		const lineage = await store.lineage();
		await store.close();
		stores.splice(stores.indexOf(store), 1);
		// A newer relay ran on this folder: one more schema step, with a table this code has never heard of.
		const newer = openSqliteFile(file);
		newer.exec('CREATE TABLE from_the_future (x TEXT)');
		newer.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
		newer.close();
		const before = createHash('sha256').update(readFileSync(file)).digest('hex');

		const refused = new SqliteStore(dir);
		const error = await refused.open().then(
			() => undefined,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(SchemaTooNewError);
		const message = (error as Error).message;
		expect(message).toContain(`schema version ${SQLITE_SCHEMA_VERSION + 1}`);
		expect(message).toContain(`knows versions up to ${SQLITE_SCHEMA_VERSION}`);
		expect(message).toMatch(/Upgrade Hearth’s relay/);
		expect(message).toMatch(/restore a backup made for this version/);

		// Not a byte changed, nothing waiting in a write-ahead log, and the file is let go of.
		expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
		const wal = `${file}-wal`;
		expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
		const check = openSqliteFile(file);
		try {
			expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION + 1);
			expect(check.prepare('SELECT value FROM relay_meta WHERE key = ?').get('lineage')).toEqual({ value: lineage });
			expect(check.prepare('SELECT COUNT(*) AS n FROM entries').get()).toEqual({ n: 1 });
		} finally {
			check.close();
		}
	});

	it('keeps only the newest recovery copy of an old store when it upgrades, and every op of any other log', async () => {
		// A relay before issue 19 kept every recovery copy (each a full bundle of keys) for ever.
		const dir = dataFolder();
		const old = openSqliteFile(join(dir, 'relay.sqlite'));
		migrateSqlite(old, 4);
		const insert = old.prepare("INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES (?, ?, ?, ?, ?, 1)");
		const kit = 'K'.repeat(43);
		const device = 'D'.repeat(43);
		for (const idx of [0, 1, 2]) insert.run('recovery-log', idx, kit, `{"backup":"copy ${idx}"}`, `sig-r${idx}`);
		// A space's log whose only device also signed an op shaped like a copy: all of it stays.
		insert.run('space-log', 0, device, '{"v":1,"prev":[],"at":1,"action":{"type":"create"}}', 'sig-s0');
		insert.run('space-log', 1, device, '{"backup":"dressed up"}', 'sig-s1');
		insert.run('space-log', 2, device, '{"backup":"dressed up again"}', 'sig-s2');
		// Copies by two keys in one log are not one kit's: they stay too.
		insert.run('two-keys', 0, kit, '{"backup":"a"}', 'sig-t0');
		insert.run('two-keys', 1, device, '{"backup":"b"}', 'sig-t1');
		old.close();

		const store = await openStore(dir);
		expect((await store.opsSince('recovery-log' as SpaceId, 0)).map((o) => [o.index, o.op.body])).toEqual([[2, '{"backup":"copy 2"}']]);
		expect((await store.opsSince('space-log' as SpaceId, 0)).map((o) => o.index)).toEqual([0, 1, 2]);
		expect((await store.opsSince('two-keys' as SpaceId, 0)).map((o) => o.index)).toEqual([0, 1]);
		// The log carries on from where it was.
		const next = await store.appendOp('recovery-log' as SpaceId, { spaceId: 'recovery-log' as SpaceId, author: kit as DeviceKey, body: '{"backup":"copy 3"}', sig: 'sig-r3' }, 2, true);
		expect(next.logged.index).toBe(3);
		expect((await store.opsSince('recovery-log' as SpaceId, 0)).map((o) => o.index)).toEqual([3]);
	});
});
