// Every write the embedded store makes, as plain data (so it can cross to the writer thread)
// and the code that runs a batch of them as one group commit. Runs on the writer thread.
import type Database from 'better-sqlite3';
import { RECOVERY_COPY_PREFIX, type AuthRecord, type DocumentId, type LoggedOp, type SignedOp, type SpaceId, type WireEntry } from '../src/lib/protocol';
import type { AppendGuard, AppendResult, StoredDoc } from './RelayStore';
import { relayFieldsOf, toLoggedOp, type OpRow } from './storedRows';

export type SqliteWrite =
	| { op: 'append'; entry: WireEntry; guard: AppendGuard }
	| { op: 'appendAuth'; docId: DocumentId; index: number; record: AuthRecord }
	| { op: 'appendOp'; spaceId: SpaceId; signed: SignedOp; at: number; replacesCopies?: boolean };

/** What each write resolves to, by kind. */
export interface SqliteWriteResults {
	append: AppendResult;
	appendAuth: boolean;
	appendOp: { logged: LoggedOp; fresh: boolean };
}

/** One write's outcome. An error carries only its message and SQLite's code (never values). */
export type SqliteWriteOutcome = { ok: true; value: unknown } | { ok: false; message: string; code?: string };

export type SqliteWriteStatements = ReturnType<typeof prepareWrites>;

export function prepareWrites(db: Database.Database) {
	return {
		getDoc: db.prepare(
			'SELECT head, snapshot_seq AS snapshotSeq, snapshot_covers AS snapshotCovers, auth_count AS authCount, bytes FROM docs WHERE doc_id = ?'
		),
		insertDoc: db.prepare('INSERT INTO docs (doc_id, auth_count) VALUES (?, 1) ON CONFLICT DO NOTHING'),
		bumpAuth: db.prepare('UPDATE docs SET auth_count = auth_count + 1 WHERE doc_id = ? AND auth_count = ?'),
		// A policy closing an epoch at `closesAt` goes in only if nothing was stored after it.
		bumpAuthClosing: db.prepare('UPDATE docs SET auth_count = auth_count + 1 WHERE doc_id = ? AND auth_count = ? AND head <= ?'),
		insertAuth: db.prepare('INSERT INTO auth (doc_id, idx, record) VALUES (?, ?, ?)'),
		insertEntry: db.prepare('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
		setHead: db.prepare('UPDATE docs SET head = ?, bytes = bytes + ? WHERE doc_id = ?'),
		setSnapshot: db.prepare('UPDATE docs SET head = ?, snapshot_seq = ?, snapshot_covers = ? WHERE doc_id = ?'),
		recount: db.prepare('UPDATE docs SET bytes = (SELECT COALESCE(SUM(LENGTH(ct)), 0) FROM entries WHERE doc_id = ?) WHERE doc_id = ? RETURNING bytes'),
		dropCovered: db.prepare('DELETE FROM entries WHERE doc_id = ? AND seq <= ?'),
		// Indexes count up from 0 and the newest op is never deleted, so max + 1 is the log's
		// length, read from the primary key without scanning the log.
		nextOpIndex: db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS next FROM space_ops WHERE space_id = ?'),
		// A recovery copy replaces the older ones, if the log holds nothing else (see RelayStore).
		// The check stops at the first op that is not a copy by this author: a space's create.
		dropOlderCopies: db.prepare(
			`DELETE FROM space_ops WHERE space_id = @space AND idx < @newest AND NOT EXISTS (
				SELECT 1 FROM space_ops WHERE space_id = @space AND (author != @author OR substr(body, 1, length(@prefix)) != @prefix))`
		),
		insertOp: db.prepare('INSERT INTO space_ops (space_id, idx, author, body, sig, at, relay_fields) VALUES (?, ?, ?, ?, ?, ?, ?)'),
		opBySig: db.prepare('SELECT idx, author, body, sig, at, relay_fields FROM space_ops WHERE space_id = ? AND sig = ?')
	};
}

/**
 * Runs the writes in one transaction, each in its own savepoint so one failure spoils nothing
 * else, and returns once that transaction is synced to disk (synchronous = FULL). One fsync
 * per batch instead of per append keeps thousands of appends a second cheap and durable.
 * If the commit itself fails (disk full, I/O error) every write gets that error: none is stored.
 */
export function commitWrites(db: Database.Database, stmts: SqliteWriteStatements, writes: SqliteWrite[]): SqliteWriteOutcome[] {
	const outcomes: SqliteWriteOutcome[] = [];
	try {
		db.transaction(() => {
			for (const write of writes) {
				try {
					// A nested transaction is a savepoint: a failing write rolls back only itself.
					outcomes.push({ ok: true, value: db.transaction(() => runWrite(stmts, write))() });
				} catch (error) {
					// Some errors (a full disk, I/O) make SQLite roll back the whole transaction,
					// not just this savepoint: then nothing in the batch is stored, for this reason.
					if (!db.inTransaction) throw error;
					if (error instanceof DocTooLarge) outcomes.push({ ok: true, value: { ok: false, reason: 'doc-too-large' } satisfies AppendResult });
					else outcomes.push(failure(error));
				}
			}
		})();
	} catch (error) {
		return writes.map(() => failure(error));
	}
	return outcomes;
}

function failure(error: unknown): SqliteWriteOutcome {
	const code = (error as { code?: unknown })?.code;
	return { ok: false, message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) };
}

