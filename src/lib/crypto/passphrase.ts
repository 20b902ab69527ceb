// Keys from passphrases people choose (backups, the app lock). Every file that holds such a
// key names its KDF in its header (`kdf.name`, the KDF id) with that KDF's settings and salt,
// so a stronger KDF can come in while every older file still opens with the one it names.
//
// Today the only KDF is WebCrypto's PBKDF2-SHA256 with a high iteration count (OWASP's 2023
// advice: 600,000). It is slow on purpose, but it is not memory-hard: GPUs guess it cheaply.
// Argon2id is the better choice and the next KDF id ('Argon2id', settings m/t/p, e.g. 64 MiB,
// t = 3, p = 1); neither libsodium's standard build (no crypto_pwhash) nor WebCrypto has it,
// and this build ships no other implementation. Adding it is: its member in PassphraseKdf,
// its bounds in readPassphraseKdf, its case in keyFromKdf, and DEFAULT_PASSPHRASE_KDF.
export const PASSPHRASE_ITERATIONS = 600_000;
export const SALT_BYTES = 16;

/** PBKDF2 settings a file may name: fewer is too weak, more would keep a device busy for minutes. */
export const MIN_PBKDF2_ITERATIONS = 100_000;
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

/** A passphrase KDF and its settings, as a file's header names them (`name` is the KDF id). */
export type PassphraseKdf = { name: 'PBKDF2-SHA256'; iterations: number };

/** What new backups and app locks are made with. */
export const DEFAULT_PASSPHRASE_KDF: PassphraseKdf = { name: 'PBKDF2-SHA256', iterations: PASSPHRASE_ITERATIONS };

export type KdfReading = { ok: true; kdf: PassphraseKdf } | { ok: false; reason: 'unknown' | 'out-of-range' };

/**
 * Reads the KDF a header names (its fields other than the salt). `unknown`: an id this build
 * cannot run (a newer Hearth's). `out-of-range`: settings too weak to trust, or so costly
 * that running them would freeze the device; nothing is derived for either.
 */
export function readPassphraseKdf(header: unknown): KdfReading {
	const h = header as { name?: unknown; iterations?: unknown };
	if (typeof h !== 'object' || h === null || typeof h.name !== 'string') return { ok: false, reason: 'unknown' };
	switch (h.name) {
		case 'PBKDF2-SHA256': {
			const n = h.iterations;
			if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < MIN_PBKDF2_ITERATIONS || n > MAX_PBKDF2_ITERATIONS) return { ok: false, reason: 'out-of-range' };
			return { ok: true, kdf: { name: 'PBKDF2-SHA256', iterations: n } };
		}
		default:
			return { ok: false, reason: 'unknown' };
	}
}

/** A 32-byte key for `encrypt`/`decrypt`, from a passphrase and a random salt, by the named KDF. */
export async function keyFromKdf(passphrase: string, salt: Uint8Array, kdf: PassphraseKdf): Promise<Uint8Array> {
	const read = readPassphraseKdf(kdf);
	if (!read.ok) throw new Error('Passphrase KDF settings out of bounds, or not known to this build');
	switch (read.kdf.name) {
		case 'PBKDF2-SHA256':
			return pbkdf2(passphrase, salt, read.kdf.iterations);
	}
}

/** PBKDF2-SHA256 (kept for callers that name only an iteration count). */
export async function keyFromPassphrase(passphrase: string, salt: Uint8Array, iterations = PASSPHRASE_ITERATIONS): Promise<Uint8Array> {
	return keyFromKdf(passphrase, salt, { name: 'PBKDF2-SHA256', iterations });
}

async function pbkdf2(passphrase: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
	const subtle = globalThis.crypto.subtle;
	const material = await subtle.importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
	const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations }, material, 256);
	return new Uint8Array(bits);
}
