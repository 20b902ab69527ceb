// The device's storage: automerge-repo's storage adapter interface over IndexedDB, in the
// same database and object store (and the same value shape) as the stock
// `IndexedDBStorageAdapter`, so existing devices keep everything they hold. It differs where
// losing someone's words is at stake:
//
// - Every write asks for `durability: 'strict'`: `oncomplete` then means the browser has
//   flushed it to disk, not just to its own memory, so a crash, a killed browser or a flat
//   battery after Hearth says "saved" cannot take it back.
// - A write that fails settles as a `StorageWriteError`. A full disk aborts the transaction
//   with QuotaExceededError and fires no `error` event, so the stock adapter's promise never
//   settled and the app waited for ever, saying nothing.
// - Transactions are created in the order calls arrive (synchronously, once the database is
//   open), and IndexedDB runs read-write transactions on one store in creation order. A
//   caller may therefore issue a small "this document has unsaved changes" record and then the
//   change itself without waiting in between (as it must when the page is being hidden) and
//   still know the record reaches disk first.
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { StorageWriteError } from './StorageWriteError';

type Stored = { key: StorageKey; binary: Uint8Array };

export class IndexedDBStore implements StorageAdapterInterface {
	readonly #name: string;
	readonly #store: string;
	#db?: IDBDatabase;
	#opening?: Promise<IDBDatabase>;

	constructor(database = 'hearth', store = 'documents') {
		this.#name = database;
		this.#store = store;
	}

	/** The open database; reopened if the browser closed it (e.g. another tab upgrading it). */
	#open(): Promise<IDBDatabase> {
		if (this.#db) return Promise.resolve(this.#db);
		this.#opening ??= new Promise<IDBDatabase>((resolve, reject) => {
			let request: IDBOpenDBRequest;
			try {
				request = indexedDB.open(this.#name, 1);
			} catch (error) {
				reject(StorageWriteError.from(error));
				return;
			}
			request.onupgradeneeded = () => {
				if (!request.result.objectStoreNames.contains(this.#store)) request.result.createObjectStore(this.#store);
			};
			request.onsuccess = () => {
				const db = request.result;
				const forget = () => {
					if (this.#db === db) this.#db = undefined;
				};
				// Let a newer version in another tab upgrade; the next call reopens.
				db.onversionchange = () => {
					forget();
					db.close();
				};
				db.onclose = forget;
				this.#db = db;
				resolve(db);
			};
			request.onerror = () => reject(StorageWriteError.from(request.error));
			request.onblocked = () => reject(new StorageWriteError('failed', 'IndexedDB is blocked by another tab'));
		}).finally(() => {
			this.#opening = undefined;
		});
		return this.#opening;
	}

	/**
	 * Runs one transaction. `work` queues its requests and returns a function that reads the
	 * result once the transaction has completed. The transaction is created synchronously when
	 * the database is already open, so transactions keep the order of the calls.
	 */
	#run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => () => T): Promise<T> {
		const start = (db: IDBDatabase) =>
			new Promise<T>((resolve, reject) => {
				let read: () => T;
				let tx: IDBTransaction;
				try {
					tx = mode === 'readwrite' ? db.transaction(this.#store, mode, { durability: 'strict' }) : db.transaction(this.#store, mode);
					read = work(tx.objectStore(this.#store));
				} catch (error) {
					reject(StorageWriteError.from(error));
					return;
				}
				tx.oncomplete = () => resolve(read());
				// A failed request aborts the transaction after its error event; a failure at
				// commit (a full disk) only aborts it. Either way it settles here, once.
				tx.onabort = () => reject(StorageWriteError.from(tx.error ?? new DOMException('The write was abandoned', 'AbortError')));
			});
		return this.#db ? start(this.#db) : this.#open().then(start);
	}

	load(key: StorageKey): Promise<Uint8Array | undefined> {
		return this.#run('readonly', (store) => {
			const request = store.get(key);
			return () => binaryOf(request.result);
		});
	}

	save(key: StorageKey, data: Uint8Array): Promise<void> {
		return this.#run('readwrite', (store) => {
			store.put({ key, binary: data } satisfies Stored, key);
			return () => undefined;
		});
	}

	remove(key: StorageKey): Promise<void> {
		return this.#run('readwrite', (store) => {
			store.delete(key);
			return () => undefined;
		});
	}

	loadRange(prefix: StorageKey): Promise<Chunk[]> {
		return this.#run('readonly', (store) => {
			const keys = store.getAllKeys(range(prefix));
			const values = store.getAll(range(prefix));
			return () => (keys.result as StorageKey[]).map((key, i) => ({ key, data: binaryOf(values.result[i]) }));
		});
	}

	removeRange(prefix: StorageKey): Promise<void> {
		return this.#run('readwrite', (store) => {
			const keys = range(prefix);
			if (keys) store.delete(keys);
			else store.clear();
			return () => undefined;
		});
	}

	/** Lets go of the database (tests; the app lock when it swaps storage). */
	close(): void {
		this.#db?.close();
		this.#db = undefined;
	}
}

/** Every key that starts with `prefix` (keys are arrays of strings; '\uffff' sorts after any). */
function range(prefix: StorageKey): IDBKeyRange | undefined {
	if (prefix.length === 0) return undefined;
	return IDBKeyRange.bound(prefix, [...prefix, '\uffff']);
}

function binaryOf(value: unknown): Uint8Array | undefined {
	return value && typeof value === 'object' && 'binary' in value ? (value as Stored).binary : undefined;
}
