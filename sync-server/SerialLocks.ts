// Runs tasks one at a time per key (a document or a space), in the order they were asked
// for, while different keys proceed concurrently. This is what keeps a document's appends,
// acknowledgements and fan-out in seq order now that storage is asynchronous.
export class SerialLocks {
	readonly #tails = new Map<string, Promise<unknown>>();

	run<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.#tails.get(key) ?? Promise.resolve();
		const result = previous.then(task, task);
		const tail = result.catch(() => {});
		this.#tails.set(key, tail);
		// Forget the key once nothing is queued behind this task, so the map stays small.
		void tail.then(() => {
			if (this.#tails.get(key) === tail) this.#tails.delete(key);
		});
		return result;
	}

	get size(): number {
		return this.#tails.size;
	}
}
