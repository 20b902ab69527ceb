// Everything the engine tracks for one document. Plain data plus a few helpers; the
// engine owns the behaviour.
import type { DocHandle } from '@automerge/automerge-repo';
import type { AuthRecord, DocAuthState, DocumentId } from '$lib/protocol';
import type { DocAccess } from '$lib/keys/access';
import { SeenCounters, type Interval } from './SeenCounters';

/** The persisted part, saved as JSON after the document itself has been flushed to disk. */
export interface DocSyncRecord {
	docId: DocumentId;
	/** Highest relay seq whose content is in the local document. */
	lastSeq: number;
	/**
	 * Auth records accepted from the relay, in relay order (null where one was invalid). Stored
	 * apart, one key each (see `authCount`); inline only in records written before that.
	 */
	auth: Array<AuthRecord | null>;
	/**
	 * How many auth records are stored apart under `['auth', docId, index]`, written once each:
	 * the record itself stays small, so saving it (often) does not rewrite every policy, each
	 * naming every writer. Absent in records that hold `auth` inline.
	 */
	authCount?: number;
	/** Signed auth records the relay has not confirmed yet (created or joined while offline). */
	pendingAuth: AuthRecord[];
	/** Heads whose ancestors are all on the relay; local changes beyond them still need pushing. */
	knownHeads: string[];
	seen: Record<string, Interval[]>;
	/** Entries since the last snapshot, to decide when to compact. */
	sinceSnapshot: number;
	/** Their ciphertext size, and the last snapshot's, for the same decision. */
	bytesSinceSnapshot?: number;
	snapshotBytes?: number;
	/** Whether the local store holds a copy of the document yet. */
	hasLocalCopy: boolean;
	/** Highest epoch of any change applied so far (epochs never go back in relay order). */
	maxEpoch?: number;
	/**
	 * Epochs this device saw closed live by a policy that did not say where (older policies):
	 * epoch -> the seq it stood at. No honest entry of that epoch comes after it.
	 */
	closedAfter?: Record<number, number>;
	/**
	 * Whether the local copy may hold changes the relay has not confirmed. Undefined in records
	 * written before it existed, which is treated as "maybe". Documents that are not dirty are
	 * not loaded when the app starts: years of history stay on disk until someone opens them.
	 */
	dirty?: boolean;
	/** What the document says it is, remembered so it can be found without loading it. */
	meta?: DocMeta;
	/**
	 * Marks (`entryMark`) of the entries this device took in the open epoch, by author: what a
	 * policy that takes a writer off lists as theirs. `complete` once this device has seen the
	 * epoch from its start (or the document from a fresh start); a record from before this
	 * existed is not, and then no list is signed for that epoch (the seq points decide).
	 */
	written?: { epoch: number; complete: boolean; by: Record<string, string[]> };
}

/** A document's `kind` and `period` (e.g. a month of visit notes), read from its root. */
export interface DocMeta {
	kind?: string;
	period?: string;
}

export interface InFlight {
	rid: number;
	kind: 'change' | 'snapshot';
	heads: string[];
	counter?: number;
	sentAt: number;
	bytes: number;
}

export class DocSync {
	readonly docId: DocumentId;
	access: DocAccess;
	record: DocSyncRecord;
	seen: SeenCounters;
	auth: DocAuthState | undefined;
	/** Auth state from relay-confirmed records, and how many records it covers. */
	confirmedAuth: DocAuthState | undefined;
	confirmedAuthCount = -1;
	/** What the space said of this log's signers when `confirmedAuth` was judged (see signerVerdicts). */
	confirmedAuthSpace?: string;
	/** Relay-confirmed policies refused for want of authority (see followAuth), by position. */
	refusedPolicies = new Set<number>();
	handle?: DocHandle<unknown>;
	inFlight?: InFlight;
	flushTimer?: ReturnType<typeof setTimeout>;
	flushQueued = false;
	countTimer?: ReturnType<typeof setTimeout>;
	/** This session's next replay counter for the document (see randomCounterStart). */
	counter?: number;
	/** When the last entry was sent, for the batch window. */
	lastPushAt = 0;
	/** Local changes on disk, not yet confirmed by the relay. */
	pendingChanges = 0;
	/** Changes not on disk yet (see LocalDurability). */
	unsavedChanges = 0;
	/** The record as last written to storage (what a restart would read), if it was. */
	persisted?: DocSyncRecord;
	/** The auth records stored apart, as last written (compared by identity to find what changed). */
	persistedAuth: ReadonlyArray<AuthRecord | null> = [];
	/** Heads other tabs of the app are known to have (see TabChannel). */
	tabHeads?: string[];
	/** True once this session has caught up with the relay for this document. */
	caughtUp = false;
	/**
	 * The relay's storage was restored from a backup (its lineage changed): this catch-up
	 * starts from nothing, what we already merged comes back and is skipped quietly, and what
	 * the relay lacks is sent again.
	 */
	rewinding = false;
	/** An entry in an epoch whose key has not reached us yet is being held back. */
	waitingForKey = false;
	/** Seqs this catch-up accounted for beyond `lastSeq` (see seqCoverage). */
	heldSeqs?: readonly number[];
	/** This catch-up skipped some seqs: the rest of it is ignored and it is asked again. */
	holePending = false;
	/** Catch-ups in a row that had a hole; reset by one that had none. */
	holeRetries = 0;
	/** Set when a write was refused in a way retrying cannot fix (e.g. no longer a writer). */
	blocked?: string;
	unsubscribe?: () => void;
	/** Set while the local copy is being loaded from storage. */
	loading?: Promise<void>;
	/** Work that arrived (entries from the relay) while the local copy was still on disk. */
	afterLoad: Array<() => void> = [];

	/** `stored`: the record was read from storage (so it is what a restart would see). */
	constructor(access: DocAccess, record: DocSyncRecord, stored = false) {
		this.docId = access.docId;
		this.access = access;
		this.record = record;
		this.seen = SeenCounters.fromJSON(record.seen);
		if (stored) this.persisted = { ...record };
	}

	static fresh(access: DocAccess): DocSync {
		return new DocSync(access, {
			docId: access.docId,
			lastSeq: 0,
			auth: [],
			pendingAuth: [],
			knownHeads: [],
			seen: {},
			sinceSnapshot: 0,
			hasLocalCopy: false
		});
	}

	snapshotRecord(): DocSyncRecord {
		return { ...this.record, seen: this.seen.toJSON() };
	}
}
