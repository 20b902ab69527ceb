// Backup files: sealed with a passphrase, naming nothing they hold, refusing a wrong
// passphrase, an altered file and something that is not a backup, each with its own message.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { openBackup, sealBackup, suggestPassphrase, type BackupContents } from '$lib/keys/backup';
import type { DocumentId } from '$lib/protocol';

const contents: BackupContents = {
	format: 'hearth-backup-contents',
	version: 1,
	createdAt: 1,
	docs: [{ docId: 'doc1' as DocumentId, title: 'Mum’s team', kind: 'team', heads: ['abc'], bytes: 'AAAA' }]
};

beforeAll(() => cryptoReady());

describe('encrypted backup files', () => {
	it('opens with the passphrase and holds exactly what was sealed', async () => {
		const text = await sealBackup(contents, 'kettle on the landing', { name: 'PBKDF2-SHA256', iterations: 100_000 });
		expect(text).not.toContain('Mum');
		expect(text).not.toContain('doc1');
		expect(await openBackup(text, 'kettle on the landing')).toEqual({ ok: true, contents });
	});

	it('refuses a wrong passphrase, an altered file, and a file that is not a backup, saying which', async () => {
		const text = await sealBackup(contents, 'kettle on the landing', { name: 'PBKDF2-SHA256', iterations: 100_000 });
		expect(await openBackup(text, 'kettle on the stairs')).toMatchObject({ ok: false, error: expect.stringContaining('passphrase does not open') });
		const file = JSON.parse(text);
		file.ciphertext = (file.ciphertext[0] === 'A' ? 'B' : 'A') + file.ciphertext.slice(1);
		expect(await openBackup(JSON.stringify(file), 'kettle on the landing')).toMatchObject({ ok: false });
		expect(await openBackup('{"hello":1}', 'kettle on the landing')).toMatchObject({ ok: false, error: expect.stringContaining('not a Hearth backup') });
		expect(await openBackup('not json', 'x')).toMatchObject({ ok: false, error: 'This is not a Hearth backup file.' });
		// Lowering the work factor in the file does not help an attacker: it is refused.
		file.kdf.iterations = 10;
		expect(await openBackup(JSON.stringify(file), 'kettle on the landing')).toMatchObject({ ok: false, error: 'This backup file is damaged.' });
	});

	it('refuses a short passphrase, and suggests strong ones', async () => {
		await expect(sealBackup(contents, 'short')).rejects.toThrow('at least 10');
		const a = suggestPassphrase();
		expect(a).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/);
		expect(suggestPassphrase()).not.toBe(a);
	});
});
