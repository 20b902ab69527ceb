// Rows as both stores read them back (same columns in SQLite and PostgreSQL), and what they
// become on the wire. Seqs, indexes and times are numbers here: each store parses them so.
import type { DocumentId, LoggedOp, SignedOp, SpaceId, WireEntry } from '../src/lib/protocol';

export interface EntryRow {
	seq: number;
	epoch: number;
	kind: string;
	covers: number | null;
	author: string;
	nonce: string;
	ct: string;
	sig: string;
}

export interface OpRow {
	idx: number;
	author: string;
	body: string;
	sig: string;
	at: number;
	/** The op's signed relay fields as JSON (SignedOp `admits`, `cap`), or null. */
	relay_fields: string | null;
}

export function toWireEntry(docId: DocumentId, r: EntryRow): WireEntry {
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

export function toLoggedOp(spaceId: SpaceId, r: OpRow): LoggedOp {
	const fields = r.relay_fields ? (JSON.parse(r.relay_fields) as Pick<SignedOp, 'admits' | 'cap'>) : {};
	return { index: r.idx, at: r.at, op: { spaceId, author: r.author as LoggedOp['op']['author'], body: r.body, sig: r.sig, ...fields } };
}

/** The relay fields of an op as stored: only those the signature covers, or null for none. */
export function relayFieldsOf(op: SignedOp): string | null {
	if (op.admits === undefined && op.cap === undefined) return null;
	return JSON.stringify({ ...(op.admits ? { admits: op.admits } : {}), ...(op.cap ? { cap: { by: op.cap.by, sig: op.cap.sig } } : {}) });
}
