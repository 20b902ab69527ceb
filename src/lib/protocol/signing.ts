// The exact bytes each signature covers. Both the relay (node:crypto) and the app
// (libsodium) build them here, so they can never disagree.
import { fromBase64Url, framed } from './bytes';
import type { JoinRecord, PolicyRecord, SignedOp, WireEntry } from './messages';

export function entrySigningBytes(e: Omit<WireEntry, 'sig' | 'seq'>): Uint8Array {
	return framed([
		'hearth/entry/v1',
		e.docId,
		e.epoch,
		e.kind,
		e.covers ?? 0,
		fromBase64Url(e.author),
		fromBase64Url(e.nonce),
		fromBase64Url(e.ct)
	]);
}

/**
 * v1 for policies with neither `closesAt` nor `retiresAt` (as every policy was before them), v2
 * with `closesAt` alone, v3 with `retiresAt` or `written` (every optional field in place, empty
 * when absent), so no field can be added or dropped after signing.
 */
export function policySigningBytes(p: Omit<PolicyRecord, 'sig'>): Uint8Array {
	if (p.retiresAt !== undefined || p.written !== undefined) {
		return framed([
			'hearth/policy/v3',
			p.docId,
			p.epoch,
			p.writers.join(','),
			p.admins.join(','),
			p.joinKeys.join(','),
			fromBase64Url(p.signer),
			p.closesAt ?? '',
			p.retiresAt ?? '',
			p.written === undefined ? '' : JSON.stringify(p.written)
		]);
	}
	const fields: Array<Uint8Array | string | number> = [
		p.closesAt === undefined ? 'hearth/policy/v1' : 'hearth/policy/v2',
		p.docId,
		p.epoch,
		p.writers.join(','),
		p.admins.join(','),
		p.joinKeys.join(','),
		fromBase64Url(p.signer)
	];
	if (p.closesAt !== undefined) fields.push(p.closesAt);
	return framed(fields);
}

export function joinSigningBytes(j: Omit<JoinRecord, 'sig'>): Uint8Array {
	return framed(['hearth/join/v1', j.docId, j.epoch, fromBase64Url(j.device), fromBase64Url(j.joinKey)]);
}

/**
 * A space-log op: binds the body to its space and author, so it cannot be replayed into another
 * space. v1 for ops without relay fields (every op before them, and most ops since), v2 with.
 */
export function opSigningBytes(op: Omit<SignedOp, 'sig'>): Uint8Array {
	if (op.admits === undefined && op.cap === undefined) return framed(['hearth/op/v1', op.spaceId, fromBase64Url(op.author), op.body]);
	return framed([
		'hearth/op/v2',
		op.spaceId,
		fromBase64Url(op.author),
		op.body,
		(op.admits ?? []).join(','),
		op.cap ? fromBase64Url(op.cap.by) : new Uint8Array(0),
		op.cap ? fromBase64Url(op.cap.sig) : new Uint8Array(0)
	]);
}

/** What a write capability signs: this author may add to this space's log. */
export function spaceWriteBytes(spaceId: string, author: string): Uint8Array {
	return framed(['hearth/space-write/v1', spaceId, fromBase64Url(author)]);
}

export function ephemeralSigningBytes(m: {
	docId: string;
	epoch: number;
	author: string;
	nonce: string;
	ct: string;
}): Uint8Array {
	return framed(['hearth/ephemeral/v1', m.docId, m.epoch, fromBase64Url(m.author), fromBase64Url(m.nonce), fromBase64Url(m.ct)]);
}

/** Associated data for an entry's AEAD: binds the ciphertext to its document, epoch, author and kind. */
export function entryAssociatedData(e: { docId: string; epoch: number; author: string; kind: string; covers?: number }): Uint8Array {
	return framed(['hearth/ad/v1', e.docId, e.epoch, fromBase64Url(e.author), e.kind, e.covers ?? 0]);
}

export function ephemeralAssociatedData(m: { docId: string; epoch: number; author: string }): Uint8Array {
	return framed(['hearth/ephemeral-ad/v1', m.docId, m.epoch, fromBase64Url(m.author)]);
}
