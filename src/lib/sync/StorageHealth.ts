// Whether this device's storage is taking writes. Everything that writes (document changes in
// LocalDurability, the small records in LocalStore) reports each outcome here; one failure
// makes the state `failing` at once (the sync status tells the person), and the next write
// that succeeds makes it well again. While failing, a retry runs on a backoff (and when asked,
// e.g. the person pressed "Try again" or came back to the page): each writer that holds
// something tries it again, and if none does, a tiny probe write finds out whether storage
// takes writes again. Nothing typed is dropped, only kept in memory until it fits.
import { StorageWriteError } from './StorageWriteError';

export type StorageHealthEvent = { type: 'failed'; error: StorageWriteError } | { type: 'recovered' };

/** Tries again what it holds; returns whether it had anything to try. */
export type Retrier = () => boolean;

export class StorageHealth {
	readonly #listeners = new Set<(event: StorageHealthEvent) => void>();
	readonly #retriers = new Set<Retrier>();
	readonly #retryMs: readonly number[];
	readonly #probe: (() => Promise<void>) | undefined;
	#failing: StorageWriteError | undefined;
	#attempts = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;

	/**
	 * `probe` writes something tiny (used when no writer holds anything to try again);
	 * `retryMs` are the waits between retries while failing; the last repeats.
	 */
	constructor(options: { probe?: () => Promise<void>; retryMs?: readonly number[] } = {}) {
		this.#probe = options.probe;
		this.#retryMs = options.retryMs ?? [1000, 2000, 5000, 10_000, 30_000];
	}

	/** Registers a writer that holds writes to try again while storage is failing. */
	addRetrier(retrier: Retrier): () => void {
		this.#retriers.add(retrier);
		return () => this.#retriers.delete(retrier);
	}

	on(listener: (event: StorageHealthEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Why writes are failing right now, if they are. */
	get failing(): StorageWriteError | undefined {
		return this.#failing;
	}

	failed(error: unknown): StorageWriteError {
		const e = StorageWriteError.from(error);
		this.#failing = e;
		if (this.#timer === undefined) this.#arm();
		this.#emit({ type: 'failed', error: e });
		return e;
	}

	succeeded(): void {
		if (!this.#failing) return;
		this.#failing = undefined;
		this.#attempts = 0;
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#emit({ type: 'recovered' });
	}

	/** Retries now instead of at the next step of the backoff. */
	retryNow(): void {
		if (!this.#failing) return;
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#retry();
	}

	/** Runs a write, reporting how it went; rejects with a StorageWriteError. */
	async watch<T>(write: () => Promise<T>): Promise<T> {
		try {
			const result = await write();
			this.succeeded();
			return result;
		} catch (error) {
			throw this.failed(error);
		}
	}

	#arm(): void {
		const wait = this.#retryMs[Math.min(this.#attempts, this.#retryMs.length - 1)];
		this.#attempts++;
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			this.#retry();
		}, wait);
	}

	#retry(): void {
		// Armed again first: if every writer's retry fails, the next one is already due.
		this.#arm();
		let any = false;
		for (const r of this.#retriers) any = r() || any;
		if (!any && this.#probe) void this.watch(this.#probe).catch(() => {});
	}

	#emit(event: StorageHealthEvent): void {
		for (const l of this.#listeners) l(event);
	}
}
