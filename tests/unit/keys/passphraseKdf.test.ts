// Issue 19, item 8: backups and the app lock make their key from a passphrase. PBKDF2 costs a
// GPU little per guess; new files use Argon2id, which needs 64 MiB per guess. Each file names
// its KDF (the id in its header) and that KDF's settings, so every older PBKDF2 file still
// opens; and a file's settings are bounded, so a file cannot make the device work for ever,
// nor ask for a weakened key.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cryptoReady, keyFromKdf } from '$lib/crypto';
import { changePassphrase, isLockRecord, newLock, unwrapStorageKey, type LockRecord } from '$lib/keys/appLock';
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

	it('makes new backups with Argon2id (64 MiB, 3 passes), named with its settings in the header', async () => {
		const contents: BackupContents = { format: 'hearth-backup-contents', version: 1, createdAt: 1, docs: [] };
		const text = await sealBackup(contents, PASS);
		expect(JSON.parse(text).kdf).toEqual({ name: 'Argon2id', version: 19, memoryKiB: 65_536, iterations: 3, parallelism: 1, salt: expect.any(String) });
		expect(await openBackup(text, PASS)).toEqual({ ok: true, contents });
		expect(await openBackup(text, 'kettle on the stairs')).toMatchObject({ ok: false, error: expect.stringContaining('passphrase does not open') });
	});

	it('makes new app locks with Argon2id, and moves an old PBKDF2 record onto it when the passphrase changes', async () => {
		const made = await newLock('tea and toast', 5);
		expect(made.record.kdf).toMatchObject({ name: 'Argon2id', memoryKiB: 65_536, iterations: 3 });
		expect(await unwrapStorageKey(made.record, 'tea and toast')).toEqual(made.storageKey);
		const { record, storageKey } = JSON.parse(fixture('applock-pbkdf2-v1.json')) as { record: LockRecord; storageKey: string };
		const moved = (await changePassphrase(record, 'tea and toast', 'toast and tea'))!;
		expect(moved.kdf.name).toBe('Argon2id');
		expect(await unwrapStorageKey(moved, 'toast and tea')).toEqual(fromBase64Url(storageKey));
	});

	it('computes Argon2id as the reference implementation does', async () => {
		// phc-winner-argon2's own test: "password", salt "somesalt", t = 2, m = 64 MiB, p = 1.
		const key = await keyFromKdf('password', new TextEncoder().encode('somesalt'), { name: 'Argon2id', version: 19, memoryKiB: 65_536, iterations: 2, parallelism: 1 });
		expect(Buffer.from(key).toString('hex')).toBe('09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7');
	});

	it('still writes PBKDF2 when asked, with its settings in the header', async () => {
		const text = await sealBackup({ format: 'hearth-backup-contents', version: 1, createdAt: 1, docs: [] }, PASS, { name: 'PBKDF2-SHA256', iterations: 100_000 });
		expect(JSON.parse(text).kdf).toMatchObject({ name: 'PBKDF2-SHA256', iterations: 100_000, salt: expect.any(String) });
	});

	it('says plainly that a file locked with a KDF this version does not have needs a newer Hearth', async () => {
		const file = JSON.parse(fixture('backup-pbkdf2-v1.hearth-backup'));
		file.kdf = { name: 'Balloon-SHA256', space: 65536, time: 3, salt: file.kdf.salt };
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
		// Nor can it ask Argon2id for 4 GiB, or for one cheap pass over 1 MiB.
		for (const kdf of [{ memoryKiB: 4 * 1024 * 1024, iterations: 3 }, { memoryKiB: 1024, iterations: 1 }]) {
			file.kdf = { name: 'Argon2id', version: 19, parallelism: 1, salt: file.kdf.salt, ...kdf };
			expect(await openBackup(JSON.stringify(file), PASS)).toEqual({ ok: false, error: 'This backup file is damaged.' });
		}
	});

	it('does not take an app-lock record whose settings are out of bounds', () => {
		const { record } = JSON.parse(fixture('applock-pbkdf2-v1.json')) as { record: LockRecord };
		expect(isLockRecord({ ...record, kdf: { ...record.kdf, iterations: 4_000_000_000 } })).toBe(false);
		expect(isLockRecord({ ...record, kdf: { ...record.kdf, iterations: 10 } })).toBe(false);
	});
});
