// `npm run bench:durability`: how long from a keystroke to its change being durable on the
// device (in IndexedDB, flushed), next to how long until another device shows it, in
// Chromium. Hearth is measured through the real app: Playwright types into a space's Notes at
// a steady rate while another browser context (another device) has the space open; the app's
// own User Timing entries ('hearth:durable', one per write, with the moment the write took the
// document) say when each keystroke reached the disk. The stock automerge-repo client is
// measured the same way in the same browser (a page of its own, bundled here with esbuild:
// the stock IndexedDB adapter with its 100 ms save throttle, the stock WebSocket adapter and
// sync server). Prints p50/p99 and the Hearth/stock ratio; the target is a p99 under 50 ms
// from keystroke to disk. A benchmark, not a test: slow figures never fail it.
//
// Shorter runs: DURABLE_CHARS (default 300), DURABLE_RATE (keys a second, default 10);
// BENCH_QUICK=1 types 60.
import { chromium, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumArgs, chromiumPath } from '../tests/e2e/chromiumPath';
import { startChildServer, type ChildServer } from './childServer';
import { formatTable, percentile, writeJson, type Metric } from './report';

const quick = process.env.BENCH_QUICK === '1';
const envInt = (name: string, fallback: number) => {
	const n = Number(process.env[name]);
	return Number.isInteger(n) && n > 0 ? n : fallback;
};
const config = { chars: envInt('DURABLE_CHARS', quick ? 60 : 300), rate: envInt('DURABLE_RATE', 10) };
const root = resolve(import.meta.dirname, '..');
const TARGET_P99_MS = 50;

function progress(line: string): void {
	process.stderr.write(`${line}\n`);
}

type Samples = { durable: number[]; visible: number[]; lost: number };

/**
 * A fresh browser context (a device of its own). tsx compiles this file keeping function
 * names, which wraps functions in a `__name` helper that pages do not have: give it to them,
 * so the functions handed to `evaluate` run there unchanged.
 */
async function device(browser: import('@playwright/test').Browser): Promise<Page> {
	const context = await browser.newContext();
	await context.addInitScript('window.__name = (f) => f');
	return context.newPage();
}

