// A storage adapter that passes everything to a real one until told otherwise: `refuse()`
// makes writes fail as the browser's would (QuotaExceededError for a full disk), and
// `crash()` is the process dying: from then on nothing reaches the disk and no call settles,
// so a later start on the same database sees exactly what had been stored before the crash.
// Calls are passed on synchronously, so the order of transactions is the caller's.
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

const never = <T>() => new Promise<T>(() => {});

export class FaultyStorage implements StorageAdapterInterface {
	readonly inner: StorageAdapterInterface;
	#refusing: 'full' | 'failed' | undefined;
	#crashed = false;
	/** Writes refused so far. */
	refused = 0;
	/** Hears each write as it is passed on (e.g. to crash right after a particular one). */
	onWrite?: (key: StorageKey) => void;

	constructor(inner: StorageAdapterInterface) {
		this.inner = inner;
	}

	/** Writes fail from now on (`undefined`: they work again). */
	refuse(kind: 'full' | 'failed' | undefined): void {
		this.#refusing = kind;
	}

	crash(): void {
		this.#crashed = true;
	}

	#write(key: StorageKey, run: () => Promise<void>): Promise<void> {
		if (this.#crashed) return never();
		if (this.#refusing) {
			this.refused++;
			const name = this.#refusing === 'full' ? 'QuotaExceededError' : 'UnknownError';
			return Promise.reject(new DOMException(`Refused by the test (${name})`, name));
		}
		const written = run();
		this.onWrite?.(key);
		return written;
	}

	load(key: StorageKey): Promise<Uint8Array | undefined> {
		return this.#crashed ? never() : this.inner.load(key);
	}

	loadRange(prefix: StorageKey): Promise<Chunk[]> {
		return this.#crashed ? never() : this.inner.loadRange(prefix);
	}

	save(key: StorageKey, data: Uint8Array): Promise<void> {
		return this.#write(key, () => this.inner.save(key, data));
	}

	remove(key: StorageKey): Promise<void> {
		return this.#write(key, () => this.inner.remove(key));
	}

	removeRange(prefix: StorageKey): Promise<void> {
		return this.#write(prefix, () => this.inner.removeRange(prefix));
	}
}