function runWrite(stmts: SqliteWriteStatements, write: SqliteWrite): SqliteWriteResults[SqliteWrite['op']] {
	switch (write.op) {
		case 'append':
			return append(stmts, write.entry, write.guard);
		case 'appendAuth': {
			const { docId, index } = write;
			const closesAt = write.record.kind === 'policy' ? write.record.closesAt : undefined;
			const claimed =
				index === 0 ? stmts.insertDoc.run(docId) : closesAt === undefined ? stmts.bumpAuth.run(docId, index) : stmts.bumpAuthClosing.run(docId, index, closesAt);
			if (claimed.changes !== 1) return false;
			stmts.insertAuth.run(docId, index, JSON.stringify(write.record));
			return true;
		}
		case 'appendOp': {
			const { spaceId, signed, at } = write;
			const existing = stmts.opBySig.get(spaceId, signed.sig) as OpRow | undefined;
			if (existing) return { logged: toLoggedOp(spaceId, existing), fresh: false };
			const { next } = stmts.nextOpIndex.get(spaceId) as { next: number };
			stmts.insertOp.run(spaceId, next, signed.author, signed.body, signed.sig, at, relayFieldsOf(signed));
			if (write.replacesCopies) stmts.dropOlderCopies.run({ space: spaceId, newest: next, author: signed.author, prefix: RECOVERY_COPY_PREFIX });
			return { logged: { index: next, at, op: signed }, fresh: true };
		}
	}
}

function append(stmts: SqliteWriteStatements, entry: WireEntry, guard: AppendGuard): AppendResult {
	const doc = stmts.getDoc.get(entry.docId) as StoredDoc | undefined;
	if (!doc) return { ok: false, reason: 'unknown-document' };
	if (doc.authCount !== guard.authCount) return { ok: false, reason: 'auth-changed' };
	const seq = doc.head + 1;
	if (entry.kind === 'snapshot') {
		const covers = entry.covers!;
		if (covers > doc.head || covers <= doc.snapshotCovers) return { ok: false, reason: 'stale-snapshot' };
		stmts.insertEntry.run(entry.docId, seq, entry.epoch, entry.kind, covers, entry.author, entry.nonce, entry.ct, entry.sig);
		// The snapshot holds everything up to `covers`, so what it covers can go (older
		// snapshots included). Nothing above `covers` is deleted, not even an older
		// snapshot written there by another device at the same time: every seq a catch-up
		// does not stand in for with a snapshot is then sent, and a device can tell a
		// catch-up with a hole in it (a relay mistake) from a complete one.
		stmts.dropCovered.run(entry.docId, covers);
		stmts.setSnapshot.run(seq, seq, covers, entry.docId);
		const { bytes } = stmts.recount.get(entry.docId, entry.docId) as { bytes: number };
		// Thrown, not returned, so the savepoint rolls the snapshot back.
		if (bytes > guard.maxDocBytes) throw new DocTooLarge();
	} else {
		if (doc.bytes + entry.ct.length > guard.maxDocBytes) return { ok: false, reason: 'doc-too-large' };
		stmts.insertEntry.run(entry.docId, seq, entry.epoch, entry.kind, null, entry.author, entry.nonce, entry.ct, entry.sig);
		stmts.setHead.run(seq, entry.ct.length, entry.docId);
	}
	return { ok: true, seq };
}

class DocTooLarge extends Error {}
