import type { AuthRecord, DocumentId, LoggedOp, SignedOp, SpaceId, WireEntry } from '../src/lib/protocol';

export interface StoredDoc {
	/** Highest seq assigned so far. */
	head: number;
	/** Seq of the newest snapshot, 0 if none. */
	snapshotSeq: number;
	/** Highest seq that snapshot includes. */
	snapshotCovers: number;
}

/** What the relay needs from storage. SQLite is the embedded default. */
export interface RelayStore {
	getDoc(docId: DocumentId): StoredDoc | undefined;
	createDoc(docId: DocumentId, first: AuthRecord): void;
	appendAuth(docId: DocumentId, index: number, record: AuthRecord): void;
	authSince(docId: DocumentId, index: number): Array<{ index: number; record: AuthRecord }>;
	allAuth(): Array<{ docId: DocumentId; index: number; record: AuthRecord }>;
	append(entry: WireEntry, seq: number): void;
	entriesSince(docId: DocumentId, since: number, doc: StoredDoc): WireEntry[];
	/**
	 * Appends a verified op to its space's log at the next index (the log's length) and returns
	 * that index. Idempotent: an op already in the log (same sig) keeps its index and is not stored again.
	 */
	appendOp(spaceId: SpaceId, op: SignedOp, at: number): number;
	/** The op in that space's log with this signature, if any: how retried appends are recognised. */
	findOp(spaceId: SpaceId, sig: string): LoggedOp | undefined;
	/** Ops at index `since` and later, in index order. Empty for a space nobody has written to. */
	opsSince(spaceId: SpaceId, since: number): LoggedOp[];
	close(): void;
}
