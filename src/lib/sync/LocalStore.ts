// Small JSON records kept next to the documents, in the same storage adapter automerge-repo
// uses (IndexedDB in the browser), under keys that start with "hearth" so they never clash
// with the repo's own document chunks.
import type { StorageAdapterInterface } from '@automerge/automerge-repo';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LocalStore {
	readonly #storage: StorageAdapterInterface;

	constructor(storage: StorageAdapterInterface) {
		this.#storage = storage;
	}

	async get<T>(...key: string[]): Promise<T | undefined> {
		const bytes = await this.#storage.load(['hearth', ...key]);
		return bytes ? (JSON.parse(decoder.decode(bytes)) as T) : undefined;
	}

	async put(value: unknown, ...key: string[]): Promise<void> {
		await this.#storage.save(['hearth', ...key], encoder.encode(JSON.stringify(value)));
	}

	async remove(...key: string[]): Promise<void> {
		await this.#storage.remove(['hearth', ...key]);
	}

	async list<T>(...prefix: string[]): Promise<T[]> {
		const chunks = await this.#storage.loadRange(['hearth', ...prefix]);
		return chunks.filter((c) => c.data).map((c) => JSON.parse(decoder.decode(c.data!)) as T);
	}
}
