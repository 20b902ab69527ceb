// Keys from passphrases people choose (backups, the app lock). Every file that holds such a
// key names its KDF in its header (`kdf.name`, the KDF id) with that KDF's settings and salt,
// so a stronger KDF can come in while every older file still opens with the one it names.
//
// New files use Argon2id (RFC 9106), memory-hard: each guess needs 64 MiB, which is what makes
// GPUs and custom hardware guess slowly, at about a second per unlock on a phone (OWASP's
// interactive setting scaled up: m = 64 MiB, t = 3, p = 1). libsodium's standard build has no
// crypto_pwhash, so it comes from hash-wasm, loaded only when a passphrase is used. Files made
// before it say PBKDF2-SHA256 (WebCrypto, 600,000 iterations, OWASP's 2023 advice) and still
// open; changing the app lock's passphrase moves a record onto Argon2id.
export const PASSPHRASE_ITERATIONS = 600_000;
export const SALT_BYTES = 16;

/** PBKDF2 settings a file may name: fewer is too weak, more would keep a device busy for minutes. */
export const MIN_PBKDF2_ITERATIONS = 100_000;
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

/** Argon2id settings a file may name: below OWASP's minimum (19 MiB, t = 2) is too weak, above these too costly. */
export const MIN_ARGON2ID_MEMORY_KIB = 19_456;
export const MAX_ARGON2ID_MEMORY_KIB = 262_144;
export const MAX_ARGON2ID_ITERATIONS = 10;
export const MAX_ARGON2ID_PARALLELISM = 4;

/** A passphrase KDF and its settings, as a file's header names them (`name` is the KDF id). */
export type PassphraseKdf =
	| { name: 'PBKDF2-SHA256'; iterations: number }
	/** `version` 19 is Argon2 1.3, the RFC's. */
	| { name: 'Argon2id'; version: 19; memoryKiB: number; iterations: number; parallelism: number };

/** What new backups and app locks are made with. */
export const DEFAULT_PASSPHRASE_KDF: PassphraseKdf = { name: 'Argon2id', version: 19, memoryKiB: 65_536, iterations: 3, parallelism: 1 };

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
		case 'Argon2id': {
			const a = header as { version?: unknown; memoryKiB?: unknown; iterations?: unknown; parallelism?: unknown };
			if (a.version !== 19) return { ok: false, reason: 'unknown' };
			const within = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
			if (!within(a.memoryKiB, MIN_ARGON2ID_MEMORY_KIB, MAX_ARGON2ID_MEMORY_KIB) || !within(a.iterations, 2, MAX_ARGON2ID_ITERATIONS) || !within(a.parallelism, 1, MAX_ARGON2ID_PARALLELISM)) {
				return { ok: false, reason: 'out-of-range' };
			}
			return { ok: true, kdf: { name: 'Argon2id', version: 19, memoryKiB: a.memoryKiB, iterations: a.iterations, parallelism: a.parallelism } };
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
		case 'Argon2id':
			return argon2id(passphrase, salt, read.kdf);
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

async function argon2id(passphrase: string, salt: Uint8Array, kdf: Extract<PassphraseKdf, { name: 'Argon2id' }>): Promise<Uint8Array> {
	// Loaded on first use: most sessions never type a passphrase.
	const { argon2id: derive } = await import('hash-wasm');
	return derive({
		password: new TextEncoder().encode(passphrase.normalize('NFC')),
		salt: new Uint8Array(salt),
		memorySize: kdf.memoryKiB,
		iterations: kdf.iterations,
		parallelism: kdf.parallelism,
		hashLength: 32,
		outputType: 'binary'
	});
}
