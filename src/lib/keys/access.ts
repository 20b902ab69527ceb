// What a device holds to read and write one document: its epoch keys and, for link
// sharing, the join capability. A share link carries all of it in the URL fragment, which
// browsers never send to any server.
import { randomBytes, signingKeyPairFromSeed, sign } from '$lib/crypto';
import {
	fromBase64Url,
	isBase64Url,
	isDocumentId,
	isPublicKey,
	joinSigningBytes,
	policySigningBytes,
	toBase64Url,
	type DeviceKey,
	type DocumentId,
	type JoinKey,
	type JoinRecord,
	type PolicyRecord,
	type SpaceId
} from '$lib/protocol';
import { words } from '$lib/words';
import type { DeviceSecrets } from './device';
import { deviceKey } from './device';

const msg = words.messages.keys.access;

export interface DocAccess {
	docId: DocumentId;
	/** Symmetric document key per epoch, base64url. Old epochs are kept so history stays readable. */
	keys: Record<number, string>;
	/** Seed of the join capability's signing key (link sharing), base64url. */
	joinSeed?: string;
	/** The creator's device key: the only key allowed to sign the first policy. */
	root: DeviceKey;
	/** For documents inside a space: which space and access circle its keys come from. */
	space?: { spaceId: SpaceId; circle: string };
}

export class ShareLinkError extends Error {}

export function newDocAccess(docId: DocumentId, creator: DeviceKey, key: Uint8Array): DocAccess {
	return { docId, keys: { 0: toBase64Url(key) }, joinSeed: toBase64Url(randomBytes(32)), root: creator };
}

/**
 * A policy signed by an admin: who may write (and administer) one epoch of a document. The
 * signer is a device key or a person's identity key (so a person who lost every device can
 * still manage their documents after recovery).
 */
export function signedPolicy(
	docId: DocumentId,
	epoch: number,
	writers: DeviceKey[],
	admins: DeviceKey[],
	signer: { publicKey: Uint8Array; secretKey: Uint8Array },
	/** On a policy opening a new epoch: the signer's position in the document (see PolicyRecord). */
	closesAt?: number,
	/** On a policy of the open epoch that drops writers: where they stop (see PolicyRecord). */
	retiresAt?: number,
	/** With either: what the writers it takes off wrote in that epoch (see PolicyRecord). */
	written?: PolicyRecord['written']
): PolicyRecord {
	const unsigned = {
		kind: 'policy' as const,
		docId,
		epoch,
		writers,
		admins,
		joinKeys: [] as JoinKey[],
		signer: toBase64Url(signer.publicKey) as DeviceKey,
		...(closesAt === undefined ? {} : { closesAt }),
		...(retiresAt === undefined ? {} : { retiresAt }),
		...(written === undefined ? {} : { written })
	};
	return { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), signer.secretKey)) };
}

export function currentEpoch(access: DocAccess): number {
	return Math.max(...Object.keys(access.keys).map(Number));
}

export function keyForEpoch(access: DocAccess, epoch: number): Uint8Array | undefined {
	const key = access.keys[epoch];
	return key ? fromBase64Url(key) : undefined;
}

export function joinKeyOf(access: DocAccess): JoinKey | undefined {
	if (!access.joinSeed) return undefined;
	return toBase64Url(signingKeyPairFromSeed(fromBase64Url(access.joinSeed)).publicKey) as JoinKey;
}

/** The first policy of a new document: the creator is its only writer and admin. */
export function genesisPolicy(access: DocAccess, device: DeviceSecrets): PolicyRecord {
	const me = deviceKey(device);
	const joinKey = joinKeyOf(access);
	const unsigned = {
		kind: 'policy' as const,
		docId: access.docId,
		epoch: 0,
		writers: [me],
		admins: [me],
		joinKeys: joinKey ? [joinKey] : [],
		signer: me
	};
	return { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), device.signing.secretKey)) };
}

/** A device admitting itself with the link's join capability. */
export function joinRecord(access: DocAccess, device: DeviceSecrets, epoch: number): JoinRecord | undefined {
	if (!access.joinSeed) return undefined;
	const kp = signingKeyPairFromSeed(fromBase64Url(access.joinSeed));
	const unsigned = {
		kind: 'join' as const,
		docId: access.docId,
		epoch,
		device: deviceKey(device),
		joinKey: toBase64Url(kp.publicKey) as JoinKey
	};
	return { ...unsigned, sig: toBase64Url(sign(joinSigningBytes(unsigned), kp.secretKey)) };
}

/** The fragment of a share link: `d=<docId>&e=<epoch>&k=<key>&j=<join seed>&r=<creator>`. */
export function shareFragment(access: DocAccess): string {
	const epoch = currentEpoch(access);
	const params = new URLSearchParams({ d: access.docId, e: String(epoch), k: access.keys[epoch], r: access.root });
	if (access.joinSeed) params.set('j', access.joinSeed);
	return params.toString();
}

/** Parses a share link (or just its fragment). Throws ShareLinkError with a plain message. */
export function parseShareLink(link: string): DocAccess {
	const hashAt = link.indexOf('#');
	const fragment = hashAt >= 0 ? link.slice(hashAt + 1) : link;
	const params = new URLSearchParams(fragment);
	const docId = params.get('d');
	const epoch = Number(params.get('e') ?? '0');
	const key = params.get('k');
	const root = params.get('r');
	const joinSeed = params.get('j') ?? undefined;
	if (!docId || !key || !root) throw new ShareLinkError(msg.incomplete);
	if (!isDocumentId(docId) || !isPublicKey(root) || !Number.isSafeInteger(epoch) || epoch < 0) {
		throw new ShareLinkError(msg.damaged);
	}
	if (!isBase64Url(key, 32) || (joinSeed !== undefined && !isBase64Url(joinSeed, 32))) {
		throw new ShareLinkError(msg.damaged);
	}
	return { docId, keys: { [epoch]: key }, root, ...(joinSeed ? { joinSeed } : {}) };
}
