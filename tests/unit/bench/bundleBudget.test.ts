// The budget check must be able to fail: measured against a real build it passes the real
// budget, and the same measurement fails a budget set just below it (and the script exits 1).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { checkBudget, measureBuild } from '$bench/bundleBudget';

function fakeBuild(): string {
	const dir = mkdtempSync(join(tmpdir(), 'hearth-budget-'));
	mkdirSync(join(dir, '_app', 'immutable'), { recursive: true });
	writeFileSync(join(dir, 'index.html'), '<!doctype html>'.repeat(100));
	// Random bytes do not compress: a predictable, large compressed size.
	writeFileSync(join(dir, '_app', 'immutable', 'big.wasm'), randomBytes(200_000));
	writeFileSync(join(dir, '_app', 'immutable', 'big.wasm.br'), randomBytes(500_000));
	return dir;
}

describe('first-visit bundle budget', () => {
	it('counts every file once, ignoring the precompressed copies', () => {
		const files = measureBuild(fakeBuild());
		expect(files.map((f) => f.path).sort()).toEqual(['_app/immutable/big.wasm', 'index.html']);
		const wasm = files.find((f) => f.path.endsWith('.wasm'))!;
		expect(wasm.brotli).toBeGreaterThan(199_000);
		expect(files.find((f) => f.path === 'index.html')!.gzip).toBeLessThan(200);
	});

	it('passes within the budget and fails when the build is over it', () => {
		const files = measureBuild(fakeBuild());
		expect(checkBudget(files, { firstVisitBrotli: 300_000, firstVisitGzip: 300_000 }).ok).toBe(true);
		const over = checkBudget(files, { firstVisitBrotli: 100_000, firstVisitGzip: 300_000 });
		expect(over.ok).toBe(false);
		expect(over.failures[0]).toMatch(/with Brotli; the budget is 100.0 kB/);
	});

	it('the build step exits with an error when over budget', () => {
		const root = resolve(import.meta.dirname, '../../..');
		const dir = fakeBuild();
		writeFileSync(join(dir, '_app', 'immutable', 'huge.wasm'), randomBytes(2_000_000));
		const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/checkBudget.ts', dir], { cwd: root, encoding: 'utf8' });
		expect(run.status).toBe(1);
		expect(run.stdout).toContain('OVER BUDGET');
		const ok = spawnSync(process.execPath, ['--import', 'tsx', 'bench/checkBudget.ts', fakeBuild()], { cwd: root, encoding: 'utf8' });
		expect(ok.status).toBe(0);
	});
});
