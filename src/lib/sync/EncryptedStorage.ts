// A storage adapter that encrypts every value before it reaches the inner adapter (IndexedDB
// in the browser) and checks and decrypts it on the way back: the app lock's "encrypted at
// rest". Each value is sealed with XChaCha20-Poly1305 bound to its key path, so values cannot
// be swapped between keys unnoticed. Key paths themselves (random document ids and fixed words
// such as "hearth", "access", "snapshot") stay readable: IndexedDB needs them to find values.
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { NONCE_BYTES, decrypt, encrypt } from '$lib/crypto';
import { words } from '$lib/words';

const msg = words.messages.sync.encryptedStorage;

const MAGIC = new Uint8Array([0x48, 0x4c, 0x4b, 0x31]); // "HLK1"

/** Where the lock record lives, unencrypted (it is itself a wrapped key). */
export const LOCK_RECORD_KEY: StorageKey = ['hearth-lock'];

export class LockedValueError extends Error {}

export function isSealed(value: Uint8Array): boolean {
	return value.length > MAGIC.length + NONCE_BYTES && MAGIC.every((b, i) => value[i] === b);
}

function associated(key: StorageKey): Uint8Array {
	return new TextEncoder().encode(JSON.stringify(key));
}

export function sealValue(key: StorageKey, value: Uint8Array, storageKey: Uint8Array): Uint8Array {
	const { nonce, ciphertext } = encrypt(value, storageKey, associated(key));
	const out = new Uint8Array(MAGIC.length + nonce.length + ciphertext.length);
	out.set(MAGIC, 0);
	out.set(nonce, MAGIC.length);
	out.set(ciphertext, MAGIC.length + nonce.length);
	return out;
}

export function openValue(key: StorageKey, value: Uint8Array, storageKey: Uint8Array): Uint8Array | undefined {
	if (!isSealed(value)) return undefined;
	const nonce = value.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
	return decrypt(value.subarray(MAGIC.length + NONCE_BYTES), nonce, storageKey, associated(key));
}

export class EncryptedStorage implements StorageAdapterInterface {
	readonly #inner: StorageAdapterInterface;
	readonly #key: Uint8Array;

	constructor(inner: StorageAdapterInterface, storageKey: Uint8Array) {
		this.#inner = inner;
		this.#key = storageKey;
	}

	#open(key: StorageKey, value: Uint8Array): Uint8Array {
		const plain = openValue(key, value, this.#key);
		// Never hand back a value that is not ours: an unsealed or altered value is refused.
		if (!plain) throw new LockedValueError(msg.lockedAt(key[0] === 'hearth' ? key.slice(0, 2).join('/') : msg.aDocument));
		return plain;
	}

	async load(key: StorageKey): Promise<Uint8Array | undefined> {
		const value = await this.#inner.load(key);
		return value ? this.#open(key, value) : undefined;
	}

	async save(key: StorageKey, data: Uint8Array): Promise<void> {
		await this.#inner.save(key, sealValue(key, data, this.#key));
	}

	remove(key: StorageKey): Promise<void> {
		return this.#inner.remove(key);
	}

	async loadRange(prefix: StorageKey): Promise<Chunk[]> {
		const chunks = await this.#inner.loadRange(prefix);
		return chunks.filter((c) => !isLockRecord(c.key)).map((c) => ({ key: c.key, data: c.data ? this.#open(c.key, c.data) : undefined }));
	}

	removeRange(prefix: StorageKey): Promise<void> {
		return this.#inner.removeRange(prefix);
	}
}

function isLockRecord(key: StorageKey): boolean {
	return key.length === 1 && key[0] === LOCK_RECORD_KEY[0];
}

/** Encrypts every value not yet encrypted (turning the lock on). Safe to run again after a crash. */
export async function sealAll(inner: StorageAdapterInterface, storageKey: Uint8Array): Promise<number> {
	let n = 0;
	for (const c of await inner.loadRange([])) {
		if (!c.data || isLockRecord(c.key) || isSealed(c.data)) continue;
		await inner.save(c.key, sealValue(c.key, c.data, storageKey));
		n++;
	}
	return n;
}

/** Decrypts every encrypted value (turning the lock off). Safe to run again after a crash. */
export async function openAll(inner: StorageAdapterInterface, storageKey: Uint8Array): Promise<number> {
	let n = 0;
	for (const c of await inner.loadRange([])) {
		if (!c.data || isLockRecord(c.key) || !isSealed(c.data)) continue;
		const plain = openValue(c.key, c.data, storageKey);
		if (!plain) throw new LockedValueError(msg.locked);
		await inner.save(c.key, plain);
		n++;
	}
	return n;
}
