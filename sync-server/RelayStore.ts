import type { AuthRecord, DocumentId, WireEntry } from '../src/lib/protocol';

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
	close(): void;
}
