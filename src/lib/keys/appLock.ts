// The app lock's record: a random 32-byte storage key, wrapped (AEAD) with a key made from the
// person's passphrase, and optionally wrapped again for each passkey that may unlock it. The
// record itself holds nothing readable; without the passphrase (or a registered passkey) the
// storage key, and so everything Hearth stored on the device, stays locked.
//
// Every wrapping holds the SAME storage key, so adding or removing a passkey or changing the
// passphrase rewrites only the record, never the store. The passphrase wrapping is always
// there: it is the way back in when a passkey is lost or the device stops offering it.
import { DEFAULT_PASSPHRASE_KDF, KEY_BYTES, SALT_BYTES, decrypt, encrypt, keyFromKdf, keyFromSecret, randomBytes, readPassphraseKdf, type PassphraseKdf } from '$lib/crypto';
import { equalBytes, framed, fromBase64Url, isBase64Url, toBase64Url } from '$lib/protocol';
import { words } from '$lib/words';

/** The storage key wrapped for one passkey, with what is needed to ask that passkey again. */
export interface PasskeyWrapping {
	/** The passkey's credential id (base64url). The wrapping is bound to it. */
	credentialId: string;
	/** What the passkey's PRF is asked to evaluate (random, base64url). */
	prfSalt: string;
	nonce: string;
	wrappedKey: string;
	/** When it was added (ISO 8601), to tell passkeys apart in the settings. */
	added: string;
}

export interface LockRecord {
	version: 1;
	/** The KDF id (`name`) and its settings, and the salt (see $lib/crypto/passphrase). */
	kdf: PassphraseKdf & { salt: string };
	nonce: string;
	wrappedKey: string;
	/**
	 * Passkeys that also unlock. Records written before passkeys existed have none, and the
	 * field is absent: they read and unlock exactly as before.
	 */
	passkeys?: PasskeyWrapping[];
	/** Minutes without use before Hearth locks itself. */
	idleMinutes: number;
	/**
	 * 'on': every stored value is encrypted. 'turning-on' / 'turning-off': the device was part
	 * way through encrypting (or decrypting) its store; unlocking finishes the job.
	 */
	state: 'on' | 'turning-on' | 'turning-off';
}

/** What a passkey gave when asked: its credential id and its PRF output for the record's salt. */
export interface PasskeyAnswer {
	credentialId: Uint8Array;
	prfOutput: Uint8Array;
}

export const MIN_LOCK_PASSPHRASE_LENGTH = 8;
export const IDLE_CHOICES = [1, 5, 15, 60] as const;
export const PRF_SALT_BYTES = 32;
const AD = new TextEncoder().encode('hearth-app-lock-v1');
const PASSKEY_PURPOSE = 'hearth-app-lock-passkey-v1';

function checkPassphrase(passphrase: string): void {
	if (passphrase.length < MIN_LOCK_PASSPHRASE_LENGTH) throw new Error(words.messages.keys.appLock.tooShort(MIN_LOCK_PASSPHRASE_LENGTH));
}

async function wrapWithPassphrase(storageKey: Uint8Array, passphrase: string, kdf: PassphraseKdf): Promise<Pick<LockRecord, 'kdf' | 'nonce' | 'wrappedKey'>> {
	checkPassphrase(passphrase);
	const salt = randomBytes(SALT_BYTES);
	const { nonce, ciphertext } = encrypt(storageKey, await keyFromKdf(passphrase, salt, kdf), AD);
	return { kdf: { ...kdf, salt: toBase64Url(salt) }, nonce: toBase64Url(nonce), wrappedKey: toBase64Url(ciphertext) };
}

export async function newLock(passphrase: string, idleMinutes: number, kdf: PassphraseKdf = DEFAULT_PASSPHRASE_KDF): Promise<{ record: LockRecord; storageKey: Uint8Array }> {
	const storageKey = randomBytes(KEY_BYTES);
	return { storageKey, record: { version: 1, ...(await wrapWithPassphrase(storageKey, passphrase, kdf)), idleMinutes, state: 'turning-on' } };
}

/** The storage key, or undefined if the passphrase is wrong (or the record was altered). */
export async function unwrapStorageKey(record: LockRecord, passphrase: string): Promise<Uint8Array | undefined> {
	const key = await keyFromKdf(passphrase, fromBase64Url(record.kdf.salt), record.kdf);
	return decrypt(fromBase64Url(record.wrappedKey), fromBase64Url(record.nonce), key, AD);
}

