// The embedded store's file: how it is opened and its versioned schema. Both the relay's
// reading connection (SqliteStore) and its writing one (the writer thread) open it here, so
// they agree on every setting that matters for durability.
import Database from 'better-sqlite3';
import { SchemaTooNewError } from './SchemaTooNewError';

/** Versioned schema steps; PRAGMA user_version records how many have run. Append, never edit. */
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
	`CREATE TABLE IF NOT EXISTS relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
	// 4: entries in a rowid table, found through an index on (doc_id, seq). An entry is half a
	// kilobyte or more; kept WITHOUT ROWID, each one landed inside the tree at its document's
	// place, so every group commit split and rewrote a page per document it touched. Now rows
	// go on at the end and only the small index entries are scattered: about a third less
	// time per append (SQLite advises WITHOUT ROWID only for small rows).
	`CREATE TABLE entries_by_rowid (
		doc_id TEXT NOT NULL,
		seq INTEGER NOT NULL,
		epoch INTEGER NOT NULL,
		kind TEXT NOT NULL,
		covers INTEGER,
		author TEXT NOT NULL,
		nonce TEXT NOT NULL,
		ct TEXT NOT NULL,
		sig TEXT NOT NULL
	);
	INSERT INTO entries_by_rowid (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig)
		SELECT doc_id, seq, epoch, kind, covers, author, nonce, ct, sig FROM entries ORDER BY doc_id, seq;
	DROP TABLE entries;
	ALTER TABLE entries_by_rowid RENAME TO entries;
	CREATE UNIQUE INDEX entries_doc_seq ON entries (doc_id, seq);`,
	// 5: only the newest recovery copy in a log made of nothing but one key's copies (see
	// RelayStore.appendOp, which keeps it so from now on). Each was a full bundle of keys.
	`DELETE FROM space_ops WHERE substr(body, 1, 11) = '{"backup":"'
		AND idx < (SELECT MAX(idx) FROM space_ops AS newest WHERE newest.space_id = space_ops.space_id)
		AND NOT EXISTS (SELECT 1 FROM space_ops AS other WHERE other.space_id = space_ops.space_id
			AND (other.author != space_ops.author OR substr(other.body, 1, 11) != '{"backup":"'));`,
	// 6: an op's signed relay fields (`admits`, `cap`) as JSON, NULL for ops without them.
	`ALTER TABLE space_ops ADD COLUMN relay_fields TEXT;`
];

/** Opens the relay's database file with the settings every connection to it uses. */
export function openSqliteFile(file: string): Database.Database {
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	// An acknowledged append must survive a power cut, not only a crash of this process.
	db.pragma('synchronous = FULL');
	// The reading and the writing connection share the file; a write lock is held for one
	// group commit at a time, which is far shorter than this.
	db.pragma('busy_timeout = 5000');
	return db;
}

/** The schema version this code writes: how many steps it knows. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to date (or up to step `upTo`, for tests of a step). Run once, before
 * the writer thread opens the file. A file a newer relay has migrated further is refused with
 * a SchemaTooNewError before anything is written to it.
 */
export function migrateSqlite(db: Database.Database, upTo = MIGRATIONS.length): void {
	const version = db.pragma('user_version', { simple: true }) as number;
	if (version > MIGRATIONS.length) throw new SchemaTooNewError('SQLite', version, MIGRATIONS.length);
	for (let v = version; v < upTo; v++) {
		db.transaction(() => {
			db.exec(MIGRATIONS[v]);
			db.pragma(`user_version = ${v + 1}`);
		})();
	}
}
