// The optional app lock. When it is on, everything Hearth stores on this device is encrypted
// with a storage key that only the person's passphrase (or a passkey they added) unwraps (see
// $lib/keys/appLock and $lib/sync/EncryptedStorage); the key lives in memory only while Hearth
// is unlocked, and is dropped after the chosen minutes without use.
import type { StorageAdapterInterface } from '@automerge/automerge-repo';
import { getContext, setContext } from 'svelte';
import { cryptoReady } from '$lib/crypto';
import {
	changePassphrase,
	isLockRecord,
	newLock,
	newPrfSalt,
	unwrapStorageKey,
	unwrapWithPasskey,
	withPasskey,
	withoutPasskey,
	wrapForPasskey,
	type LockRecord
} from '$lib/keys/appLock';
import { equalBytes, toBase64Url } from '$lib/protocol';
import { EncryptedStorage, LOCK_RECORD_KEY, openAll, sealAll } from '$lib/sync/EncryptedStorage';
import { IndexedDBStore } from '$lib/sync/IndexedDBStore';
import { askPasskey, createPasskey, forgetPasskey, passkeySupport, type PasskeySupport } from '$lib/state/passkeys';
import { words } from '$lib/words';

const msg = words.messages.state.appLock;

const CONTEXT = Symbol('hearth-lock');
const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

/** A passkey that unlocks Hearth on this device, as the settings list it. */
export interface PasskeyEntry {
	credentialId: string;
	added: Date;
}

export class AppLock {
	/** checking: reading the lock record; off: no lock; locked: waiting for the passphrase. */
	status = $state<'checking' | 'off' | 'locked' | 'unlocked'>('checking');
	idleMinutes = $state(0);
	/** Passkeys in the lock record: when there are any, the lock screen offers them first. */
	passkeys = $state<PasskeyEntry[]>([]);
	/** Whether this browser and device can unlock with a passkey ('maybe' until it is tried). */
	passkeySupport = $state<PasskeySupport>('maybe');
	readonly #raw: StorageAdapterInterface;
	#record?: LockRecord;
	#storage?: StorageAdapterInterface;
	#timer?: ReturnType<typeof setTimeout>;
	#onLock: () => Promise<void> = async () => {};
	#reopen: () => void = () => {};
	readonly #activity = () => this.#resetTimer();
	/** Other tabs of Hearth on this device: they must follow a lock, and reload when it turns on or off. */
	#tabs?: BroadcastChannel;

