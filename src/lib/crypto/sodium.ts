// The one place libsodium is imported. Everything else calls the functions below, which
// take and return plain bytes, so the library could be swapped without touching callers.
import sodium from 'libsodium-wrappers';

let readyPromise: Promise<void> | undefined;

/** Resolves once libsodium's WebAssembly is loaded. Safe to call many times. */
export function cryptoReady(): Promise<void> {
	readyPromise ??= sodium.ready;
	return readyPromise;
}

function lib(): typeof sodium {
	// libsodium throws an opaque error if used before `ready`; say what went wrong instead.
	if (!sodium.crypto_sign_detached) throw new Error('Cryptography is not ready: await cryptoReady() first');
	return sodium;
}

export interface SigningKeyPair {
	publicKey: Uint8Array;
	secretKey: Uint8Array;
}

export interface BoxKeyPair {
	publicKey: Uint8Array;
	secretKey: Uint8Array;
}

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const SIGNATURE_BYTES = 64;

// The platform's CSPRNG (WebCrypto, in browsers and Node alike) is far quicker per call than
// libsodium's wrapper, which matters with a fresh nonce for every entry.
export function randomBytes(length: number): Uint8Array {
	return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

export function newSigningKeyPair(): SigningKeyPair {
	const kp = lib().crypto_sign_keypair();
	return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** Deterministic signing key pair from a 32-byte high-entropy seed (e.g. a share-link secret). */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
	const kp = lib().crypto_sign_seed_keypair(seed);
	return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
	return lib().crypto_sign_detached(message, secretKey);
}

export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
	try {
		return lib().crypto_sign_verify_detached(signature, message, publicKey);
	} catch {
		return false;
	}
}

export function newBoxKeyPair(): BoxKeyPair {
	const kp = lib().crypto_box_keypair();
	return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** Anonymous sealed box: only the holder of the recipient's secret key can open it. */
export function seal(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
	return lib().crypto_box_seal(message, recipientPublicKey);
}

/** Opens a sealed box, or returns undefined if it was not sealed to this key pair or was altered. */
export function openSealed(sealed: Uint8Array, keyPair: BoxKeyPair): Uint8Array | undefined {
	try {
		return lib().crypto_box_seal_open(sealed, keyPair.publicKey, keyPair.secretKey);
	} catch {
		return undefined;
	}
}

export function newSymmetricKey(): Uint8Array {
	return lib().crypto_aead_xchacha20poly1305_ietf_keygen();
}

/** XChaCha20-Poly1305 with a fresh random nonce; `associatedData` is authenticated, not encrypted. */
export function encrypt(
	plaintext: Uint8Array,
	key: Uint8Array,
	associatedData: Uint8Array
): { nonce: Uint8Array; ciphertext: Uint8Array } {
	const s = lib();
	const nonce = randomBytes(NONCE_BYTES);
	const ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData, null, nonce, key);
	return { nonce, ciphertext };
}

/** Returns undefined when the ciphertext, nonce, key or associated data do not match. */
export function decrypt(
	ciphertext: Uint8Array,
	nonce: Uint8Array,
	key: Uint8Array,
	associatedData: Uint8Array
): Uint8Array | undefined {
	try {
		return lib().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, associatedData, nonce, key);
	} catch {
		return undefined;
	}
}

/** BLAKE2b. */
export function hash(message: Uint8Array, length = 32, key?: Uint8Array): Uint8Array {
	return lib().crypto_generichash(length, message, key ?? null);
}

/** Derives an independent subkey from a high-entropy master key (BLAKE2b-based KDF). */
export function deriveKey(masterKey: Uint8Array, subkeyId: number, context: string, length = 32): Uint8Array {
	if (context.length !== 8) throw new Error('KDF context must be exactly 8 characters');
	return lib().crypto_kdf_derive_from_key(length, subkeyId, context, masterKey);
}
