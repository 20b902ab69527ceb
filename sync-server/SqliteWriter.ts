// Runs the embedded store's writes on a thread of their own. Under load the inserts and the
// fsync of each group commit were about a quarter of the relay's main thread, which is the
// one that reads and writes every socket; moving them off it lets fan-out carry on while the
// disk syncs. Writes asked for in one event-loop turn cross as one message; each resolves
// once the commit holding it is on disk, exactly as when they ran on the main thread.
import { Worker } from 'node:worker_threads';
import { SqliteWriteError } from './SqliteWriteError';
import type { SqliteWrite, SqliteWriteResults } from './sqliteWrites';
import type { WriterReply, WriterRequest } from './sqliteWriterWorker';

interface Pending {
	resolve: (value: unknown) => void;
	reject: (error: Error) => void;
}

export class SqliteWriter {
	readonly #file: string;
	readonly #entry: string;
	#worker: Worker | undefined;
	#outbox: Array<[number, SqliteWrite]> = [];
	#scheduled = false;
	#nextId = 1;
	readonly #pending = new Map<number, Pending>();

	/** `entry`: the module the thread runs, as a URL (a test swaps in one that dies). */
	constructor(file: string, { entry = new URL('./sqliteWriterWorker.ts', import.meta.url).href }: { entry?: string } = {}) {
		this.#file = file;
		this.#entry = entry;
	}

	write<K extends SqliteWrite['op']>(write: Extract<SqliteWrite, { op: K }>): Promise<SqliteWriteResults[K]> {
		return new Promise((resolve, reject) => {
			const id = this.#nextId++;
			this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.#outbox.push([id, write]);
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(() => this.#send());
			}
		});
	}

	/** Starts the thread and waits until it has the file open (so a bad file fails the start). */
	async start(): Promise<void> {
		const worker = this.#thread();
		await new Promise<void>((resolve, reject) => {
			const onReply = (reply: WriterReply) => {
				if (!('ready' in reply)) return;
				worker.off('message', onReply);
				worker.off('error', onError);
				resolve();
			};
			const onError = (error: Error) => reject(new SqliteWriteError(`The storage writer could not open the database: ${error.message}`, 'writer_failed'));
			worker.on('message', onReply);
			worker.once('error', onError);
		});
	}

	/** Commits what is still waiting, then stops the thread. */
	async close(): Promise<void> {
		if (this.#scheduled) this.#send();
		const worker = this.#worker;
		if (!worker) return;
		await new Promise<void>((resolve) => {
			worker.once('exit', () => resolve());
			worker.postMessage({ close: true } satisfies WriterRequest);
		});
	}

	#send(): void {
		this.#scheduled = false;
		const writes = this.#outbox;
		this.#outbox = [];
		if (writes.length > 0) this.#thread().postMessage({ writes } satisfies WriterRequest);
	}

	#thread(): Worker {
		if (this.#worker) return this.#worker;
		const worker = startWorker(this.#file, this.#entry);
		worker.on('message', (reply: WriterReply) => {
			if (!('done' in reply)) return;
			for (const [id, outcome] of reply.done) {
				const pending = this.#pending.get(id);
				if (!pending) continue;
				this.#pending.delete(id);
				if (outcome.ok) pending.resolve(outcome.value);
				else pending.reject(new SqliteWriteError(outcome.message, outcome.code));
			}
		});
		const stopped = (error: Error) => {
			if (this.#worker !== worker) return;
			this.#worker = undefined;
			// Whatever it was committing may or may not be on disk: report it as failed (the
			// client resends; storage dedupes what it must). The next write starts a new thread.
			for (const pending of this.#pending.values()) pending.reject(error);
			this.#pending.clear();
		};
		worker.on('error', (error) => stopped(new SqliteWriteError(`The storage writer stopped: ${error.message}`, 'writer_failed')));
		worker.on('exit', () => stopped(new SqliteWriteError('The storage writer stopped', 'writer_stopped')));
		this.#worker = worker;
		return worker;
	}
}

/**
 * The relay runs its TypeScript through tsx, but Node 20 does not apply `--import` loaders to
 * a worker's own entry file, so the worker registers tsx itself before loading it.
 */
function startWorker(file: string, entry: string): Worker {
	const tsx = import.meta.resolve('tsx/esm/api');
	const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
	return new Worker(source, { eval: true, workerData: { file } });
}