	constructor(raw: StorageAdapterInterface = new IndexedDBStore('hearth')) {
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
				// Another tab added or removed a passkey, or changed the passphrase.
				if (event.data === 'record') void this.#readRecord().then((r) => this.#setRecord(r));
			};
		}
		void passkeySupport().then((s) => (this.passkeySupport = s));
		const record = await this.#readRecord();
		this.#setRecord(record);
		this.idleMinutes = record?.idleMinutes ?? 0;
		this.status = record ? 'locked' : 'off';
		if (!record) this.#storage = this.#raw;
	}

	/** The storage the app should use now: encrypting when the lock is on. */
	storage(): StorageAdapterInterface {
		if (!this.#storage) throw new Error(msg.locked);
		return this.#storage;
	}

	/** Unlocks with the passphrase; false if it is wrong. Finishes a half-done turn on/off. */
	async unlock(passphrase: string): Promise<boolean> {
		const record = this.#record;
		if (!record) return true;
		const key = await unwrapStorageKey(record, passphrase);
		if (!key) return false;
		await this.#open(record, key);
		return true;
	}

	/**
	 * Unlocks with one of the record's passkeys. 'no-prf': the device verified the person but
	 * gave no PRF output, so it cannot unlock Hearth; 'refused': the passkey's answer does not
	 * open the record (not one of its passkeys, or the record was altered).
	 */
	async unlockWithPasskey(): Promise<'unlocked' | 'cancelled' | 'no-prf' | 'refused'> {
		const record = this.#record;
		if (!record) return 'unlocked';
		if (!record.passkeys?.length) return 'refused';
		const result = await askPasskey(record.passkeys);
		if (result.kind === 'already-added') return 'refused';
		if (result.kind !== 'ok') return result.kind;
		const key = await unwrapWithPasskey(record, result.answer);
		if (!key) return 'refused';
		await this.#open(record, key);
		return 'unlocked';
	}

	async #open(record: LockRecord, key: Uint8Array): Promise<void> {
		if (record.state === 'turning-on') {
			await sealAll(this.#raw, key);
			await this.#saveRecord({ ...record, state: 'on' });
		}
		if (record.state === 'turning-off') {
			await openAll(this.#raw, key);
			await this.#raw.remove(LOCK_RECORD_KEY);
			for (const p of record.passkeys ?? []) await forgetPasskey(p.credentialId);
			this.#setRecord(undefined);
			this.#storage = this.#raw;
			this.status = 'off';
			return;
		}
		this.#storage = new EncryptedStorage(this.#raw, key);
		this.status = 'unlocked';
		this.#watch();
	}

	/** Turns the lock on: closes the app, encrypts everything stored so far, and reopens it. */
	async turnOn(passphrase: string, idleMinutes: number): Promise<void> {
		if (this.#record) throw new Error(msg.alreadyOn);
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
		// With the lock off there is nothing for the passkeys to unlock.
		for (const p of record.passkeys ?? []) await forgetPasskey(p.credentialId);
		this.#setRecord(undefined);
		this.#storage = this.#raw;
		this.idleMinutes = 0;
		this.status = 'off';
		this.#unwatch();
		this.#reopen();
		return true;
	}

	/**
	 * Adds a passkey on this device that also unlocks Hearth, wrapping the same storage key
	 * the passphrase wraps. The passphrase is asked for so that someone handed an unlocked
	 * phone cannot quietly give themselves a way back in.
	 */
	async addPasskey(passphrase: string, name: string): Promise<'added' | 'wrong-passphrase' | 'no-prf' | 'cancelled' | 'already-added'> {
		const record = await this.#readRecord();
		if (!record || record.state !== 'on' || this.status !== 'unlocked') throw new Error(msg.unlockFirst);
		const salt = newPrfSalt();
		// The passkey prompt is started at once, while the tap that asked for it still counts
		// (some browsers insist), and the slow passphrase check runs alongside; a wrong
		// passphrase closes the prompt.
		const abort = new AbortController();
		const checking = unwrapStorageKey(record, passphrase).then((key) => {
			if (!key) abort.abort();
			return key;
		});
		const [storageKey, result] = await Promise.all([checking, createPasskey(salt, record.passkeys?.map((p) => p.credentialId) ?? [], name, abort.signal)]);
		if (!storageKey) {
			if (result.kind === 'ok') await forgetPasskey(toBase64Url(result.answer.credentialId));
			return 'wrong-passphrase';
		}
		if (result.kind !== 'ok') return result.kind;
		const wrapping = await wrapForPasskey(storageKey, result.answer, salt, new Date());
		const next = withPasskey((await this.#readRecord()) ?? record, wrapping);
		// Never save a wrapping that would not give this storage key back.
		const back = await unwrapWithPasskey(next, result.answer);
		if (!back || !equalBytes(back, storageKey)) throw new Error(msg.passkeyNotAdded);
		await this.#saveRecord(next);
		this.#tabs?.postMessage('record');
		return 'added';
	}

	/** Removes a passkey: from then on only the passphrase (and any other passkey) unlocks. */
	async removePasskey(credentialId: string): Promise<void> {
		const record = await this.#readRecord();
		if (!record) return;
		await this.#saveRecord(withoutPasskey(record, credentialId));
		this.#tabs?.postMessage('record');
		await forgetPasskey(credentialId);
	}

	/** Changes the passphrase; false if `current` is wrong. Passkeys keep working: the storage key is the same. */
	async changePassphrase(current: string, next: string): Promise<boolean> {
		const record = await this.#readRecord();
		if (!record) throw new Error(msg.off);
		const changed = await changePassphrase(record, current, next);
		if (!changed) return false;
		await this.#saveRecord(changed);
		this.#tabs?.postMessage('record');
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

	/** The record as stored now: another tab may have changed it since this one read it. */
	async #readRecord(): Promise<LockRecord | undefined> {
		const bytes = await this.#raw.load(LOCK_RECORD_KEY);
		const record: unknown = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
		if (record !== undefined && !isLockRecord(record)) throw new Error(msg.damaged);
		return record;
	}

	#setRecord(record: LockRecord | undefined): void {
		this.#record = record;
		this.passkeys = (record?.passkeys ?? []).map((p) => ({ credentialId: p.credentialId, added: new Date(p.added) }));
	}

	async #saveRecord(record: LockRecord): Promise<void> {
		this.#setRecord(record);
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
