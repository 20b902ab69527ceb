// Small JSON records kept next to the documents, in the same storage adapter automerge-repo
// uses (IndexedDB in the browser), under keys that start with "hearth" so they never clash
// with the repo's own document chunks.
import type { StorageAdapterInterface } from '@automerge/automerge-repo';
import type { StorageHealth } from './StorageHealth';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LocalStore {
	readonly #storage: StorageAdapterInterface;
	readonly #health: StorageHealth | undefined;

	/** `health` hears how each write went (a full disk is told to the person at once). */
	constructor(storage: StorageAdapterInterface, health?: StorageHealth) {
		this.#storage = storage;
		this.#health = health;
	}

	#write(write: () => Promise<void>): Promise<void> {
		return this.#health ? this.#health.watch(write) : write();
	}

	async get<T>(...key: string[]): Promise<T | undefined> {
		const bytes = await this.#storage.load(['hearth', ...key]);
		return bytes ? (JSON.parse(decoder.decode(bytes)) as T) : undefined;
	}

	/** Issues the write before returning (callers rely on IndexedDB keeping that order). */
	put(value: unknown, ...key: string[]): Promise<void> {
		const bytes = encoder.encode(JSON.stringify(value));
		return this.#write(() => this.#storage.save(['hearth', ...key], bytes));
	}

	remove(...key: string[]): Promise<void> {
		return this.#write(() => this.#storage.remove(['hearth', ...key]));
	}

	/** Removes every record whose key starts with `prefix`. */
	removeRange(...prefix: string[]): Promise<void> {
		return this.#write(() => this.#storage.removeRange(['hearth', ...prefix]));
	}

	async list<T>(...prefix: string[]): Promise<T[]> {
		const chunks = await this.#storage.loadRange(['hearth', ...prefix]);
		return chunks.filter((c) => c.data).map((c) => JSON.parse(decoder.decode(c.data!)) as T);
	}
}
