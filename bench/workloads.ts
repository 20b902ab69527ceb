// The three workloads from the issue, written once against BenchSystem so both systems run
// exactly the same steps. Times are taken with performance.now() in the bench process, which
// hosts both client devices; only the servers run in other processes.
import type { BenchSystem, Population } from './system';
import { sleep, whenDoc, withTimeout } from './waiting';

export interface LatencyOptions {
	warmup: number;
	samples: number;
	timeoutMs: number;
	/** Idle time before each edit; 0 means back to back, as in the workload. */
	gapMs?: number;
}

/** Edit-to-remote-visible latency: one small edit, wait until the other device shows it, repeat. */
export async function sequentialLatency(system: BenchSystem, options: LatencyOptions): Promise<number[]> {
	const pair = await system.openPair();
	try {
		const samples: number[] = [];
		for (let i = 0; i < options.warmup + options.samples; i++) {
			if (options.gapMs) await sleep(options.gapMs);
			const target = pair.writer.doc().items.length + 1;
			// Listen before editing so the arrival cannot be missed.
			const visible = whenDoc(pair.reader, (d) => d.items.length >= target, options.timeoutMs, `edit ${i} on the reader`);
			const start = performance.now();
			pair.writer.change((d) => d.items.push(`edit ${i}`));
			await visible;
			if (i >= options.warmup) samples.push(performance.now() - start);
		}
		return samples;
	} finally {
		await pair.close();
	}
}

export interface BurstResult {
	/** From the first change until the reader holds every change. */
	totalMs: number;
	/** How long the writer's loop of change() calls took by itself. */
	localMs: number;
}

/** A burst of separate changes made as fast as possible; time until the other device has all. */
export async function burst(system: BenchSystem, changes: number, timeoutMs: number): Promise<BurstResult> {
	const pair = await system.openPair();
	try {
		const target = pair.writer.doc().items.length + changes;
		const all = whenDoc(pair.reader, (d) => d.items.length >= target, timeoutMs, `all ${changes} burst changes on the reader`);
		const start = performance.now();
		for (let i = 0; i < changes; i++) pair.writer.change((d) => d.items.push(`burst ${i}`));
		const localMs = performance.now() - start;
		await all;
		return { totalMs: performance.now() - start, localMs };
	} finally {
		await pair.close();
	}
}

/**
 * Catch-up: a device that was never online opens every document of `population` at once.
 * Timed from connecting until every document on it holds every change.
 */
export async function catchUp(system: BenchSystem, population: Population, timeoutMs: number): Promise<number> {
	const reader = await system.openReader();
	try {
		const expected = population.changesPerDoc;
		const start = performance.now();
		await reader.start(population.links);
		const complete = population.links.map(async (_, i) => {
			const handle = await reader.handleOf(i);
			await whenDoc(handle, (d) => d.items.length >= expected, timeoutMs, `document ${i} to catch up`);
		});
		await withTimeout(Promise.all(complete), timeoutMs, `all ${population.links.length} documents to catch up`);
		return performance.now() - start;
	} finally {
		await reader.close();
	}
}
