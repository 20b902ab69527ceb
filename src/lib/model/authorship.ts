// Who wrote a record in a shared document, checked. Any device that may write a document can
// change any field in it, so a record people rely on (a visit note, a visit marked done, an
// agreed rate, a trial invitation, a decision or an objection) carries its author's device
// signature over its fields, as MAR entries do (see mar.ts). A reader checks the signature and
// that the signing device is one of the named author's (`DeviceCheck`, from the space's
// membership log), so another member can neither change someone's record nor write one in
// their name without it showing as altered.
//
// Records written before this was added carry no signature. They still show, as written
// before records were signed ('unsigned'): who wrote them cannot be checked. Stripping a
// signature therefore turns "signed" into "unsigned", never into "signed": nothing unsigned
// is ever shown as checked.
import { sign, verify } from '$lib/crypto';
import { framed, fromBase64Url, isPublicKey, toBase64Url, type DeviceKey } from '$lib/protocol';
import type { PersonKey } from './ids';
import type { DeviceCheck, SigningDevice } from './mar';

/** The author's device and its signature over the record's fields (framed, see `signedBytes`). */
export type Signature = { device: DeviceKey; sig: string };

/**
 * signed: the signature holds and its device is the author's. altered: changed since it was
 * signed, or signed by a device that is not the named author's (written in their name).
 * unsigned: written before records were signed, so who wrote it cannot be checked.
 */
export type Authorship = 'signed' | 'altered' | 'unsigned';

export type SignedField = string | number | Uint8Array;

/**
 * The bytes a record's signature covers: a tag naming the kind of record (so a signature on
 * one kind never stands for another), the signing device, then the fields, each framed so no
 * two different records share an encoding.
 */
export function signedBytes(tag: string, device: DeviceKey, fields: readonly SignedField[]): Uint8Array {
	return framed([tag, fromBase64Url(device), ...fields]);
}

/** A null framed apart from '' (as mar.ts does): '0' alone, or '1' then the value. */
export function optional(value: string | null): SignedField[] {
	return value === null ? ['0'] : ['1', value];
}

/** Signs a record's fields with this device's key. Needs `await cryptoReady()` first. */
export function signFields(device: SigningDevice, tag: string, fields: readonly SignedField[]): Signature {
	const key = toBase64Url(device.signing.publicKey) as DeviceKey;
	return { device: key, sig: toBase64Url(sign(signedBytes(tag, key, fields), device.signing.secretKey)) };
}

function isSignature(value: unknown): value is Signature {
	const s = value as Signature;
	return typeof s === 'object' && s !== null && isPublicKey(s.device) && typeof s.sig === 'string' && Object.keys(s).length === 2;
}

/**
 * Whether a record is as its author signed it. `signature` is what the document holds
 * (undefined: written before records were signed). Without `isAuthorDevice` any valid
 * signature counts, so the app always passes one. Needs `await cryptoReady()` first.
 */
export function authorship(
	signature: unknown,
	tag: string,
	fields: readonly SignedField[],
	author: PersonKey,
	isAuthorDevice?: DeviceCheck
): Authorship {
	if (signature === undefined) return 'unsigned';
	if (!isSignature(signature)) return 'altered';
	try {
		if (!verify(fromBase64Url(signature.sig), signedBytes(tag, signature.device, fields), fromBase64Url(signature.device))) return 'altered';
	} catch {
		return 'altered';
	}
	if (isAuthorDevice && !isAuthorDevice(signature.device, author)) return 'altered';
	return 'signed';
}

/** Only what the author signed may say who wrote it: a plain copy of a signature, for storing. */
export function storedSignature(s: Signature): Signature {
	return { device: s.device, sig: s.sig };
}
