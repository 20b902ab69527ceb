// Embedded default storage for the relay: one SQLite file in the data folder. It holds only
// random document and space ids, public keys, relay sequence numbers, ciphertext and
// signed space-log ops (whose bodies the relay stores but never reads).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthRecord, DeviceKey, DocumentId, LoggedOp, SignedOp, SpaceId, WireEntry } from '../src/lib/protocol';
import type { RelayStore, StoredDoc } from './RelayStore';

interface OpRow {
	idx: number;
	author: string;
	body: string;
	sig: string;
	at: number;
}

interface EntryRow {
	seq: number;
	epoch: number;
	kind: string;
	covers: number | null;
	author: string;
	nonce: string;
	ct: string;
	sig: string;
}

export class SqliteStore implements RelayStore {
	readonly #db: Database.Database;
	readonly #stmts;

	constructor(dataDir: string) {
		mkdirSync(dataDir, { recursive: true });
		this.#db = new Database(join(dataDir, 'relay.sqlite'));
		this.#db.pragma('journal_mode = WAL');
		this.#db.pragma('synchronous = NORMAL');
		this.#db.exec(`
			CREATE TABLE IF NOT EXISTS docs (
				doc_id TEXT PRIMARY KEY,
				head INTEGER NOT NULL DEFAULT 0,
				snapshot_seq INTEGER NOT NULL DEFAULT 0,
				snapshot_covers INTEGER NOT NULL DEFAULT 0
			) WITHOUT ROWID;
			CREATE TABLE IF NOT EXISTS auth (
				doc_id TEXT NOT NULL,
				idx INTEGER NOT NULL,
				record TEXT NOT NULL,
				PRIMARY KEY (doc_id, idx)
			) WITHOUT ROWID;
			CREATE TABLE IF NOT EXISTS entries (
				doc_id TEXT NOT NULL,
				seq INTEGER NOT NULL,
				epoch INTEGER NOT NULL,
				kind TEXT NOT NULL,
				covers INTEGER,
				author TEXT NOT NULL,
				nonce TEXT NOT NULL,
				ct TEXT NOT NULL,
				sig TEXT NOT NULL,
				PRIMARY KEY (doc_id, seq)
			) WITHOUT ROWID;
			CREATE TABLE IF NOT EXISTS space_ops (
				space_id TEXT NOT NULL,
				idx INTEGER NOT NULL,
				author TEXT NOT NULL,
				body TEXT NOT NULL,
				sig TEXT NOT NULL,
				at INTEGER NOT NULL,
				PRIMARY KEY (space_id, idx)
			) WITHOUT ROWID;
			-- Finds a retried append; unique so a duplicate can never be stored twice.
			CREATE UNIQUE INDEX IF NOT EXISTS space_ops_sig ON space_ops (space_id, sig);
		`);
		const db = this.#db;
		this.#stmts = {
			getDoc: db.prepare('SELECT head, snapshot_seq AS snapshotSeq, snapshot_covers AS snapshotCovers FROM docs WHERE doc_id = ?'),
			insertDoc: db.prepare('INSERT INTO docs (doc_id) VALUES (?)'),
			setHead: db.prepare('UPDATE docs SET head = ? WHERE doc_id = ?'),
			setSnapshot: db.prepare('UPDATE docs SET head = ?, snapshot_seq = ?, snapshot_covers = ? WHERE doc_id = ?'),
			insertAuth: db.prepare('INSERT INTO auth (doc_id, idx, record) VALUES (?, ?, ?)'),
			authSince: db.prepare('SELECT idx, record FROM auth WHERE doc_id = ? AND idx >= ? ORDER BY idx'),
			insertEntry: db.prepare(
				'INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
			),
			entriesAfter: db.prepare(
				'SELECT seq, epoch, kind, covers, author, nonce, ct, sig FROM entries WHERE doc_id = ? AND seq > ? ORDER BY seq'
			),
			entryAt: db.prepare('SELECT seq, epoch, kind, covers, author, nonce, ct, sig FROM entries WHERE doc_id = ? AND seq = ?'),
			dropCovered: db.prepare('DELETE FROM entries WHERE doc_id = ? AND seq <= ?'),
			dropOldSnapshots: db.prepare("DELETE FROM entries WHERE doc_id = ? AND kind = 'snapshot' AND seq < ?"),
			allDocIds: db.prepare('SELECT doc_id AS docId FROM docs'),
			allAuth: db.prepare('SELECT doc_id AS docId, idx, record FROM auth ORDER BY doc_id, idx'),
			// Indexes are contiguous from 0 (nothing is ever deleted), so max + 1 is the log's
			// length, read from the primary key without scanning the log.
			nextOpIndex: db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS next FROM space_ops WHERE space_id = ?'),
			insertOp: db.prepare('INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES (?, ?, ?, ?, ?, ?)'),
			opBySig: db.prepare('SELECT idx, author, body, sig, at FROM space_ops WHERE space_id = ? AND sig = ?'),
			opsSince: db.prepare('SELECT idx, author, body, sig, at FROM space_ops WHERE space_id = ? AND idx >= ? ORDER BY idx')
		};
	}

	getDoc(docId: DocumentId): StoredDoc | undefined {
		return this.#stmts.getDoc.get(docId) as StoredDoc | undefined;
	}

	createDoc(docId: DocumentId, first: AuthRecord): void {
		this.#db.transaction(() => {
			this.#stmts.insertDoc.run(docId);
			this.#stmts.insertAuth.run(docId, 0, JSON.stringify(first));
		})();
	}

	appendAuth(docId: DocumentId, index: number, record: AuthRecord): void {
		this.#stmts.insertAuth.run(docId, index, JSON.stringify(record));
	}

	authSince(docId: DocumentId, index: number): Array<{ index: number; record: AuthRecord }> {
		return (this.#stmts.authSince.all(docId, index) as Array<{ idx: number; record: string }>).map((r) => ({
			index: r.idx,
			record: JSON.parse(r.record) as AuthRecord
		}));
	}

	allAuth(): Array<{ docId: DocumentId; index: number; record: AuthRecord }> {
		return (this.#stmts.allAuth.all() as Array<{ docId: DocumentId; idx: number; record: string }>).map((r) => ({
			docId: r.docId,
			index: r.idx,
			record: JSON.parse(r.record) as AuthRecord
		}));
	}

	append(entry: WireEntry, seq: number): void {
		const covers = entry.kind === 'snapshot' ? entry.covers! : null;
		this.#db.transaction(() => {
			this.#stmts.insertEntry.run(entry.docId, seq, entry.epoch, entry.kind, covers, entry.author, entry.nonce, entry.ct, entry.sig);
			if (entry.kind === 'snapshot') {
				// The snapshot holds everything up to `covers`, so what it covers can go, and so
				// can any older snapshot. Entries between `covers` and this seq stay.
				this.#stmts.dropCovered.run(entry.docId, covers);
				this.#stmts.dropOldSnapshots.run(entry.docId, seq);
				this.#stmts.setSnapshot.run(seq, seq, covers, entry.docId);
			} else {
				this.#stmts.setHead.run(seq, entry.docId);
			}
		})();
	}

	/**
	 * What a client holding everything up to `since` is missing: if it is behind the newest
	 * snapshot, that snapshot then every entry after what it covers; otherwise the entries after `since`.
	 */
	entriesSince(docId: DocumentId, since: number, doc: StoredDoc): WireEntry[] {
		const rows: EntryRow[] = [];
		if (doc.snapshotSeq > 0 && since < doc.snapshotCovers) {
			const snap = this.#stmts.entryAt.get(docId, doc.snapshotSeq) as EntryRow | undefined;
			if (snap) rows.push(snap);
			for (const r of this.#stmts.entriesAfter.all(docId, doc.snapshotCovers) as EntryRow[]) {
				if (r.seq !== doc.snapshotSeq) rows.push(r);
			}
		} else {
			// A client already past the snapshot's cover has its content: skip the snapshot itself.
			for (const r of this.#stmts.entriesAfter.all(docId, since) as EntryRow[]) if (r.kind !== 'snapshot') rows.push(r);
		}
		return rows.map((r) => ({
			docId,
			seq: r.seq,
			epoch: r.epoch,
			kind: r.kind as WireEntry['kind'],
			...(r.covers === null ? {} : { covers: r.covers }),
			author: r.author as WireEntry['author'],
			nonce: r.nonce,
			ct: r.ct,
			sig: r.sig
		}));
	}

	appendOp(spaceId: SpaceId, op: SignedOp, at: number): number {
		return this.#db.transaction(() => {
			const existing = this.#stmts.opBySig.get(spaceId, op.sig) as OpRow | undefined;
			if (existing) return existing.idx;
			const { next } = this.#stmts.nextOpIndex.get(spaceId) as { next: number };
			this.#stmts.insertOp.run(spaceId, next, op.author, op.body, op.sig, at);
			return next;
		})();
	}

	findOp(spaceId: SpaceId, sig: string): LoggedOp | undefined {
		const row = this.#stmts.opBySig.get(spaceId, sig) as OpRow | undefined;
		return row && toLoggedOp(spaceId, row);
	}

	opsSince(spaceId: SpaceId, since: number): LoggedOp[] {
		return (this.#stmts.opsSince.all(spaceId, since) as OpRow[]).map((r) => toLoggedOp(spaceId, r));
	}

	close(): void {
		this.#db.close();
	}
}

function toLoggedOp(spaceId: SpaceId, r: OpRow): LoggedOp {
	return { index: r.idx, at: r.at, op: { spaceId, author: r.author as DeviceKey, body: r.body, sig: r.sig } };
}
