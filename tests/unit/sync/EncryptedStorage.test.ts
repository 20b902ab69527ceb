// The app lock's storage: every value encrypted and bound to its key; documents saved by a
// real automerge-repo through it load again with the key and are unreadable without it.
import { describe, expect, it, beforeAll } from 'vitest';
import { Repo, type Chunk, type StorageAdapterInterface, type StorageKey } from '@automerge/automerge-repo';
import { cryptoReady, randomBytes } from '$lib/crypto';
import { EncryptedStorage, LOCK_RECORD_KEY, isSealed, openAll, sealAll } from '$lib/sync/EncryptedStorage';
import { newLock, unwrapStorageKey } from '$lib/keys/appLock';

/** IndexedDB's behaviour, in memory: values by key path, ranges by prefix. */
class MemoryStorage implements StorageAdapterInterface {
	readonly data = new Map<string, { key: StorageKey; value: Uint8Array }>();
	async load(key: StorageKey) {
		return this.data.get(JSON.stringify(key))?.value;
	}
	async save(key: StorageKey, value: Uint8Array) {
		this.data.set(JSON.stringify(key), { key, value });
	}
	async remove(key: StorageKey) {
		this.data.delete(JSON.stringify(key));
	}
	async loadRange(prefix: StorageKey): Promise<Chunk[]> {
		return [...this.data.values()].filter((e) => prefix.every((p, i) => e.key[i] === p)).map((e) => ({ key: e.key, data: e.value }));
	}
	async removeRange(prefix: StorageKey) {
		for (const c of await this.loadRange(prefix)) await this.remove(c.key);
	}
	text(): string {
		return [...this.data.values()].map((e) => new TextDecoder('latin1').decode(e.value)).join('\n');
	}
}

beforeAll(() => cryptoReady());

describe('encrypted storage (app lock)', () => {
	it('stores only ciphertext, bound to its key', async () => {
		const raw = new MemoryStorage();
		const key = randomBytes(32);
		const store = new EncryptedStorage(raw, key);
		await store.save(['hearth', 'access', 'doc1'], new TextEncoder().encode('{"secret":"Soup for six"}'));
		expect(raw.text()).not.toContain('Soup');
		expect(new TextDecoder().decode(await store.load(['hearth', 'access', 'doc1']))).toContain('Soup for six');
		// A value moved to another key is refused, not handed back.
		await raw.save(['hearth', 'access', 'doc2'], (await raw.load(['hearth', 'access', 'doc1']))!);
		await expect(store.load(['hearth', 'access', 'doc2'])).rejects.toThrow('could not be unlocked');
		// So is a plaintext value slipped in, and anything read with the wrong key.
		await raw.save(['hearth', 'x'], new TextEncoder().encode('{}'));
		await expect(store.load(['hearth', 'x'])).rejects.toThrow();
		await expect(new EncryptedStorage(raw, randomBytes(32)).load(['hearth', 'access', 'doc1'])).rejects.toThrow();
	});

	it('a real Repo saves through it and reopens the same document; without the key nothing reads', async () => {
		const raw = new MemoryStorage();
		const key = randomBytes(32);
		const repo = new Repo({ storage: new EncryptedStorage(raw, key), network: [] });
		const handle = repo.create({ notes: 'Hall opens at 11', items: ['big pot'] });
		await repo.flush();
		await repo.shutdown();
		expect(raw.data.size).toBeGreaterThan(0);
		expect(raw.text()).not.toContain('Hall opens');
		for (const { value } of raw.data.values()) expect(isSealed(value)).toBe(true);

		const again = new Repo({ storage: new EncryptedStorage(raw, key), network: [] });
		const reopened = await again.find<{ notes: string }>(handle.documentId);
		expect(reopened.doc().notes).toBe('Hall opens at 11');
		await again.shutdown();
	});

	it('turning the lock on encrypts what was there, off decrypts it; both can be re-run after a crash', async () => {
		const raw = new MemoryStorage();
		await raw.save(['hearth', 'device'], new TextEncoder().encode('{"name":"plain device record"}'));
		await raw.save(LOCK_RECORD_KEY, new TextEncoder().encode('{"lock":"record"}'));
		const key = randomBytes(32);
		expect(await sealAll(raw, key)).toBe(1);
		expect(await sealAll(raw, key)).toBe(0);
		expect(raw.text()).not.toContain('plain device record');
		expect(new TextDecoder().decode(await raw.load(LOCK_RECORD_KEY))).toBe('{"lock":"record"}');
		expect(await openAll(raw, key)).toBe(1);
		expect(new TextDecoder().decode(await raw.load(['hearth', 'device']))).toContain('plain device record');
	});

	it('the storage key is wrapped by the passphrase: the wrong one gets nothing', async () => {
		const { record, storageKey } = await newLock('a long passphrase', 5, { name: 'PBKDF2-SHA256', iterations: 100_000 });
		expect(JSON.stringify(record)).not.toContain('a long passphrase');
		expect(await unwrapStorageKey(record, 'a long passphrase')).toEqual(storageKey);
		expect(await unwrapStorageKey(record, 'a long passphrasE')).toBeUndefined();
		await expect(newLock('short', 5)).rejects.toThrow('at least');
	});
});
