// Encrypted backup files: the documents a person can read, as Automerge bytes, sealed with a
// key made from a passphrase (Argon2id for new files; by the KDF id its header names, see
// $lib/crypto/passphrase) and XChaCha20-Poly1305. The file names nothing: no titles, no ids,
// only the KDF id and settings, a nonce and ciphertext.
// Documents shared by link carry their access (keys) too, so a restore can keep syncing
// them; documents of private spaces do not (their keys come with membership).
import { DEFAULT_PASSPHRASE_KDF, SALT_BYTES, decrypt, encrypt, keyFromKdf, randomBytes, readPassphraseKdf, type PassphraseKdf } from '$lib/crypto';
import { fromBase64Url, toBase64Url, type DocumentId } from '$lib/protocol';
import { words } from '$lib/words';
import type { DocAccess } from './access';

const msg = words.messages.keys.backup;

export interface BackupDoc {
	docId: DocumentId;
	/** A title to show when choosing what to restore (the document's own name, if any). */
	title: string;
	kind: string;
	/** Automerge heads when backed up, to check a restore is identical. */
	heads: string[];
	/** The whole document (Automerge save format), base64url. */
	bytes: string;
	access?: DocAccess;
}

export interface BackupContents {
	format: 'hearth-backup-contents';
	version: 1;
	createdAt: number;
	docs: BackupDoc[];
}

export interface BackupFile {
	format: 'hearth-backup';
	version: 1;
	/** The KDF id (`name`) and its settings, and the salt. Files before Argon2id all say PBKDF2-SHA256. */
	kdf: PassphraseKdf & { salt: string };
	nonce: string;
	ciphertext: string;
}

export const MIN_PASSPHRASE_LENGTH = 10;
const AD = new TextEncoder().encode('hearth-backup-v1');

export type Opened = { ok: true; contents: BackupContents } | { ok: false; error: string };

export async function sealBackup(contents: BackupContents, passphrase: string, kdf: PassphraseKdf = DEFAULT_PASSPHRASE_KDF): Promise<string> {
	if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new Error(msg.tooShort(MIN_PASSPHRASE_LENGTH));
	const salt = randomBytes(SALT_BYTES);
	const key = await keyFromKdf(passphrase, salt, kdf);
	const { nonce, ciphertext } = encrypt(new TextEncoder().encode(JSON.stringify(contents)), key, AD);
	const file: BackupFile = {
		format: 'hearth-backup',
		version: 1,
		kdf: { ...kdf, salt: toBase64Url(salt) },
		nonce: toBase64Url(nonce),
		ciphertext: toBase64Url(ciphertext)
	};
	return JSON.stringify(file);
}

function isBackupFile(value: unknown): value is BackupFile {
	const f = value as BackupFile;
	return (
		typeof f === 'object' && f !== null && f.format === 'hearth-backup' && f.version === 1 &&
		typeof f.kdf === 'object' && f.kdf !== null && typeof f.kdf.name === 'string' &&
		typeof f.kdf.salt === 'string' && typeof f.nonce === 'string' && typeof f.ciphertext === 'string'
	);
}

function isContents(value: unknown): value is BackupContents {
	const c = value as BackupContents;
	return (
		typeof c === 'object' && c !== null && c.format === 'hearth-backup-contents' && c.version === 1 && Array.isArray(c.docs) &&
		c.docs.every((d) => typeof d?.docId === 'string' && typeof d.bytes === 'string' && Array.isArray(d.heads) && typeof d.title === 'string')
	);
}

/** Opens a backup file's text. A wrong passphrase and a damaged file are told apart where possible. */
export async function openBackup(text: string, passphrase: string): Promise<Opened> {
	let file: unknown;
	try {
		file = JSON.parse(text);
	} catch {
		return { ok: false, error: msg.notBackup };
	}
	if (!isBackupFile(file)) return { ok: false, error: msg.notBackupOrNewer };
	// The header's settings are the file's word: checked before any work, so a file can neither
	// ask for a weakened key nor keep the device busy for hours.
	const kdf = readPassphraseKdf(file.kdf);
	if (!kdf.ok) return { ok: false, error: kdf.reason === 'unknown' ? msg.newerKdf : msg.damaged };
	let key: Uint8Array;
	try {
		key = await keyFromKdf(passphrase, fromBase64Url(file.kdf.salt), kdf.kdf);
	} catch {
		return { ok: false, error: msg.damaged };
	}
	const plain = decrypt(fromBase64Url(file.ciphertext), fromBase64Url(file.nonce), key, AD);
	if (!plain) return { ok: false, error: msg.wrongPassphrase };
	let contents: unknown;
	try {
		contents = JSON.parse(new TextDecoder().decode(plain));
	} catch {
		return { ok: false, error: msg.damaged };
	}
	if (!isContents(contents)) return { ok: false, error: msg.newer };
	return { ok: true, contents };
}

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I/L: easy to copy by hand

/** A strong passphrase to suggest: 20 characters from 31 (about 99 bits), in groups of four. */
export function suggestPassphrase(): string {
	const out: string[] = [];
	while (out.length < 20) {
		for (const b of randomBytes(32)) {
			// Rejection sampling keeps every character equally likely.
			if (b < 248 && out.length < 20) out.push(ALPHABET[b % 31]);
		}
	}
	return out.join('').match(/.{4}/g)!.join('-');
}
