// Embedded default storage for the relay: one SQLite file in the data folder. It holds only
// random document and space ids, public keys, relay sequence numbers, ciphertext and
// signed space-log ops (whose bodies the relay stores but never reads).
//
// Writes are group-committed: every write requested in one turn of the event loop runs in
// one transaction (each in its own savepoint, so one failure spoils nothing else) and their
// promises resolve after that transaction is synced to disk (synchronous = FULL). One fsync
// per batch instead of per append keeps thousands of appends a second cheap and durable.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthRecord, DeviceKey, DocumentId, LoggedOp, SignedOp, SpaceId, WireEntry } from '../src/lib/protocol';
import { newLineage } from './newLineage';
import type { AppendGuard, AppendResult, CatchupRead, DocSizeSummary, RelayStore, StoredDoc, StoreListener, EntryRange } from './RelayStore';

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

/** Versioned schema steps; PRAGMA user_version records how many have run. */
const MIGRATIONS: string[] = [
	// 1: the original schema.
	`CREATE TABLE IF NOT EXISTS docs (
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
	CREATE UNIQUE INDEX IF NOT EXISTS space_ops_sig ON space_ops (space_id, sig);`,
	// 2: auth-log length and stored size per document, for append guards and the size quota.
	`ALTER TABLE docs ADD COLUMN auth_count INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE docs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
	UPDATE docs SET auth_count = (SELECT COUNT(*) FROM auth WHERE auth.doc_id = docs.doc_id),
		bytes = COALESCE((SELECT SUM(LENGTH(ct)) FROM entries WHERE entries.doc_id = docs.doc_id), 0);`,
	// 3: which copy of the storage this is (see RelayStore.lineage).
	`CREATE TABLE IF NOT EXISTS relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`
];

type Job = { run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };

export class SqliteStore implements RelayStore {
	readonly kind = 'sqlite' as const;
	readonly #dataDir: string;
	#db!: Database.Database;
	#stmts!: ReturnType<SqliteStore['prepare']>;
	#queue: Job[] = [];
	#flushScheduled = false;

	constructor(dataDir: string) {
		this.#dataDir = dataDir;
	}

