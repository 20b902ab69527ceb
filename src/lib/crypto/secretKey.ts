// Keys from secrets that are already strong (32 random-looking bytes, such as a passkey's PRF
// output), as opposed to passphrases people choose: no slow stretching is needed, only HKDF
// (WebCrypto's HKDF-SHA256) to turn the secret into a key for one purpose. `info` names that
// purpose, so the same secret gives unrelated keys for different uses.
export const MIN_SECRET_BYTES = 32;

/** A 32-byte key for `encrypt`/`decrypt`, derived from a high-entropy secret. */
export async function keyFromSecret(secret: Uint8Array, salt: Uint8Array, info: Uint8Array): Promise<Uint8Array> {
	// Anything shorter is not the secret we expect (a passkey PRF gives exactly 32 bytes).
	if (secret.length < MIN_SECRET_BYTES) throw new Error('The secret is too short to make a key from');
	const subtle = globalThis.crypto.subtle;
	const material = await subtle.importKey('raw', new Uint8Array(secret), 'HKDF', false, ['deriveBits']);
	const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(salt), info: new Uint8Array(info) }, material, 256);
	return new Uint8Array(bits);
}
