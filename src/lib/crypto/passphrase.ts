// Keys from passphrases people choose (backups, the app lock). libsodium's Argon2 is not in
// the build Hearth uses, so this is WebCrypto's PBKDF2-SHA256 with a high iteration count
// (OWASP's 2023 advice: 600,000). It is slow on purpose: each guess costs an attacker as
// much as one unlock costs you.
export const PASSPHRASE_ITERATIONS = 600_000;
export const SALT_BYTES = 16;

/** A 32-byte key for `encrypt`/`decrypt`, derived from a passphrase and a random salt. */
export async function keyFromPassphrase(passphrase: string, salt: Uint8Array, iterations = PASSPHRASE_ITERATIONS): Promise<Uint8Array> {
	if (iterations < 100_000) throw new Error('Too few PBKDF2 iterations to protect a passphrase');
	const subtle = globalThis.crypto.subtle;
	const material = await subtle.importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
	const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations }, material, 256);
	return new Uint8Array(bits);
}
