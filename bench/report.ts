// Turning measurements into the printed table and the JSON file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Metric {
	id: string;
	label: string;
	hearth?: number;
	stock?: number;
	/** Hearth/stock must be at most this to meet the target; absent for context-only rows. */
	targetRatio?: number;
	/** Why a value is missing (a timeout or error in that workload). */
	errors?: { hearth?: string; stock?: string };
	/** Raw figures behind the value, kept in the JSON only. */
	detail?: Record<string, unknown>;
}

export function ratioOf(m: Metric): number | undefined {
	return m.hearth !== undefined && m.stock !== undefined && m.stock > 0 ? m.hearth / m.stock : undefined;
}

export function meets(m: Metric): boolean | undefined {
	const ratio = ratioOf(m);
	return m.targetRatio === undefined || ratio === undefined ? undefined : ratio <= m.targetRatio;
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(samples: number[]): number {
	const sorted = [...samples].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function ms(value: number | undefined, error?: string): string {
	if (value === undefined) return error ? 'FAILED' : '-';
	return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export function formatTable(metrics: Metric[]): string {
	const header = ['Metric', 'Hearth', 'stock', 'Hearth/stock', 'Target', 'Meets'];
	const rows = metrics.map((m) => {
		const ratio = ratioOf(m);
		const ok = meets(m);
		return [
			m.label,
			ms(m.hearth, m.errors?.hearth),
			ms(m.stock, m.errors?.stock),
			ratio === undefined ? '-' : `${ratio.toFixed(2)}×`,
			m.targetRatio === undefined ? '-' : `≤${m.targetRatio}×`,
			ok === undefined ? '-' : ok ? 'yes' : 'no'
		];
	});
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
	for (const m of metrics) {
		if (m.errors?.hearth) out.push(`  ${m.label} (Hearth) failed: ${m.errors.hearth}`);
		if (m.errors?.stock) out.push(`  ${m.label} (stock) failed: ${m.errors.stock}`);
	}
	return out.join('\n');
}

export function writeJson(path: string, value: unknown): void {
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}
