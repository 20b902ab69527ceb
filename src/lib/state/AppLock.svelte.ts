// The optional app lock. When it is on, everything Hearth stores on this device is encrypted
// with a storage key that only the person's passphrase unwraps (see $lib/keys/appLock and
// $lib/sync/EncryptedStorage); the key lives in memory only while Hearth is unlocked, and is
// dropped after the chosen minutes without use.
import type { StorageAdapterInterface } from '@automerge/automerge-repo';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import { getContext, setContext } from 'svelte';
import { cryptoReady } from '$lib/crypto';
import { isLockRecord, newLock, unwrapStorageKey, type LockRecord } from '$lib/keys/appLock';
import { EncryptedStorage, LOCK_RECORD_KEY, openAll, sealAll } from '$lib/sync/EncryptedStorage';

const CONTEXT = Symbol('hearth-lock');
const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

export class AppLock {
	/** checking: reading the lock record; off: no lock; locked: waiting for the passphrase. */
	status = $state<'checking' | 'off' | 'locked' | 'unlocked'>('checking');
	idleMinutes = $state(0);
	readonly #raw: StorageAdapterInterface;
	#record?: LockRecord;
	#storage?: StorageAdapterInterface;
	#timer?: ReturnType<typeof setTimeout>;
	#onLock: () => Promise<void> = async () => {};
	#reopen: () => void = () => {};
	readonly #activity = () => this.#resetTimer();
	/** Other tabs of Hearth on this device: they must follow a lock, and reload when it turns on or off. */
	#tabs?: BroadcastChannel;

	constructor(raw: StorageAdapterInterface = new IndexedDBStorageAdapter('hearth')) {
		this.#raw = raw;
	}

	/**
	 * `close` is awaited before the storage changes hands (locking, turning the lock on or off):
	 * it closes the app so everything is saved and the old storage let go. `reopen` starts the
	 * app again on the new storage.
	 */
	connect(close: () => Promise<void>, reopen: () => void): void {
		this.#onLock = close;
		this.#reopen = reopen;
	}

	async start(): Promise<void> {
		await cryptoReady();
		if (typeof BroadcastChannel !== 'undefined') {
			this.#tabs = new BroadcastChannel('hearth-app-lock');
			this.#tabs.onmessage = (event: MessageEvent) => {
				// A tab still writing plaintext into a store another tab just encrypted (or the
				// reverse) would spoil it: close and start again on the right storage.
				if (event.data === 'changed') void this.#onLock().finally(() => location.reload());
				if (event.data === 'locked') void this.lockNow();
			};
		}
		const bytes = await this.#raw.load(LOCK_RECORD_KEY);
		const record: unknown = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
		if (record !== undefined && !isLockRecord(record)) throw new Error('the app lock settings on this device are damaged');
		this.#record = record;
		this.idleMinutes = record?.idleMinutes ?? 0;
		this.status = record ? 'locked' : 'off';
		if (!record) this.#storage = this.#raw;
	}

	/** The storage the app should use now: encrypting when the lock is on. */
	storage(): StorageAdapterInterface {
		if (!this.#storage) throw new Error('Hearth is locked');
		return this.#storage;
	}

	/** Unlocks with the passphrase; false if it is wrong. Finishes a half-done turn on/off. */
	async unlock(passphrase: string): Promise<boolean> {
		const record = this.#record;
		if (!record) return true;
		const key = await unwrapStorageKey(record, passphrase);
		if (!key) return false;
		if (record.state === 'turning-on') {
			await sealAll(this.#raw, key);
			await this.#saveRecord({ ...record, state: 'on' });
		}
		if (record.state === 'turning-off') {
			await openAll(this.#raw, key);
			await this.#raw.remove(LOCK_RECORD_KEY);
			this.#record = undefined;
			this.#storage = this.#raw;
			this.status = 'off';
			return true;
		}
		this.#storage = new EncryptedStorage(this.#raw, key);
		this.status = 'unlocked';
		this.#watch();
		return true;
	}

	/** Turns the lock on: closes the app, encrypts everything stored so far, and reopens it. */
	async turnOn(passphrase: string, idleMinutes: number): Promise<void> {
		if (this.#record) throw new Error('The app lock is already on');
		const { record, storageKey } = await newLock(passphrase, idleMinutes);
		this.#tabs?.postMessage('changed');
		await this.#onLock();
		// Written first as "turning-on", so an interrupted run is finished at the next unlock.
		await this.#saveRecord(record);
		await sealAll(this.#raw, storageKey);
		// Again, for anything another tab saved while it was closing.
		await sealAll(this.#raw, storageKey);
		await this.#saveRecord({ ...record, state: 'on' });
		this.idleMinutes = idleMinutes;
		this.#storage = new EncryptedStorage(this.#raw, storageKey);
		this.status = 'unlocked';
		this.#watch();
		this.#reopen();
	}

	/** Turns the lock off (closing the app, decrypting everything, reopening); false if the passphrase is wrong. */
	async turnOff(passphrase: string): Promise<boolean> {
		const record = this.#record;
		if (!record) return true;
		const key = await unwrapStorageKey(record, passphrase);
		if (!key) return false;
		this.#tabs?.postMessage('changed');
		await this.#onLock();
		await this.#saveRecord({ ...record, state: 'turning-off' });
		await openAll(this.#raw, key);
		await openAll(this.#raw, key);
		await this.#raw.remove(LOCK_RECORD_KEY);
		this.#record = undefined;
		this.#storage = this.#raw;
		this.idleMinutes = 0;
		this.status = 'off';
		this.#unwatch();
		this.#reopen();
		return true;
	}

	async lockNow(): Promise<void> {
		if (this.status !== 'unlocked') return;
		this.#unwatch();
		await this.#onLock();
		// Dropping the adapter drops the only reference to the storage key.
		this.#storage = undefined;
		this.status = 'locked';
		this.#tabs?.postMessage('locked');
	}

	#watch(): void {
		this.#unwatch();
		for (const type of ACTIVITY) addEventListener(type, this.#activity, { passive: true, capture: true });
		this.#resetTimer();
	}

	#unwatch(): void {
		clearTimeout(this.#timer);
		for (const type of ACTIVITY) removeEventListener(type, this.#activity, { capture: true });
	}

	#resetTimer(): void {
		clearTimeout(this.#timer);
		if (this.status === 'unlocked' && this.idleMinutes > 0) this.#timer = setTimeout(() => void this.lockNow(), this.idleMinutes * 60_000);
	}

	async #saveRecord(record: LockRecord): Promise<void> {
		this.#record = record;
		await this.#raw.save(LOCK_RECORD_KEY, new TextEncoder().encode(JSON.stringify(record)));
	}

	destroy(): void {
		this.#unwatch();
		this.#tabs?.close();
	}

	provide(): void {
		setContext(CONTEXT, this);
	}

	static current(): AppLock {
		const lock = getContext<AppLock | undefined>(CONTEXT);
		if (!lock) throw new Error('AppLock is provided by the root layout');
		return lock;
	}
}
