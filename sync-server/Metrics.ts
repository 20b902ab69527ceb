// A small Prometheus registry: counters, gauges and histograms rendered in the text
// exposition format (version 0.0.4). Labels are a fixed, small set chosen by the relay
// (e.g. a rejection reason), never a document id or anything a client names.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

type Labels = Record<string, string>;

function key(labels: Labels): string {
	return Object.entries(labels)
		.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
		.join(',');
}

interface Metric {
	render(): string;
}

export class Counter implements Metric {
	readonly #values = new Map<string, number>();
	constructor(
		readonly name: string,
		readonly help: string
	) {}

	inc(labels: Labels = {}, by = 1): void {
		const k = key(labels);
		this.#values.set(k, (this.#values.get(k) ?? 0) + by);
	}

	value(labels: Labels = {}): number {
		return this.#values.get(key(labels)) ?? 0;
	}

	render(): string {
		const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
		if (this.#values.size === 0) lines.push(`${this.name} 0`);
		for (const [k, v] of this.#values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
		return lines.join('\n');
	}
}

export class Gauge implements Metric {
	constructor(
		readonly name: string,
		readonly help: string,
		readonly read: () => number
	) {}

	render(): string {
		return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`].join('\n');
	}
}

export class Histogram implements Metric {
	readonly #counts: number[];
	#sum = 0;
	#count = 0;
	constructor(
		readonly name: string,
		readonly help: string,
		readonly bounds: number[]
	) {
		this.#counts = bounds.map(() => 0);
	}

	observe(value: number): void {
		this.#sum += value;
		this.#count++;
		for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]) this.#counts[i]++;
	}

	render(): string {
		return renderHistogram(this.name, this.help, this.bounds, this.#counts, this.#count, this.#sum);
	}
}

/** A histogram computed from outside on each scrape (e.g. document sizes read from storage). */
export class SnapshotHistogram implements Metric {
	#last = { cumulative: [] as number[], count: 0, sum: 0 };
	constructor(
		readonly name: string,
		readonly help: string,
		readonly bounds: number[]
	) {}

	set(cumulative: number[], count: number, sum: number): void {
		this.#last = { cumulative, count, sum };
	}

	render(): string {
		const counts = this.#last.cumulative.length === this.bounds.length ? this.#last.cumulative : this.bounds.map(() => 0);
		return renderHistogram(this.name, this.help, this.bounds, counts, this.#last.count, this.#last.sum);
	}
}

const RESOLUTION_MS = 10;

/**
 * How late the event loop ran timers since the previous scrape (p50, p99, max). Everything
 * the relay does for its clients waits behind a busy loop, so this is the first place to
 * look when fan-out is slow. Reset on every scrape, as prom-client does for its lag gauges.
 */
export class EventLoopDelay implements Metric {
	#monitor?: IntervalHistogram;
	constructor(readonly name: string) {}

	start(): void {
		this.#monitor ??= monitorEventLoopDelay({ resolution: RESOLUTION_MS });
		this.#monitor.enable();
	}

	stop(): void {
		this.#monitor?.disable();
	}

	render(): string {
		const h = this.#monitor;
		// Node records the time between ticks of a timer set to RESOLUTION_MS, so lateness is
		// what exceeds that interval.
		const seconds = (ns: number | undefined) => (h && h.count > 0 && ns !== undefined ? Math.round(Math.max(0, ns / 1e3 - RESOLUTION_MS * 1e3)) / 1e6 : 0);
		const lines = [`# HELP ${this.name} Event loop delay since the previous scrape, by quantile`, `# TYPE ${this.name} gauge`];
		for (const [q, v] of [['0.5', h?.percentile(50)], ['0.99', h?.percentile(99)], ['1', h?.max]] as const) {
			lines.push(`${this.name}{quantile="${q}"} ${seconds(v)}`);
		}
		h?.reset();
		return lines.join('\n');
	}
}

function renderHistogram(name: string, help: string, bounds: number[], cumulative: number[], count: number, sum: number): string {
	const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
	bounds.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${cumulative[i]}`));
	lines.push(`${name}_bucket{le="+Inf"} ${count}`, `${name}_sum ${sum}`, `${name}_count ${count}`);
	return lines.join('\n');
}

export class Registry {
	readonly #metrics: Metric[] = [];

	add<M extends Metric>(metric: M): M {
		this.#metrics.push(metric);
		return metric;
	}

	render(): string {
		return `${this.#metrics.map((m) => m.render()).join('\n')}\n`;
	}
}