/** Hearth: type into a space's Notes on one device while another watches. */
async function measureHearth(base: string, browser: import('@playwright/test').Browser): Promise<Samples> {
	const ada = await device(browser);
	const bea = await device(browser);
	await ada.goto(base + '/');
	await ada.getByLabel('Name of the space').fill('Bench space');
	await ada.getByRole('button', { name: 'Start space' }).click();
	await ada.waitForURL(/\/space\//);
	await ada.getByRole('button', { name: 'Show the link to share' }).click();
	const link = await ada.getByLabel('Link to this space').inputValue();
	await bea.goto(link);
	await bea.getByLabel('Notes').waitFor();
	await ada.waitForFunction(() => {
		const s = document.querySelector<HTMLElement>('[data-testid="sync-status"]');
		return s?.dataset.connection === 'online' && s.dataset.pending === '0' && s.dataset.unsaved === '0';
	});
	await ada.evaluate(() => {
		const w = window as unknown as { inputs: number[] };
		w.inputs = [];
		document.addEventListener('input', () => w.inputs.push(performance.now()), true);
	});
	await watchLength(bea, `#${await bea.getByLabel('Notes').getAttribute('id')}`);
	await ada.getByLabel('Notes').click();
	await typeSteadily(ada, config.chars, config.rate);
	await ada.waitForTimeout(1500);
	const { inputs, origin, writes, docId } = await ada.evaluate(() => {
		const entries = performance.getEntriesByName('hearth:durable') as PerformanceMeasure[];
		const writes = entries.map((e) => ({ end: e.startTime + e.duration, ...(e.detail as { docId: string; capturedAt: number }) }));
		// The Notes document is the one written most while typing.
		const counts = new Map<string, number>();
		for (const w of writes) counts.set(w.docId, (counts.get(w.docId) ?? 0) + 1);
		const docId = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
		return { inputs: (window as unknown as { inputs: number[] }).inputs, origin: performance.timeOrigin, writes, docId };
	});
	const mine = writes.filter((w) => w.docId === docId).sort((a, b) => a.capturedAt - b.capturedAt);
	const seen = await seenTimes(bea);
	const samples: Samples = { durable: [], visible: [], lost: 0 };
	inputs.forEach((t, i) => {
		// The first write that took the document after this keystroke holds it.
		const write = mine.find((w) => w.capturedAt >= t);
		if (write) samples.durable.push(write.end - t);
		else samples.lost++;
		const shown = seen[i + 1];
		if (shown !== undefined) samples.visible.push(shown - (origin + t));
	});
	await ada.context().close();
	await bea.context().close();
	return samples;
}

/** Stock automerge-repo, in a page of its own in the same browser. */
async function measureStock(pageUrl: string, wsUrl: string, browser: import('@playwright/test').Browser): Promise<Samples> {
	const writer = await device(browser);
	const reader = await device(browser);
	await writer.goto(pageUrl);
	await reader.goto(pageUrl);
	await writer.waitForSelector('body[data-ready="yes"]', { state: 'attached' });
	await reader.waitForSelector('body[data-ready="yes"]', { state: 'attached' });
	type Api = { stockBench: Record<string, (...args: never[]) => unknown> };
	const docUrl = await writer.evaluate((url) => (window as unknown as Api).stockBench.writer(url as never) as Promise<string>, wsUrl);
	await reader.evaluate(([url, doc]) => (window as unknown as Api).stockBench.reader(url as never, doc as never) as Promise<void>, [wsUrl, docUrl]);
	await writer.evaluate(([chars, rate]) => (window as unknown as Api).stockBench.type(chars as never, rate as never) as Promise<void>, [config.chars, config.rate]);
	const durable = (await writer.evaluate(() => (window as unknown as Api).stockBench.durableTimes())) as Array<number | undefined>;
	const changed = (await writer.evaluate(() => (window as unknown as Api).stockBench.changeTimes())) as number[];
	const seen = (await reader.evaluate(() => (window as unknown as Api).stockBench.visibleTimes())) as number[];
	const samples: Samples = { durable: [], visible: [], lost: 0 };
	changed.forEach((t, i) => {
		const d = durable[i];
		if (d !== undefined) samples.durable.push(d - t);
		else samples.lost++;
		if (seen[i] !== undefined) samples.visible.push(seen[i] - t);
	});
	await writer.context().close();
	await reader.context().close();
	return samples;
}

/** Records, in the page, the first moment (epoch ms) each length of a text box's value was seen. */
async function watchLength(page: Page, selector: string): Promise<void> {
	await page.evaluate((selector) => {
		const w = window as unknown as { seen: number[] };
		w.seen = [];
		const tick = () => {
			const n = document.querySelector<HTMLTextAreaElement>(selector)?.value.length ?? 0;
			while (w.seen.length <= n) w.seen.push(performance.timeOrigin + performance.now());
		};
		tick();
		setInterval(tick, 1);
	}, selector);
}

async function seenTimes(page: Page): Promise<number[]> {
	return page.evaluate(() => (window as unknown as { seen: number[] }).seen);
}

async function typeSteadily(page: Page, chars: number, rate: number): Promise<void> {
	const gap = 1000 / rate;
	const started = performance.now();
	for (let i = 0; i < chars; i++) {
		await page.keyboard.type('x');
		const next = started + (i + 1) * gap;
		const wait = next - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
	}
}

/** A page serving the stock client, bundled from bench/browser/stockClient.ts. */
async function stockPage(): Promise<{ url: string; close(): void }> {
	const out = mkdtempSync(join(tmpdir(), 'bench-stock-page-'));
	await build({
		entryPoints: [join(root, 'bench/browser/stockClient.ts')],
		bundle: true,
		format: 'esm',
		platform: 'browser',
		target: 'es2022',
		outfile: join(out, 'stock.js'),
		logLevel: 'warning'
	});
	const js = readFileSync(join(out, 'stock.js'));
	rmSync(out, { recursive: true, force: true });
	const server = createServer((req, res) => {
		if (req.url === '/stock.js') {
			res.writeHead(200, { 'content-type': 'text/javascript' });
			res.end(js);
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html' });
		res.end('<!doctype html><html><head><meta charset="utf-8"><title>stock client</title></head><body><script type="module" src="/stock.js"></script></body></html>');
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const address = server.address() as { port: number };
	return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

function summary(id: string, label: string, hearth: number[], stock: number[], p: number): Metric {
	return {
		id,
		label,
		hearth: hearth.length ? percentile(hearth, p) : undefined,
		stock: stock.length ? percentile(stock, p) : undefined,
		detail: { hearthSamples: hearth.length, stockSamples: stock.length }
	};
}

async function main(): Promise<number> {
	if (!existsSync(join(root, 'build/index.html'))) {
		progress('No build of the app yet: building it (vite build)...');
		const built = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
		if (built.status !== 0) return 1;
	}
	progress(`Typing ${config.chars} characters at ${config.rate} a second into Hearth and into the stock automerge-repo client, in Chromium...`);
	const servers: ChildServer[] = [];
	const page = await stockPage();
	const browser = await chromium.launch({ ...(chromiumPath ? { executablePath: chromiumPath } : {}), args: chromiumArgs });
	try {
		const [relay, stock] = await Promise.all([
			startChildServer({
				name: 'hearth-relay',
				script: 'sync-server/main.ts',
				env: { HEARTH_STATIC: join(root, 'build') },
				dataDirVar: 'HEARTH_DATA',
				ready: /Hearth is running at http:\/\/[^:]+:(\d+)/
			}),
			startChildServer({ name: 'stock-sync-server', script: 'bench/stockServer.ts', env: {}, dataDirVar: 'STOCK_DATA', ready: /listening at ws:\/\/[^:]+:(\d+)/ })
		]);
		servers.push(relay, stock);
		const load = loadavg()[0];
		const hearth = await measureHearth(`http://127.0.0.1:${relay.port}`, browser);
		progress(`  Hearth: ${hearth.durable.length} keystrokes timed to disk, ${hearth.visible.length} to the other device`);
		const baseline = await measureStock(page.url, `ws://127.0.0.1:${stock.port}`, browser);
		progress(`  stock: ${baseline.durable.length} changes timed to disk, ${baseline.visible.length} to the other device`);
		const metrics: Metric[] = [
			summary('keystroke-durable-p50', 'keystroke → on disk, p50', hearth.durable, baseline.durable, 50),
			summary('keystroke-durable-p99', 'keystroke → on disk, p99', hearth.durable, baseline.durable, 99),
			summary('keystroke-visible-p50', 'keystroke → on the other device, p50', hearth.visible, baseline.visible, 50),
			summary('keystroke-visible-p99', 'keystroke → on the other device, p99', hearth.visible, baseline.visible, 99)
		];
		console.log(`\nDurability in Chromium (${config.chars} keystrokes at ${config.rate}/s; ${cpus().length} cores, load ${load.toFixed(2)} at start)\n`);
		console.log(formatTable(metrics));
		const p99 = metrics[1].hearth;
		console.log(`\nTarget: keystroke → on disk p99 under ${TARGET_P99_MS} ms: ${p99 === undefined ? 'not measured' : p99 < TARGET_P99_MS ? `met (${p99.toFixed(1)} ms)` : `NOT met (${p99.toFixed(1)} ms)`}`);
		if (hearth.lost || baseline.lost) console.log(`Never on disk within the run: Hearth ${hearth.lost}, stock ${baseline.lost}`);
		writeJson(join(root, 'bench/results/durability.json'), { at: new Date().toISOString(), config, load, metrics });
		return 0;
	} finally {
		await browser.close();
		page.close();
		for (const s of servers) await s.stop();
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	}
);
