// The bandwidth budget for a first visit, checked after every `npm run build`.
//
// A first visit downloads the page and then, through the service worker, every file the app
// needs to work offline: all of build/ (code for every page, styles, icons, the Automerge and
// libsodium WebAssembly). Later visits download only files that changed. Sizes are measured as
// they travel: compressed with Brotli (what the relay sends to browsers over HTTPS) and with
// gzip (what every browser accepts, e.g. over plain HTTP on a local network).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Budget {
	/** Everything a first visit transfers, Brotli-compressed, in bytes. */
	firstVisitBrotli: number;
	/** The same, gzip-compressed, in bytes. */
	firstVisitGzip: number;
}

/** The budget written in the README. Raise it only with a reason in the commit message. */
export const BUDGET: Budget = { firstVisitBrotli: 1_500_000, firstVisitGzip: 1_665_000 };

export interface FileSize {
	path: string;
	raw: number;
	gzip: number;
	brotli: number;
}

export interface BudgetReport {
	ok: boolean;
	totals: { raw: number; gzip: number; brotli: number };
	largest: FileSize[];
	failures: string[];
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = join(dir, name);
		return statSync(full).isDirectory() ? filesUnder(full) : [full];
	});
}

/** Every file a first visit transfers, with its size raw and compressed. */
export function measureBuild(dir: string): FileSize[] {
	return filesUnder(dir)
		.filter((f) => !f.endsWith('.br') && !f.endsWith('.gz')) // the relay's precompressed copies
		.map((f) => {
			const bytes = readFileSync(f);
			return {
				path: relative(dir, f),
				raw: bytes.length,
				gzip: gzipSync(bytes, { level: 9 }).length,
				brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
			};
		});
}

export function checkBudget(files: FileSize[], budget: Budget = BUDGET): BudgetReport {
	const totals = files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
	const failures: string[] = [];
	if (totals.brotli > budget.firstVisitBrotli) failures.push(`first visit is ${kb(totals.brotli)} with Brotli; the budget is ${kb(budget.firstVisitBrotli)}`);
	if (totals.gzip > budget.firstVisitGzip) failures.push(`first visit is ${kb(totals.gzip)} with gzip; the budget is ${kb(budget.firstVisitGzip)}`);
	const largest = [...files].sort((a, b) => b.brotli - a.brotli).slice(0, 5);
	return { ok: failures.length === 0, totals, largest, failures };
}

export function kb(bytes: number): string {
	return `${(bytes / 1000).toFixed(1)} kB`;
}

export function formatReport(report: BudgetReport, budget: Budget = BUDGET): string {
	const lines = [
		`First visit (everything the app needs offline): ${kb(report.totals.brotli)} Brotli (budget ${kb(budget.firstVisitBrotli)}), ${kb(report.totals.gzip)} gzip (budget ${kb(budget.firstVisitGzip)}), ${kb(report.totals.raw)} uncompressed`,
		'Largest files (Brotli):',
		...report.largest.map((f) => `  ${kb(f.brotli).padStart(10)}  ${f.path}`)
	];
	if (!report.ok) lines.push('', 'OVER BUDGET:', ...report.failures.map((f) => `  ${f}`));
	return lines.join('\n');
}
