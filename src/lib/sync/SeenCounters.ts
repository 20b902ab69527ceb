// Which per-author counters have already been applied, as sorted, merged intervals. A
// replayed entry carries a counter already in here. Each app session starts its counters
// at a random point, so two tabs on one device never collide and need no lock.

export type Interval = [number, number];

export class SeenCounters {
	#byAuthor = new Map<string, Interval[]>();

	static fromJSON(json: Record<string, Interval[]> | undefined): SeenCounters {
		const seen = new SeenCounters();
		for (const [author, intervals] of Object.entries(json ?? {})) seen.#byAuthor.set(author, intervals.map(([a, b]) => [a, b]));
		return seen;
	}

	toJSON(): Record<string, Interval[]> {
		return Object.fromEntries(this.#byAuthor);
	}

	has(author: string, counter: number): boolean {
		const list = this.#byAuthor.get(author);
		if (!list) return false;
		let lo = 0;
		let hi = list.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			const [a, b] = list[mid];
			if (counter < a) hi = mid - 1;
			else if (counter > b) lo = mid + 1;
			else return true;
		}
		return false;
	}

	add(author: string, counter: number): void {
		let list = this.#byAuthor.get(author);
		if (!list) this.#byAuthor.set(author, (list = []));
		// Find the first interval that ends at or after counter - 1.
		let i = 0;
		while (i < list.length && list[i][1] < counter - 1) i++;
		if (i < list.length && list[i][0] <= counter + 1) {
			const cur = list[i];
			cur[0] = Math.min(cur[0], counter);
			cur[1] = Math.max(cur[1], counter);
			// Merge with the next interval if they now touch.
			const next = list[i + 1];
			if (next && next[0] <= cur[1] + 1) {
				cur[1] = Math.max(cur[1], next[1]);
				list.splice(i + 1, 1);
			}
		} else {
			list.splice(i, 0, [counter, counter]);
		}
	}

	/** Adds everything another set has seen (used when loading a snapshot). */
	merge(other: SeenCounters): void {
		for (const [author, intervals] of other.#byAuthor) {
			for (const [a, b] of intervals) {
				// Intervals are small in number; adding endpoints and filling is fine for short
				// ranges, but ranges can be long, so insert whole intervals instead.
				this.#addInterval(author, a, b);
			}
		}
	}

	#addInterval(author: string, a: number, b: number): void {
		const list = this.#byAuthor.get(author) ?? [];
		list.push([a, b]);
		list.sort((x, y) => x[0] - y[0]);
		const merged: Interval[] = [];
		for (const [x, y] of list) {
			const last = merged[merged.length - 1];
			if (last && x <= last[1] + 1) last[1] = Math.max(last[1], y);
			else merged.push([x, y]);
		}
		this.#byAuthor.set(author, merged);
	}
}