	async open(): Promise<void> {
		mkdirSync(this.#dataDir, { recursive: true });
		this.#db = new Database(join(this.#dataDir, 'relay.sqlite'));
		this.#db.pragma('journal_mode = WAL');
		// An acknowledged append must survive a power cut, not only a crash of this process.
		this.#db.pragma('synchronous = FULL');
		this.#db.pragma('busy_timeout = 5000');
		const version = this.#db.pragma('user_version', { simple: true }) as number;
		for (let v = version; v < MIGRATIONS.length; v++) {
			this.#db.transaction(() => {
				this.#db.exec(MIGRATIONS[v]);
				this.#db.pragma(`user_version = ${v + 1}`);
			})();
		}
		this.#stmts = this.prepare();
		this.#db.prepare("INSERT OR IGNORE INTO relay_meta (key, value) VALUES ('lineage', ?)").run(newLineage());
	}

	async lineage(): Promise<string> {
		return (this.#db.prepare("SELECT value FROM relay_meta WHERE key = 'lineage'").get() as { value: string }).value;
	}

	async renewLineage(): Promise<string> {
		const lineage = newLineage();
		this.#db.prepare("UPDATE relay_meta SET value = ? WHERE key = 'lineage'").run(lineage);
		return lineage;
	}

	private prepare() {
		const db = this.#db;
		const entryCols = 'seq, epoch, kind, covers, author, nonce, ct, sig';
		return {
			getDoc: db.prepare(
				'SELECT head, snapshot_seq AS snapshotSeq, snapshot_covers AS snapshotCovers, auth_count AS authCount, bytes FROM docs WHERE doc_id = ?'
			),
			insertDoc: db.prepare('INSERT INTO docs (doc_id, auth_count) VALUES (?, 1) ON CONFLICT DO NOTHING'),
			bumpAuth: db.prepare('UPDATE docs SET auth_count = auth_count + 1 WHERE doc_id = ? AND auth_count = ?'),
			insertAuth: db.prepare('INSERT INTO auth (doc_id, idx, record) VALUES (?, ?, ?)'),
			authSince: db.prepare('SELECT idx, record FROM auth WHERE doc_id = ? AND idx >= ? ORDER BY idx'),
			insertEntry: db.prepare(`INSERT INTO entries (doc_id, ${entryCols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			setHead: db.prepare('UPDATE docs SET head = ?, bytes = bytes + ? WHERE doc_id = ?'),
			setSnapshot: db.prepare('UPDATE docs SET head = ?, snapshot_seq = ?, snapshot_covers = ? WHERE doc_id = ?'),
			recount: db.prepare('UPDATE docs SET bytes = (SELECT COALESCE(SUM(LENGTH(ct)), 0) FROM entries WHERE doc_id = ?) WHERE doc_id = ? RETURNING bytes'),
			// Catch-up names the snapshots in this range but never sends them, so their
			// ciphertext is not read out (the leading snapshot is read by entryAt).
			entriesAfter: db.prepare(
				`SELECT seq, epoch, kind, covers, author, nonce, CASE WHEN kind = 'snapshot' THEN '' ELSE ct END AS ct, sig FROM entries WHERE doc_id = ? AND seq > ? ORDER BY seq`
			),
			entriesBetween: db.prepare(`SELECT ${entryCols} FROM entries WHERE doc_id = ? AND seq > ? AND seq <= ? ORDER BY seq`),
			entryAt: db.prepare(`SELECT ${entryCols} FROM entries WHERE doc_id = ? AND seq = ?`),
			dropCovered: db.prepare('DELETE FROM entries WHERE doc_id = ? AND seq <= ?'),
			// Indexes are contiguous from 0 (nothing is ever deleted), so max + 1 is the log's
			// length, read from the primary key without scanning the log.
			nextOpIndex: db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS next FROM space_ops WHERE space_id = ?'),
			insertOp: db.prepare('INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES (?, ?, ?, ?, ?, ?)'),
			opBySig: db.prepare('SELECT idx, author, body, sig, at FROM space_ops WHERE space_id = ? AND sig = ?'),
			opsSince: db.prepare('SELECT idx, author, body, sig, at FROM space_ops WHERE space_id = ? AND idx >= ? ORDER BY idx LIMIT ?'),
			sizes: db.prepare('SELECT bytes FROM docs')
		};
	}

	/** Queues a write for the next group commit; resolves once it is on disk. */
	#write<T>(run: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
			if (!this.#flushScheduled) {
				this.#flushScheduled = true;
				setImmediate(() => this.#flush());
			}
		});
	}

	#flush(): void {
		this.#flushScheduled = false;
		const jobs = this.#queue;
		this.#queue = [];
		const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
		try {
			this.#db.transaction(() => {
				for (const job of jobs) {
					// A nested transaction is a savepoint: a failing job rolls back only itself.
					try {
						results.push({ ok: true, value: this.#db.transaction(job.run)() });
					} catch (error) {
						results.push({ ok: false, error });
					}
				}
			})();
		} catch (error) {
			// The commit itself failed (disk full, I/O error): nothing in the batch is stored.
			for (const job of jobs) job.reject(error);
			return;
		}
		jobs.forEach((job, i) => {
			const r = results[i];
			if (r.ok) job.resolve(r.value);
			else job.reject(r.error);
		});
	}

	async ping(): Promise<void> {
		this.#db.prepare('SELECT 1').get();
	}

	async getDoc(docId: DocumentId): Promise<StoredDoc | undefined> {
		return this.#stmts.getDoc.get(docId) as StoredDoc | undefined;
	}

	appendAuth(docId: DocumentId, index: number, record: AuthRecord): Promise<boolean> {
		return this.#write(() => {
			const claimed = index === 0 ? this.#stmts.insertDoc.run(docId) : this.#stmts.bumpAuth.run(docId, index);
			if (claimed.changes !== 1) return false;
			this.#stmts.insertAuth.run(docId, index, JSON.stringify(record));
			return true;
		});
	}

	async authSince(docId: DocumentId, index: number): Promise<Array<{ index: number; record: AuthRecord }>> {
		return (this.#stmts.authSince.all(docId, index) as Array<{ idx: number; record: string }>).map((r) => ({
			index: r.idx,
			record: JSON.parse(r.record) as AuthRecord
		}));
	}

	append(entry: WireEntry, guard: AppendGuard): Promise<AppendResult> {
		return this.#write((): AppendResult => {
			const doc = this.#stmts.getDoc.get(entry.docId) as StoredDoc | undefined;
			if (!doc) return { ok: false, reason: 'unknown-document' };
			if (doc.authCount !== guard.authCount) return { ok: false, reason: 'auth-changed' };
			const seq = doc.head + 1;
			if (entry.kind === 'snapshot') {
				const covers = entry.covers!;
				if (covers > doc.head || covers <= doc.snapshotCovers) return { ok: false, reason: 'stale-snapshot' };
				this.#stmts.insertEntry.run(entry.docId, seq, entry.epoch, entry.kind, covers, entry.author, entry.nonce, entry.ct, entry.sig);
				// The snapshot holds everything up to `covers`, so what it covers can go (older
				// snapshots included). Nothing above `covers` is deleted, not even an older
				// snapshot written there by another device at the same time: every seq a catch-up
				// does not stand in for with a snapshot is then sent, and a device can tell a
				// catch-up with a hole in it (a relay mistake) from a complete one.
				this.#stmts.dropCovered.run(entry.docId, covers);
				this.#stmts.setSnapshot.run(seq, seq, covers, entry.docId);
				const { bytes } = this.#stmts.recount.get(entry.docId, entry.docId) as { bytes: number };
				if (bytes > guard.maxDocBytes) throw new DocTooLarge();
			} else {
				if (doc.bytes + entry.ct.length > guard.maxDocBytes) return { ok: false, reason: 'doc-too-large' };
				this.#stmts.insertEntry.run(entry.docId, seq, entry.epoch, entry.kind, null, entry.author, entry.nonce, entry.ct, entry.sig);
				this.#stmts.setHead.run(seq, entry.ct.length, entry.docId);
			}
			return { ok: true, seq };
		}).catch((error: unknown) => {
			if (error instanceof DocTooLarge) return { ok: false, reason: 'doc-too-large' } as const;
			throw error;
		});
	}

	async entriesSince(docId: DocumentId, since: number): Promise<CatchupRead> {
		// The document's row is read here, with its entries and no await between, so a snapshot
		// committed meanwhile cannot delete entries this read still expects to find.
		const doc = this.#stmts.getDoc.get(docId) as StoredDoc | undefined;
		if (!doc) return { entries: [], skipped: [] };
		const rows: EntryRow[] = [];
		const skipped: number[] = [];
		let after = since;
		if (doc.snapshotSeq > 0 && since < doc.snapshotCovers) {
			const snap = this.#stmts.entryAt.get(docId, doc.snapshotSeq) as EntryRow | undefined;
			if (snap) rows.push(snap);
			after = doc.snapshotCovers;
		}
		for (const r of this.#stmts.entriesAfter.all(docId, after) as EntryRow[]) {
			if (r.seq === rows[0]?.seq) continue;
			// Any other snapshot holds only what the reader has or is sent here: name it, not send it.
			if (r.kind === 'snapshot') skipped.push(r.seq);
			else rows.push(r);
		}
		return { entries: rows.map((r) => toWireEntry(docId, r)), skipped };
	}

	async entriesInRanges(ranges: EntryRange[]): Promise<Map<DocumentId, WireEntry[]>> {
		const found = new Map<DocumentId, WireEntry[]>();
		for (const r of ranges) found.set(r.docId, await this.entriesBetween(r.docId, r.after, r.upTo));
		return found;
	}

	async entriesBetween(docId: DocumentId, after: number, upTo: number): Promise<WireEntry[]> {
		return (this.#stmts.entriesBetween.all(docId, after, upTo) as EntryRow[]).map((r) => toWireEntry(docId, r));
	}

	appendOp(spaceId: SpaceId, op: SignedOp, at: number): Promise<{ logged: LoggedOp; fresh: boolean }> {
		return this.#write(() => {
			const existing = this.#stmts.opBySig.get(spaceId, op.sig) as OpRow | undefined;
			if (existing) return { logged: toLoggedOp(spaceId, existing), fresh: false };
			const { next } = this.#stmts.nextOpIndex.get(spaceId) as { next: number };
			this.#stmts.insertOp.run(spaceId, next, op.author, op.body, op.sig, at);
			return { logged: { index: next, at, op }, fresh: true };
		});
	}

	async opsSince(spaceId: SpaceId, since: number, limit = -1): Promise<LoggedOp[]> {
		return (this.#stmts.opsSince.all(spaceId, since, limit) as OpRow[]).map((r) => toLoggedOp(spaceId, r));
	}

	async docSizes(bounds: number[]): Promise<DocSizeSummary> {
		const cumulative = bounds.map(() => 0);
		let docs = 0;
		let totalBytes = 0;
		for (const { bytes } of this.#stmts.sizes.iterate() as Iterable<{ bytes: number }>) {
			docs++;
			totalBytes += bytes;
			bounds.forEach((b, i) => {
				if (bytes <= b) cumulative[i]++;
			});
		}
		return { docs, totalBytes, cumulative };
	}

	listen(_listener: StoreListener): void {
		// One process owns the file: there are no other nodes to hear from.
	}

	async close(): Promise<void> {
		if (this.#queue.length > 0) this.#flush();
		this.#db.close();
	}
}

class DocTooLarge extends Error {}

function toWireEntry(docId: DocumentId, r: EntryRow): WireEntry {
	return {
		docId,
		seq: r.seq,
		epoch: r.epoch,
		kind: r.kind as WireEntry['kind'],
		...(r.covers === null ? {} : { covers: r.covers }),
		author: r.author as WireEntry['author'],
		nonce: r.nonce,
		ct: r.ct,
		sig: r.sig
	};
}

function toLoggedOp(spaceId: SpaceId, r: OpRow): LoggedOp {
	return { index: r.idx, at: r.at, op: { spaceId, author: r.author as DeviceKey, body: r.body, sig: r.sig } };
}
