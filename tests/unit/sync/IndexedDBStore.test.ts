// The device's storage adapter: the storage contract, run against Hearth's IndexedDB store
// and the app lock's encrypting store on top of it (the two a browser uses), then what the
// stock adapter got wrong: a write the browser refuses settles, with the browser's reason,
// instead of leaving the app waiting for ever.
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, randomBytes } from '$lib/crypto';
import { EncryptedStorage } from '$lib/sync/EncryptedStorage';
import { IndexedDBStore } from '$lib/sync/IndexedDBStore';
import { StorageWriteError } from '$lib/sync/StorageWriteError';
import { runStorageAdapterContract } from '$tests/helpers/storageAdapterContract';

let n = 0;
const fresh = () => new IndexedDBStore(`hearth-store-test-${process.pid}-${n++}`);

beforeAll(() => cryptoReady());

runStorageAdapterContract('IndexedDBStore', async () => {
	const adapter = fresh();
	return { adapter, teardown: () => adapter.close() };
});

runStorageAdapterContract('EncryptedStorage over IndexedDBStore', async () => {
	const inner = fresh();
	return { adapter: new EncryptedStorage(inner, randomBytes(32)), teardown: () => inner.close() };
});

describe('a write the browser refuses', () => {
	const put = IDBObjectStore.prototype.put;
	afterEach(() => {
		IDBObjectStore.prototype.put = put;
	});

	it('rejects as "full" when the quota is exceeded, and the next write that fits goes through', async () => {
		const store = fresh();
		await store.save(['hearth', 'a'], new Uint8Array([1]));
		IDBObjectStore.prototype.put = function () {
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		};
		const refused = await store.save(['hearth', 'b'], new Uint8Array([2])).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(StorageWriteError);
		expect((refused as StorageWriteError).kind).toBe('full');
		IDBObjectStore.prototype.put = put;
		await store.save(['hearth', 'b'], new Uint8Array([2]));
		expect(await store.load(['hearth', 'b'])).toEqual(new Uint8Array([2]));
		expect(await store.load(['hearth', 'a'])).toEqual(new Uint8Array([1]));
	});

	it('rejects when the transaction is aborted after the request was queued (a failure at commit fires no error event)', async () => {
		const store = fresh();
		IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			const request = put.apply(this, args);
			this.transaction.abort();
			return request;
		};
		const refused = await store.save(['hearth', 'c'], new Uint8Array([3])).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(StorageWriteError);
		expect((refused as StorageWriteError).kind).toBe('failed');
		IDBObjectStore.prototype.put = put;
		expect(await store.load(['hearth', 'c'])).toBeUndefined();
	});

	it('keeps the order of writes: one issued first is stored first, even when nobody waits in between', async () => {
		const store = fresh();
		const order: string[] = [];
		IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			order.push((args[1] as string[]).join('/'));
			return put.apply(this, args);
		};
		await store.save(['warm-up'], new Uint8Array([0]));
		order.length = 0;
		await Promise.all([store.save(['hearth', 'sync', 'doc'], new Uint8Array([1])), store.save(['doc', 'incremental', 'x'], new Uint8Array([2]))]);
		expect(order).toEqual(['hearth/sync/doc', 'doc/incremental/x']);
	});
});
