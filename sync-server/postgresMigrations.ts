// Versioned PostgreSQL schema steps, run in order inside one transaction under an advisory
// lock (see PostgresStore.open). The table `hearth_schema_migrations` records which ran.
// Append new steps; never edit one that has shipped.
export const POSTGRES_MIGRATIONS: string[] = [
	// 1: the relay's tables, matching the SQLite schema plus a per-space counter row.
	`CREATE TABLE docs (
		doc_id TEXT PRIMARY KEY,
		head BIGINT NOT NULL DEFAULT 0,
		snapshot_seq BIGINT NOT NULL DEFAULT 0,
		snapshot_covers BIGINT NOT NULL DEFAULT 0,
		auth_count INTEGER NOT NULL DEFAULT 0,
		bytes BIGINT NOT NULL DEFAULT 0
	);
	CREATE TABLE auth (
		doc_id TEXT NOT NULL,
		idx INTEGER NOT NULL,
		record TEXT NOT NULL,
		PRIMARY KEY (doc_id, idx)
	);
	CREATE TABLE entries (
		doc_id TEXT NOT NULL,
		seq BIGINT NOT NULL,
		epoch INTEGER NOT NULL,
		kind TEXT NOT NULL CHECK (kind IN ('change', 'snapshot')),
		covers BIGINT,
		author TEXT NOT NULL,
		nonce TEXT NOT NULL,
		ct TEXT NOT NULL,
		sig TEXT NOT NULL,
		PRIMARY KEY (doc_id, seq)
	);
	-- Appends to one space from several nodes serialise on this row.
	CREATE TABLE spaces (
		space_id TEXT PRIMARY KEY,
		length INTEGER NOT NULL
	);
	CREATE TABLE space_ops (
		space_id TEXT NOT NULL,
		idx INTEGER NOT NULL,
		author TEXT NOT NULL,
		body TEXT NOT NULL,
		sig TEXT NOT NULL,
		at BIGINT NOT NULL,
		PRIMARY KEY (space_id, idx)
	);
	-- Finds a retried append; unique so a duplicate can never be stored twice.
	CREATE UNIQUE INDEX space_ops_sig ON space_ops (space_id, sig);`,
	// 2: which copy of the storage this is (see RelayStore.lineage).
	`CREATE TABLE hearth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
	// 3: only the newest recovery copy in a log made of nothing but one key's copies (see
	// RelayStore.appendOp, which keeps it so from now on). Each was a full bundle of keys.
	`DELETE FROM space_ops WHERE substr(body, 1, 11) = '{"backup":"'
		AND idx < (SELECT MAX(idx) FROM space_ops AS newest WHERE newest.space_id = space_ops.space_id)
		AND NOT EXISTS (SELECT 1 FROM space_ops AS other WHERE other.space_id = space_ops.space_id
			AND (other.author != space_ops.author OR substr(other.body, 1, 11) != '{"backup":"'));`,
	// 4: an op's signed relay fields (`admits`, `cap`) as JSON, NULL for ops without them.
	`ALTER TABLE space_ops ADD COLUMN relay_fields TEXT;`
];
