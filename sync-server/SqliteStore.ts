// Embedded default storage for the relay: one SQLite file in the data folder. It holds only
// random document and space ids, public keys, relay sequence numbers, ciphertext and
// signed space-log ops (whose bodies the relay stores but never reads).
//
// Two connections share the file (WAL mode lets them): this one reads, on the relay's main
// thread; every write goes to a writer thread (SqliteWriter), which group-commits them. A
// write resolves only once its commit is synced to disk, so an ack still follows a durable
// commit, and a read that starts after a write resolved sees it.
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthRecord, DocumentId, LoggedOp, SignedOp, SpaceId, WireEntry } from '../src/lib/protocol';
import { newLineage } from './newLineage';
import type { AppendGuard, AppendResult, CatchupRead, DocSizeSummary, RelayStore, StoredDoc, StoreListener, EntryRange } from './RelayStore';
import { migrateSqlite, openSqliteFile } from './sqliteSchema';
import { SqliteWriter } from './SqliteWriter';
import { toLoggedOp, toWireEntry, type EntryRow, type OpRow } from './storedRows';

export class SqliteStore implements RelayStore {
	readonly kind = 'sqlite' as const;
	readonly #dataDir: string;
	#db!: Database.Database;
	#stmts!: ReturnType<SqliteStore['prepare']>;
	#writer!: SqliteWriter;
	#catchupRead!: (docId: DocumentId, since: number) => CatchupRead;

	constructor(dataDir: string) {
		this.#dataDir = dataDir;
	}

	async open(): Promise<void> {
		mkdirSync(this.#dataDir, { recursive: true });
		const file = join(this.#dataDir, 'relay.sqlite');
		this.#db = openSqliteFile(file);
		try {
			migrateSqlite(this.#db);
		} catch (error) {
			// E.g. a schema newer than this relay: leave the file as it was, and let go of it.
			this.#db.close();
			throw error;
		}
		this.#stmts = this.prepare();
		this.#catchupRead = this.#db.transaction((docId: DocumentId, since: number) => this.#readCatchup(docId, since));
		this.#db.prepare("INSERT OR IGNORE INTO relay_meta (key, value) VALUES ('lineage', ?)").run(newLineage());
		this.#writer = new SqliteWriter(file);
		try {
			await this.#writer.start();
		} catch (error) {
			this.#db.close();
			throw error;
		}
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
			authSince: db.prepare('SELECT idx, record FROM auth WHERE doc_id = ? AND idx >= ? ORDER BY idx'),
			// Catch-up names the snapshots in this range but never sends them, so their
			// ciphertext is not read out (the leading snapshot is read by entryAt).
			entriesAfter: db.prepare(
				`SELECT seq, epoch, kind, covers, author, nonce, CASE WHEN kind = 'snapshot' THEN '' ELSE ct END AS ct, sig FROM entries WHERE doc_id = ? AND seq > ? ORDER BY seq`
			),
			entriesBetween: db.prepare(`SELECT ${entryCols} FROM entries WHERE doc_id = ? AND seq > ? AND seq <= ? ORDER BY seq`),
			entryAt: db.prepare(`SELECT ${entryCols} FROM entries WHERE doc_id = ? AND seq = ?`),
			opsSince: db.prepare('SELECT idx, author, body, sig, at, relay_fields FROM space_ops WHERE space_id = ? AND idx >= ? ORDER BY idx LIMIT ?'),
			sizes: db.prepare('SELECT bytes FROM docs')
		};
	}

	async ping(): Promise<void> {
		this.#db.prepare('SELECT 1').get();
	}

	async getDoc(docId: DocumentId): Promise<StoredDoc | undefined> {
		return this.#stmts.getDoc.get(docId) as StoredDoc | undefined;
	}

	appendAuth(docId: DocumentId, index: number, record: AuthRecord): Promise<boolean> {
		return this.#writer.write({ op: 'appendAuth', docId, index, record });
	}

	async authSince(docId: DocumentId, index: number): Promise<Array<{ index: number; record: AuthRecord }>> {
		return (this.#stmts.authSince.all(docId, index) as Array<{ idx: number; record: string }>).map((r) => ({
			index: r.idx,
			record: JSON.parse(r.record) as AuthRecord
		}));
	}

	append(entry: WireEntry, guard: AppendGuard): Promise<AppendResult> {
		return this.#writer.write({ op: 'append', entry, guard });
	}

	async entriesSince(docId: DocumentId, since: number): Promise<CatchupRead> {
		return this.#catchupRead(docId, since);
	}

	/**
	 * The document's row and its entries, read in one transaction: the writer thread may commit
	 * a snapshot at any moment, and that deletes entries this read would otherwise expect.
	 */
	#readCatchup(docId: DocumentId, since: number): CatchupRead {
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

	appendOp(spaceId: SpaceId, op: SignedOp, at: number, replacesCopies = false): Promise<{ logged: LoggedOp; fresh: boolean }> {
		return this.#writer.write({ op: 'appendOp', spaceId, signed: op, at, replacesCopies });
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
		await this.#writer.close();
		this.#db.close();
	}
}