/**
 * The same record with a new passphrase, or undefined if `current` is wrong. The storage key
 * is unchanged, so every passkey wrapping stays valid.
 */
export async function changePassphrase(record: LockRecord, current: string, next: string, kdf: PassphraseKdf = DEFAULT_PASSPHRASE_KDF): Promise<LockRecord | undefined> {
	checkPassphrase(next);
	const storageKey = await unwrapStorageKey(record, current);
	if (!storageKey) return undefined;
	// The new wrapping uses today's KDF: changing the passphrase also moves an old record onto it.
	return { ...record, ...(await wrapWithPassphrase(storageKey, next, kdf)) };
}

/** A fresh input for a new passkey's PRF. */
export function newPrfSalt(): Uint8Array {
	return randomBytes(PRF_SALT_BYTES);
}

/**
 * The key that wraps the storage key for one passkey. The credential id goes into the HKDF
 * info and into the AEAD's associated data, so a wrapping moved to another credential's entry
 * (or given another credential id) no longer opens.
 */
function passkeyBinding(credentialId: Uint8Array): Uint8Array {
	return framed([PASSKEY_PURPOSE, credentialId]);
}

async function passkeyKey(answer: PasskeyAnswer, prfSalt: Uint8Array): Promise<Uint8Array> {
	return keyFromSecret(answer.prfOutput, prfSalt, passkeyBinding(answer.credentialId));
}

/** Wraps the storage key for a passkey, from that passkey's answer to `prfSalt`. */
export async function wrapForPasskey(storageKey: Uint8Array, answer: PasskeyAnswer, prfSalt: Uint8Array, added: Date): Promise<PasskeyWrapping> {
	const { nonce, ciphertext } = encrypt(storageKey, await passkeyKey(answer, prfSalt), passkeyBinding(answer.credentialId));
	return { credentialId: toBase64Url(answer.credentialId), prfSalt: toBase64Url(prfSalt), nonce: toBase64Url(nonce), wrappedKey: toBase64Url(ciphertext), added: added.toISOString() };
}

/** The record with this passkey's wrapping added (replacing an older one for the same passkey). */
export function withPasskey(record: LockRecord, wrapping: PasskeyWrapping): LockRecord {
	return { ...record, passkeys: [...(record.passkeys ?? []).filter((p) => p.credentialId !== wrapping.credentialId), wrapping] };
}

/** The record without this passkey. With none left, the field goes, as in a record from before passkeys. */
export function withoutPasskey(record: LockRecord, credentialId: string): LockRecord {
	const passkeys = (record.passkeys ?? []).filter((p) => p.credentialId !== credentialId);
	const next: LockRecord = { ...record, passkeys };
	if (passkeys.length === 0) delete next.passkeys;
	return next;
}

/**
 * The storage key from a passkey's answer, or undefined if that passkey is not in the record,
 * its PRF output is not the one the wrapping was made with, or the record was altered.
 */
export async function unwrapWithPasskey(record: LockRecord, answer: PasskeyAnswer): Promise<Uint8Array | undefined> {
	const wrapping = record.passkeys?.find((p) => equalBytes(fromBase64Url(p.credentialId), answer.credentialId));
	if (!wrapping) return undefined;
	const key = await passkeyKey(answer, fromBase64Url(wrapping.prfSalt));
	return decrypt(fromBase64Url(wrapping.wrappedKey), fromBase64Url(wrapping.nonce), key, passkeyBinding(answer.credentialId));
}

function isPasskeyWrapping(value: unknown): value is PasskeyWrapping {
	const p = value as PasskeyWrapping;
	return (
		typeof p === 'object' && p !== null && isBase64Url(p.credentialId) && p.credentialId.length > 0 && isBase64Url(p.prfSalt, PRF_SALT_BYTES) &&
		isBase64Url(p.nonce) && isBase64Url(p.wrappedKey) && typeof p.added === 'string'
	);
}

export function isLockRecord(value: unknown): value is LockRecord {
	const r = value as LockRecord;
	return (
		typeof r === 'object' && r !== null && r.version === 1 && readPassphraseKdf(r.kdf).ok &&
		typeof r.kdf.salt === 'string' && typeof r.nonce === 'string' && typeof r.wrappedKey === 'string' && typeof r.idleMinutes === 'number' &&
		['on', 'turning-on', 'turning-off'].includes(r.state) &&
		(r.passkeys === undefined || (Array.isArray(r.passkeys) && r.passkeys.every(isPasskeyWrapping)))
	);
}
