// Rows as both stores read them back (same columns in SQLite and PostgreSQL), and what they
// become on the wire. Seqs, indexes and times are numbers here: each store parses them so.
import type { DocumentId, LoggedOp, SpaceId, WireEntry } from '../src/lib/protocol';

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
	return { index: r.idx, at: r.at, op: { spaceId, author: r.author as LoggedOp['op']['author'], body: r.body, sig: r.sig } };
}
