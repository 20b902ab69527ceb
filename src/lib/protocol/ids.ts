// Branded identifiers. Every id that crosses the wire is random or a public key: none of
// them is derived from a name, title or any other content.
import { isBase64Url } from './bytes';

/** A document's id: automerge-repo's random base58 id, meaningless to the relay. */
export type DocumentId = string & { readonly __brand: 'DocumentId' };
/**
 * A space's id: random base58 like a document id. It names the space's membership log on the
 * relay and says nothing about the space itself.
 */
export type SpaceId = string & { readonly __brand: 'SpaceId' };
/** A device's Ed25519 public key, base64url (32 bytes). */
export type DeviceKey = string & { readonly __brand: 'DeviceKey' };
/** An Ed25519 public key that is not a device: a join capability from a share link. */
export type JoinKey = string & { readonly __brand: 'JoinKey' };

const DOC_ID = /^[1-9A-HJ-NP-Za-km-z]{16,64}$/;

export function isDocumentId(value: unknown): value is DocumentId {
	return typeof value === 'string' && DOC_ID.test(value);
}

/** Same format as a document id: random base58, so the id itself carries no meaning. */
export function isSpaceId(value: unknown): value is SpaceId {
	return typeof value === 'string' && DOC_ID.test(value);
}

/** A 32-byte public key in its one canonical spelling (so string equality is key equality). */
export function isPublicKey(value: unknown): value is DeviceKey {
	return typeof value === 'string' && value.length === 43 && isBase64Url(value, 32);
}
