// Per-connection rate limit: a bucket that refills at `rate` per second up to `capacity`.
export class TokenBucket {
	#tokens: number;
	#last = performance.now();

	constructor(
		readonly rate: number,
		readonly capacity: number
	) {
		this.#tokens = capacity;
	}

	/** Takes `cost` tokens if there are enough; otherwise takes none and says no. */
	take(cost = 1): boolean {
		const now = performance.now();
		this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) / 1000) * this.rate);
		this.#last = now;
		if (this.#tokens < cost) return false;
		this.#tokens -= cost;
		return true;
	}
}
