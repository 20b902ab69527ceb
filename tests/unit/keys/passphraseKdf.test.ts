// Issue 19, item 8: backups and the app lock make their key from a passphrase. Each file names
// its KDF (the id in its header) and that KDF's settings, so a memory-hard KDF (Argon2id) can
// come in beside PBKDF2 while every older file still opens; and a file's settings are bounded,
// so a file cannot make the device work for ever, nor ask for a weakened key.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { isLockRecord, unwrapStorageKey, type LockRecord } from '$lib/keys/appLock';
import { openBackup, sealBackup, type BackupContents } from '$lib/keys/backup';
import { fromBase64Url } from '$lib/protocol';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const PASS = 'kettle on the landing';

beforeAll(() => cryptoReady());
afterEach(() => vi.restoreAllMocks());

describe('passphrase keys, by the KDF a file names', () => {
	it('opens a backup file written before KDF ids were read (PBKDF2, 600,000 iterations)', async () => {
		const contents = JSON.parse(fixture('backup-pbkdf2-v1.contents.json')) as BackupContents;
		expect(await openBackup(fixture('backup-pbkdf2-v1.hearth-backup'), PASS)).toEqual({ ok: true, contents });
	});

	it('unlocks an app-lock record written before KDF ids were read', async () => {
		const { record, storageKey } = JSON.parse(fixture('applock-pbkdf2-v1.json')) as { record: LockRecord; storageKey: string };
		expect(isLockRecord(record)).toBe(true);
		expect(await unwrapStorageKey(record, 'tea and toast')).toEqual(fromBase64Url(storageKey));
	});

	it('writes the KDF id and its settings in the header of a new file', async () => {
		const text = await sealBackup({ format: 'hearth-backup-contents', version: 1, createdAt: 1, docs: [] }, PASS, { name: 'PBKDF2-SHA256', iterations: 100_000 });
		expect(JSON.parse(text).kdf).toMatchObject({ name: 'PBKDF2-SHA256', iterations: 100_000, salt: expect.any(String) });
	});

	it('says plainly that a file locked with a KDF this version does not have needs a newer Hearth', async () => {
		const file = JSON.parse(fixture('backup-pbkdf2-v1.hearth-backup'));
		file.kdf = { name: 'Argon2id', v: 19, m: 65536, t: 3, p: 1, salt: file.kdf.salt };
		expect(await openBackup(JSON.stringify(file), PASS)).toEqual({ ok: false, error: 'This backup was locked by a newer version of Hearth. Update Hearth on this device, then open it again.' });
	});

	it('refuses a backup file that asks for an absurd amount of work, without starting it', async () => {
		// Someone sends a "backup" whose header asks for four billion PBKDF2 rounds: opening it
		// would keep the device busy for hours. It is refused as damaged before any work starts.
		const derive = vi.spyOn(globalThis.crypto.subtle, 'deriveBits').mockRejectedValue(new Error('not expected to run'));
		const file = JSON.parse(fixture('backup-pbkdf2-v1.hearth-backup'));
		file.kdf.iterations = 4_000_000_000;
		expect(await openBackup(JSON.stringify(file), PASS)).toEqual({ ok: false, error: 'This backup file is damaged.' });
		expect(derive).not.toHaveBeenCalled();
	});

	it('does not take an app-lock record whose settings are out of bounds', () => {
		const { record } = JSON.parse(fixture('applock-pbkdf2-v1.json')) as { record: LockRecord };
		expect(isLockRecord({ ...record, kdf: { ...record.kdf, iterations: 4_000_000_000 } })).toBe(false);
		expect(isLockRecord({ ...record, kdf: { ...record.kdf, iterations: 10 } })).toBe(false);
	});
});
