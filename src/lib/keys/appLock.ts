// The app lock's record: a random 32-byte storage key, wrapped (AEAD) with a key made from the
// person's passphrase. The record itself holds nothing readable; without the passphrase the
// storage key, and so everything Hearth stored on the device, stays locked.
import { KEY_BYTES, PASSPHRASE_ITERATIONS, SALT_BYTES, decrypt, encrypt, keyFromPassphrase, randomBytes } from '$lib/crypto';
import { fromBase64Url, toBase64Url } from '$lib/protocol';

export interface LockRecord {
	version: 1;
	kdf: { name: 'PBKDF2-SHA256'; iterations: number; salt: string };
	nonce: string;
	wrappedKey: string;
	/** Minutes without use before Hearth locks itself. */
	idleMinutes: number;
	/**
	 * 'on': every stored value is encrypted. 'turning-on' / 'turning-off': the device was part
	 * way through encrypting (or decrypting) its store; unlocking finishes the job.
	 */
	state: 'on' | 'turning-on' | 'turning-off';
}

export const MIN_LOCK_PASSPHRASE_LENGTH = 8;
export const IDLE_CHOICES = [1, 5, 15, 60] as const;
const AD = new TextEncoder().encode('hearth-app-lock-v1');

export async function newLock(passphrase: string, idleMinutes: number, iterations = PASSPHRASE_ITERATIONS): Promise<{ record: LockRecord; storageKey: Uint8Array }> {
	if (passphrase.length < MIN_LOCK_PASSPHRASE_LENGTH) throw new Error(`The passphrase needs at least ${MIN_LOCK_PASSPHRASE_LENGTH} characters`);
	const storageKey = randomBytes(KEY_BYTES);
	const salt = randomBytes(SALT_BYTES);
	const { nonce, ciphertext } = encrypt(storageKey, await keyFromPassphrase(passphrase, salt, iterations), AD);
	return {
		storageKey,
		record: {
			version: 1,
			kdf: { name: 'PBKDF2-SHA256', iterations, salt: toBase64Url(salt) },
			nonce: toBase64Url(nonce),
			wrappedKey: toBase64Url(ciphertext),
			idleMinutes,
			state: 'turning-on'
		}
	};
}

/** The storage key, or undefined if the passphrase is wrong (or the record was altered). */
export async function unwrapStorageKey(record: LockRecord, passphrase: string): Promise<Uint8Array | undefined> {
	const key = await keyFromPassphrase(passphrase, fromBase64Url(record.kdf.salt), record.kdf.iterations);
	return decrypt(fromBase64Url(record.wrappedKey), fromBase64Url(record.nonce), key, AD);
}

export function isLockRecord(value: unknown): value is LockRecord {
	const r = value as LockRecord;
	return (
		typeof r === 'object' && r !== null && r.version === 1 && r.kdf?.name === 'PBKDF2-SHA256' && Number.isInteger(r.kdf.iterations) &&
		typeof r.kdf.salt === 'string' && typeof r.nonce === 'string' && typeof r.wrappedKey === 'string' && typeof r.idleMinutes === 'number' &&
		['on', 'turning-on', 'turning-off'].includes(r.state)
	);
}
