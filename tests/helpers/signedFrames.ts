// Builds real signed relay frames for raw-client tests: random document ids, genesis
// policies and change entries signed with real Ed25519 keys.
import { newSigningKeyPair, sign } from '$lib/crypto';
import { entrySigningBytes, policySigningBytes, toBase64Url, type DeviceKey, type DocumentId, type PolicyRecord, type WireEntry } from '$lib/protocol';

export type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function randomDocId(): DocumentId {
	return Array.from({ length: 24 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('') as DocumentId;
}

export function genesis(docId: DocumentId, kp: KeyPair = newSigningKeyPair()): { kp: KeyPair; me: DeviceKey; record: PolicyRecord } {
	const me = toBase64Url(kp.publicKey) as DeviceKey;
	const unsigned = { kind: 'policy' as const, docId, epoch: 0, writers: [me], admins: [me], joinKeys: [], signer: me };
	return { kp, me, record: { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), kp.secretKey)) } };
}

/** A later policy (same epoch) by the genesis admin that lets `writers` write too. */
export function addWriters(docId: DocumentId, admin: KeyPair, writers: KeyPair[]): PolicyRecord {
	const me = toBase64Url(admin.publicKey) as DeviceKey;
	const all = [me, ...writers.map((w) => toBase64Url(w.publicKey) as DeviceKey)];
	const unsigned = { kind: 'policy' as const, docId, epoch: 0, writers: all, admins: [me], joinKeys: [], signer: me };
	return { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), admin.secretKey)) };
}

/** A change entry whose ciphertext is `ct` (any base64url: the relay cannot read it anyway). */
export function signedEntry(docId: DocumentId, kp: KeyPair, ct = 'AAAA', epoch = 0): WireEntry {
	const unsigned = {
		docId,
		epoch,
		kind: 'change' as const,
		author: toBase64Url(kp.publicKey) as DeviceKey,
		nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(24))),
		ct
	};
	return { ...unsigned, sig: toBase64Url(sign(entrySigningBytes(unsigned), kp.secretKey)) };
}

/** A snapshot entry covering seqs up to `covers` (its ciphertext is opaque to the relay too). */
export function signedSnapshot(docId: DocumentId, kp: KeyPair, covers: number, ct = 'AAAA', epoch = 0): WireEntry {
	const unsigned = {
		docId,
		epoch,
		kind: 'snapshot' as const,
		covers,
		author: toBase64Url(kp.publicKey) as DeviceKey,
		nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(24))),
		ct
	};
	return { ...unsigned, sig: toBase64Url(sign(entrySigningBytes(unsigned), kp.secretKey)) };
}

/** A distinct ciphertext for entry number n, so tests can tell entries apart. */
export function marker(n: number): string {
	return Buffer.from(`entry-${n.toString().padStart(6, '0')}`).toString('base64url');
}
