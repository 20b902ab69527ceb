import type { AuthRecord, DocumentId, LoggedOp, SignedOp, SpaceId, WireEntry } from '../src/lib/protocol';

export interface StoredDoc {
	/** Highest seq assigned so far. */
	head: number;
	/** Seq of the newest snapshot, 0 if none. */
	snapshotSeq: number;
	/** Highest seq that snapshot includes. */
	snapshotCovers: number;
	/** Number of auth records stored: an append is only valid against this exact auth state. */
	authCount: number;
	/** Ciphertext characters stored for this document (what the size quota counts). */
	bytes: number;
}

/**
 * What an append checks inside the same transaction that stores it, so two relay nodes
 * sharing one database can never both accept entries against different auth states.
 */
export interface AppendGuard {
	/** The auth-log length the entry was validated against. */
	authCount: number;
	/** Largest a document may grow (ciphertext characters). */
	maxDocBytes: number;
}

export type AppendResult =
	| { ok: true; seq: number }
	/** The auth log moved on (another node, or a concurrent join): re-validate and retry. */
	| { ok: false; reason: 'auth-changed' | 'unknown-document' | 'stale-snapshot' | 'doc-too-large' };

/**
 * Something another relay node committed to shared storage: ids and positions, and for a small
 * change the stored entry itself (ciphertext, as the database holds it; never plaintext).
 */
export type StoreEvent =
	/** `authCount`: the auth-log length the entry was checked against (its writer is in there). */
	| {
			kind: 'entry';
			docId: DocumentId;
			seq: number;
			authCount: number;
			sentAt: number;
			/** The stored entry itself, when the notice had room for it (else it is read). */
			entry?: WireEntry;
	  }
	| { kind: 'auth'; docId: DocumentId; index: number; sentAt: number }
	| { kind: 'op'; spaceId: SpaceId; index: number; sentAt: number };

export interface StoreListener {
	/** One notice from another node can carry many events, handled together. */
	onEvents(events: StoreEvent[]): void;
	/** The event feed was interrupted and is back: events in between may be missing. */
	onResync(): void;
}

/** A catch-up read: entries to send, and the seqs of older snapshots left out (see CatchupDoc). */
export interface CatchupRead {
	entries: WireEntry[];
	skipped: number[];
}

export interface EntryRange {
	docId: DocumentId;
	after: number;
	upTo: number;
}

export interface DocSizeSummary {
	docs: number;
	totalBytes: number;
	/** Cumulative counts of documents at or below each bound, in the order given. */
	cumulative: number[];
}

/**
 * What the relay needs from storage. SQLite is the embedded default; PostgreSQL lets several
 * relay nodes share one database. Every method resolves only once the write is durable.
 */
export interface RelayStore {
	readonly kind: 'sqlite' | 'postgres';
	/** Creates or migrates the schema and starts the event feed (if any). */
	open(): Promise<void>;
	/**
	 * Names this copy of the storage: set at random when it is created, and again when a copy
	 * is restored from a backup (`relay:backup` stamps its copy; `relay:restored` stamps a
	 * database restored by other means). Devices that see it change resend what they hold.
	 */
	lineage(): Promise<string>;
	/** Gives this storage a new lineage (after it was restored from a backup). */
	renewLineage(): Promise<string>;
	/** Throws if storage cannot be reached right now. */
	ping(): Promise<void>;
	getDoc(docId: DocumentId): Promise<StoredDoc | undefined>;
	/**
	 * Stores an auth record at `index` (0 creates the document). Resolves false, storing
	 * nothing, when that index is already taken: someone else's record got there first.
	 */
	appendAuth(docId: DocumentId, index: number, record: AuthRecord): Promise<boolean>;
	authSince(docId: DocumentId, index: number): Promise<Array<{ index: number; record: AuthRecord }>>;
	/** Stores a verified entry at the next seq, if the guard still holds. */
	append(entry: WireEntry, guard: AppendGuard): Promise<AppendResult>;
	/**
	 * Catch-up: the newest snapshot (if `since` is behind what it covers) then every later
	 * change, all as of one moment (a snapshot deletes the entries it covers). Other snapshots
	 * in that range are left out, by seq: their content is in what the reader has or gets.
	 */
	entriesSince(docId: DocumentId, since: number): Promise<CatchupRead>;
	/** Entries with after < seq <= upTo, in order (snapshots included): fills fan-out gaps. */
	entriesBetween(docId: DocumentId, after: number, upTo: number): Promise<WireEntry[]>;
	/** entriesBetween for many documents in one read (another node's notice names many). */
	entriesInRanges(ranges: EntryRange[]): Promise<Map<DocumentId, WireEntry[]>>;
	/**
	 * Appends a verified op to its space's log at the next index. Idempotent: an op already in
	 * the log (same sig) is returned as it was logged, with `fresh` false.
	 * `replacesCopies` (the op is a recovery copy): in the same commit, older ops go if every op
	 * in the log is a recovery copy by this op's author, so only the newest copy is kept and a
	 * crash never leaves none. Any other log (a space's membership) keeps everything.
	 */
	appendOp(spaceId: SpaceId, op: SignedOp, at: number, replacesCopies?: boolean): Promise<{ logged: LoggedOp; fresh: boolean }>;
	/** Ops at index `since` and later, in index order. Empty for a space nobody has written to. */
	opsSince(spaceId: SpaceId, since: number, limit?: number): Promise<LoggedOp[]>;
	/** How big documents are, for the metrics histogram (no ids). */
	docSizes(bounds: number[]): Promise<DocSizeSummary>;
	/**
	 * How full (0–1) the queue carrying notices between nodes is; absent where there are no
	 * other nodes. It grows when a node stops reading its notices.
	 */
	noticeQueueUsage?(): Promise<number>;
	/** Events committed by other nodes sharing this storage. SQLite has no other nodes. */
	listen(listener: StoreListener): void;
	close(): Promise<void>;
}
