// `npm run bench:relay`: the relay under load, on loopback, bounded in count and time.
// 2,000 WebSocket clients over 500 documents each push one signed entry per second for 60 s,
// against the relay on SQLite, on PostgreSQL with one node, and on PostgreSQL with two nodes
// (clients of each document split across the nodes, so fan-out crosses nodes). Prints
// appends/s sustained, fan-out latency p50/p99, relay RSS and CPU, and errors, per setup.
// A benchmark, not a test: it never fails on timing; it exits non-zero only if a setup could
// not run at all. Shrink it with HEARTH_LOAD_CLIENTS, HEARTH_LOAD_DOCS, HEARTH_LOAD_SECONDS,
// and pick setups with HEARTH_LOAD_SETUPS=sqlite,pg1,pg2.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { cryptoReady, newSigningKeyPair, sign } from '$lib/crypto';
import { policySigningBytes, toBase64Url, type DeviceKey, type DocumentId, type ServerMessage } from '$lib/protocol';
import { startPostgres, type PostgresProcess } from '../tests/helpers/postgresProcess';
import { startChildServer, type ChildServer } from './childServer';
import { percentile, writeJson } from './report';
import type { FromWorker, ToWorker, WorkerClient } from './relayLoadWorker';

const CLIENTS = Number(process.env.HEARTH_LOAD_CLIENTS ?? 2000);
const DOCS = Number(process.env.HEARTH_LOAD_DOCS ?? Math.max(1, Math.round(CLIENTS / 4)));
const SECONDS = Number(process.env.HEARTH_LOAD_SECONDS ?? 60);
const RATE = Number(process.env.HEARTH_LOAD_RATE ?? 1);
// One client process per four cores. The clients share the machine with the relay, and on
// two cores four processes cost 55 % of a core and added their own scheduling delays to
// every figure; one carries 2,000 clients at about 30 %.
const WORKERS = Number(process.env.HEARTH_LOAD_WORKERS ?? Math.max(1, Math.floor(cpus().length / 4)));
const WINDOW_MS = Number(process.env.HEARTH_LOAD_WINDOW_MS ?? 10_000);
const SETUPS = (process.env.HEARTH_LOAD_SETUPS ?? 'sqlite,pg1,pg2').split(',').map((s) => s.trim());
/** Hard bound on the whole run; childServer's exit handler kills the relays. */
const WATCHDOG_MS = (SETUPS.length * (SECONDS + 120) + 60) * 1000;
const TARGETS = { p99FanoutMs: 100, rssMb: 500 };

interface Result {
	setup: string;
	/** Fan-out p99 of the entries sent in each 10 s of the run: tells a warm-up from steady state. */
	fanoutP99ByWindow: number[];
	/** The same for acknowledgements (push sent → ack back): the commit path alone. */
	ackP99ByWindow: number[];
	nodes: number;
	clients: number;
	appendsPerSecond: number;
	fanoutP50: number;
	fanoutP99: number;
	ackP50: number;
	ackP99: number;
	delivered: number;
	expectedDeliveries: number;
	peakRssMb: number[];
	cpuPercent: number[];
	/** Fan-out latency inside the relay (frame in → frames out), from its own histogram: bucket upper bounds. */
	relayFanoutP50: number;
	relayFanoutP99: number;
	/** Worst one-second window of each node's event-loop delay (ms): p99 and max. */
	loopDelayP99Ms: number[];
	loopDelayMaxMs: number[];
	/** CPU the load generator's processes used, in % of one core. */
	generatorCpuPercent: number;
	/** The generator's own event-loop delay over the whole window, worst process (ms): part of every fan-out figure. */
	generatorLoopP99Ms: number;
	generatorLoopMaxMs: number;
	/** The whole machine's busy share of all cores during the window (from /proc/stat). */
	machineBusyPercent: number;
	errors: Record<string, number>;
}

function progress(line: string): void {
	process.stderr.write(`${line}\n`);
}

const relayEnv = { HEARTH_STATIC: '', HEARTH_LOG_LEVEL: 'warn' };
/** e.g. HEARTH_LOAD_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the relay nodes. */
const nodeArgs = process.env.HEARTH_LOAD_RELAY_NODE_ARGS?.split(' ').filter(Boolean);

async function startNodes(setup: string, pg: PostgresProcess | undefined): Promise<ChildServer[]> {
	if (setup === 'sqlite') {
		return [await startChildServer({ name: 'relay-sqlite', script: 'sync-server/main.ts', env: { ...relayEnv, HEARTH_STORE: 'sqlite' }, dataDirVar: 'HEARTH_DATA', ready: /listening at ws:\/\/[^:]+:(\d+)/, nodeArgs })];
	}
	const url = await pg!.createDatabase();
	const count = setup === 'pg2' ? 2 : 1;
	const nodes: ChildServer[] = [];
	for (let i = 0; i < count; i++) {
		nodes.push(
			await startChildServer({
				name: `relay-${setup}-${i + 1}`,
				script: 'sync-server/main.ts',
				env: { ...relayEnv, HEARTH_STORE: 'postgres', HEARTH_PG_URL: url, HEARTH_PG_POOL: process.env.HEARTH_LOAD_PG_POOL ?? '16' },
				dataDirVar: 'HEARTH_DATA',
				ready: /listening at ws:\/\/[^:]+:(\d+)/,
				nodeArgs
			})
		);
	}
	return nodes;
}

/** Creates the documents: each gets a genesis policy naming its clients as writers. */
async function createDocs(urls: string[]): Promise<WorkerClient[]> {
	const clients: WorkerClient[] = [];
	const ws = new WebSocket(urls[0]);
	await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
	let acked = 0;
	const done = new Promise<void>((resolve, reject) => {
		ws.on('message', (data) => {
			const m = JSON.parse(String(data)) as ServerMessage;
			if (m.type === 'auth-ok' && ++acked === DOCS) resolve();
			if (m.type === 'error') reject(new Error(`creating documents: ${m.code} ${m.message}`));
		});
	});
	const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
	for (let d = 0; d < DOCS; d++) {
		const docId = Array.from({ length: 24 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('') as DocumentId;
		const members = Array.from({ length: Math.ceil((CLIENTS - d) / DOCS) }, () => newSigningKeyPair());
		const keys = members.map((kp) => toBase64Url(kp.publicKey) as DeviceKey);
		const unsigned = { kind: 'policy' as const, docId, epoch: 0, writers: keys, admins: [keys[0]], joinKeys: [], signer: keys[0] };
		ws.send(JSON.stringify({ type: 'auth', rid: d + 1, record: { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), members[0].secretKey)) } }));
		members.forEach((kp, i) =>
			clients.push({ url: urls[i % urls.length], docId, publicKey: keys[i], secretKey: toBase64Url(kp.secretKey) })
		);
	}
	await done;
	ws.close();
	return clients;
}

interface RelayStats {
	rss: number;
	cpu: number;
	/** Cumulative counts of the relay's fan-out latency histogram, by upper bound in seconds. */
	fanout: Map<number, number>;
	/** Event-loop delay since the previous scrape (ms): the relay resets it on every scrape. */
	loopP99: number;
	loopMax: number;
}

async function relayStats(port: number): Promise<RelayStats> {
	const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(20_000) })).text();
	const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
	const fanout = new Map<number, number>();
	for (const [, le, n] of text.matchAll(/^hearth_relay_fanout_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
		fanout.set(le === '+Inf' ? Infinity : Number(le), Number(n));
	}
	return {
		rss: value('process_resident_memory_bytes'),
		cpu: value('process_cpu_seconds_total'),
		fanout,
		loopP99: value('hearth_relay_event_loop_delay_seconds\\{quantile="0.99"\\}') * 1000,
		loopMax: value('hearth_relay_event_loop_delay_seconds\\{quantile="1"\\}') * 1000
	};
}

/** The bucket bound (ms) below which p% of the window's observations fell, across nodes. */
function histogramPercentile(before: RelayStats[], after: RelayStats[], p: number): number {
	const bounds = [...after[0].fanout.keys()].sort((a, b) => a - b);
	const counts = bounds.map((b) => after.reduce((n, s, i) => n + (s.fanout.get(b) ?? 0) - (before[i].fanout.get(b) ?? 0), 0));
	const total = counts[counts.length - 1];
	if (!total) return NaN;
	const at = bounds.findIndex((_, i) => counts[i] >= (p / 100) * total);
	return bounds[at] * 1000;
}

/** Busy and total jiffies of all cores, from /proc/stat (Linux). */
function machineCpu(): { busy: number; total: number } {
	try {
		const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
		const total = fields.reduce((a, b) => a + b, 0);
		const idle = fields[3] + (fields[4] ?? 0);
		return { busy: total - idle, total };
	} catch {
		return { busy: NaN, total: NaN };
	}
}

/** p99 of each window's samples (NaN for a window with none). */
function p99ByWindow(windows: number[][]): number[] {
	return Array.from(windows, (w) => (w && w.length ? percentile(w, 99) : NaN));
}

async function runSetup(setup: string, pg: PostgresProcess | undefined): Promise<Result> {
	const nodes = await startNodes(setup, pg);
	const workers: ChildProcess[] = [];
	try {
		const urls = nodes.map((n) => `ws://127.0.0.1:${n.port}/sync`);
		const clients = await createDocs(urls);
		progress(`  ${setup}: ${DOCS} documents created; connecting ${clients.length} clients from ${WORKERS} processes...`);
		const replies: FromWorker[][] = [];
		const slices = Array.from({ length: WORKERS }, (_, w) => clients.filter((_, i) => i % WORKERS === w));
		// A client process that dies without reporting fails the setup instead of hanging the run.
		const next = (w: number) =>
			new Promise<FromWorker>((resolve, reject) => {
				const onExit = (code: number | null) => reject(new Error(`load client process ${w} exited (${code}) without reporting`));
				workers[w].once('exit', onExit);
				workers[w].once('message', (m: FromWorker) => {
					workers[w].off('exit', onExit);
					resolve(m);
				});
			});
		for (let w = 0; w < WORKERS; w++) {
			workers.push(fork(fileURLToPath(new URL('./relayLoadWorker.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' }));
			replies.push([]);
		}
		const ready = await Promise.all(
			workers.map((child, w) => {
				const reply = next(w);
				child.send({ type: 'clients', worker: w, clients: slices[w], seconds: SECONDS, ratePerSecond: RATE } satisfies ToWorker);
				return reply;
			})
		);
		const connected = ready.reduce((n, r) => n + (r.type === 'ready' ? r.connected : 0), 0);
		const failed = ready.reduce((n, r) => n + (r.type === 'ready' ? r.failed : 0), 0);
		const signMs = Math.max(...ready.map((r) => (r.type === 'ready' ? r.signMs : 0)));
		progress(`  ${setup}: ${connected} clients connected (${failed} failed), entries signed in ${(signMs / 1000).toFixed(1)} s; pushing for ${SECONDS} s...`);

		const startAt = performance.timeOrigin + performance.now() + 1000;
		const before = await Promise.all(nodes.map((n) => relayStats(n.port)));
		const cpuBefore = machineCpu();
		const peak = nodes.map(() => 0);
		// Worst one-second window of each node's event-loop delay (each scrape resets it).
		const loopP99 = nodes.map(() => 0);
		const loopMax = nodes.map(() => 0);
		const sampled = (i: number, s: RelayStats) => {
			peak[i] = Math.max(peak[i], s.rss);
			loopP99[i] = Math.max(loopP99[i], s.loopP99 || 0);
			loopMax[i] = Math.max(loopMax[i], s.loopMax || 0);
		};
		const sampler = setInterval(() => {
			nodes.forEach((n, i) =>
				relayStats(n.port).then(
					(s) => sampled(i, s),
					() => {}
				)
			);
		}, 1000);
		const results = workers.map((_, w) => next(w));
		for (const child of workers) child.send({ type: 'go', startAt, seconds: SECONDS, ratePerSecond: RATE } satisfies ToWorker);
		await new Promise((r) => setTimeout(r, 1000 + SECONDS * 1000));
		const after = await Promise.all(nodes.map((n) => relayStats(n.port)));
		const cpuAfter = machineCpu();
		clearInterval(sampler);
		after.forEach((s, i) => sampled(i, s));
		const done = (await Promise.all(results)).filter((r): r is Extract<FromWorker, { type: 'done' }> => r.type === 'done');
		progress(`  ${setup}: ${done.reduce((n, d) => n + d.sent, 0)} pushes sent, ${done.reduce((n, d) => n + d.acked, 0)} acknowledged`);

		const errors: Record<string, number> = {};
		if (failed > 0) errors['connect-failed'] = failed;
		let acked = 0;
		let delivered = 0;
		const fanout: number[] = [];
		const byWindow: number[][] = [];
		const ack: number[] = [];
		const ackByWindow: number[][] = [];
		/** Which window of the run a push sent at `at` falls in. */
		const windowOf = (at: number) => Math.max(0, Math.floor((at - startAt) / WINDOW_MS));
		const sentAt = new Map<number, number>();
		for (const d of done) d.sentIds.forEach((id, i) => sentAt.set(id, d.sentAt[i]));
		let unknown = 0;
		for (const d of done) {
			acked += d.acked;
			for (const [k, v] of Object.entries(d.errors)) errors[k] = (errors[k] ?? 0) + v;
			if (d.closes > 0) errors['disconnected'] = (errors['disconnected'] ?? 0) + d.closes;
			d.receivedIds.forEach((id, i) => {
				const at = sentAt.get(id);
				if (at === undefined) unknown++;
				else {
					fanout.push(d.receivedAt[i] - at);
					(byWindow[windowOf(at)] ??= []).push(d.receivedAt[i] - at);
				}
			});
			d.ackMs.forEach((ms, i) => {
				ack.push(ms);
				(ackByWindow[windowOf(d.ackSentAt[i])] ??= []).push(ms);
			});
		}
		delivered = fanout.length;
		if (unknown > 0) errors['unexpected-entry'] = unknown;
		const perDoc = CLIENTS / DOCS;
		const expectedDeliveries = Math.round(acked * (perDoc - 1));
		if (delivered < expectedDeliveries) errors['fan-out-missing'] = expectedDeliveries - delivered;
		return {
			setup,
			fanoutP99ByWindow: p99ByWindow(byWindow),
			ackP99ByWindow: p99ByWindow(ackByWindow),
			nodes: nodes.length,
			clients: connected,
			appendsPerSecond: acked / SECONDS,
			fanoutP50: fanout.length ? percentile(fanout, 50) : NaN,
			fanoutP99: fanout.length ? percentile(fanout, 99) : NaN,
			ackP50: ack.length ? percentile(ack, 50) : NaN,
			ackP99: ack.length ? percentile(ack, 99) : NaN,
			delivered,
			expectedDeliveries,
			peakRssMb: nodes.map((_, i) => Math.max(peak[i], after[i].rss) / 1024 / 1024),
			cpuPercent: nodes.map((_, i) => ((after[i].cpu - before[i].cpu) / SECONDS) * 100),
			relayFanoutP50: histogramPercentile(before, after, 50),
			relayFanoutP99: histogramPercentile(before, after, 99),
			loopDelayP99Ms: loopP99,
			loopDelayMaxMs: loopMax,
			generatorCpuPercent: done.reduce((n, d) => n + d.cpuMs, 0) / SECONDS / 10,
			generatorLoopP99Ms: Math.max(...done.map((d) => d.loopP99Ms)),
			generatorLoopMaxMs: Math.max(...done.map((d) => d.loopMaxMs)),
			machineBusyPercent: ((cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total)) * 100,
			errors
		};
	} finally {
		for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
		for (const n of nodes) await n.stop();
	}
}

const label: Record<string, string> = { sqlite: 'SQLite, 1 node', pg1: 'PostgreSQL, 1 node', pg2: 'PostgreSQL, 2 nodes' };

function table(results: Result[]): string {
	const header = ['setup', 'clients', 'appends/s', 'fan-out p50', 'fan-out p99', 'in relay p50/p99', 'loop delay p99/max', 'ack p50', 'ack p99', 'RSS MB/node', 'CPU %/node', 'load gen CPU %', 'machine busy', 'errors'];
	const bound = (ms: number) => (Number.isFinite(ms) ? ms >= 1000 ? `≤${ms / 1000} s` : `≤${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms` : ms > 0 ? '>10 s' : 'n/a');
	const rows = results.map((r) => [
		label[r.setup] ?? r.setup,
		String(r.clients),
		r.appendsPerSecond.toFixed(0),
		`${r.fanoutP50.toFixed(1)} ms`,
		`${r.fanoutP99.toFixed(1)} ms${r.fanoutP99 < TARGETS.p99FanoutMs ? ' ✓' : ' ✗'}`,
		`${bound(r.relayFanoutP50)} / ${bound(r.relayFanoutP99)}`,
		`${Math.max(...r.loopDelayP99Ms).toFixed(0)} / ${Math.max(...r.loopDelayMaxMs).toFixed(0)} ms`,
		`${r.ackP50.toFixed(1)} ms`,
		`${r.ackP99.toFixed(1)} ms`,
		`${r.peakRssMb.map((m) => m.toFixed(0)).join(' / ')}${r.peakRssMb.every((m) => m < TARGETS.rssMb) ? ' ✓' : ' ✗'}`,
		r.cpuPercent.map((c) => c.toFixed(0)).join(' / '),
		r.generatorCpuPercent.toFixed(0),
		`${r.machineBusyPercent.toFixed(0)} %`,
		Object.keys(r.errors).length === 0 ? '0 ✓' : Object.entries(r.errors).map(([k, v]) => `${k}: ${v}`).join(', ')
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
	return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
	const watchdog = setTimeout(() => {
		progress('bench:relay: still running past its time bound; giving up.');
		process.exit(2);
	}, WATCHDOG_MS);
	watchdog.unref();
	await cryptoReady();
	progress(`Relay load: ${CLIENTS} clients over ${DOCS} documents, ${RATE} entry/s each, ${SECONDS} s per setup (${SETUPS.join(', ')}).`);
	progress(`Machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other work skews every figure).`);
	const needsPg = SETUPS.some((s) => s.startsWith('pg'));
	const pg = needsPg ? await startPostgres() : undefined;
	const results: Result[] = [];
	let failures = 0;
	try {
		for (const setup of SETUPS) {
			progress(`Running ${label[setup] ?? setup}...`);
			try {
				results.push(await runSetup(setup, pg));
			} catch (error) {
				failures++;
				progress(`  ${setup}: FAILED: ${(error as Error).message}`);
			}
		}
	} finally {
		pg?.remove();
	}
	console.log(`\nRelay under load: ${CLIENTS} WebSocket clients, ${DOCS} documents, ${RATE} signed entry/s per client, ${SECONDS} s, loopback`);
	console.log(`Targets: fan-out p99 < ${TARGETS.p99FanoutMs} ms, no errors, RSS < ${TARGETS.rssMb} MB per node. Fan-out = push sent → entry received by another client of the document.`);
	console.log(`"In relay" = frame in → frames out inside the relay (its own histogram; bucket bounds). Loop delay = how late the relay's event loop ran, worst 1 s window of any node. Load gen CPU is % of one core; machine busy is all cores.\n`);
	console.log(table(results));
	for (const r of results) {
		for (const [what, byWindow] of [['fan-out', r.fanoutP99ByWindow], ['ack', r.ackP99ByWindow]] as const) {
			console.log(`${label[r.setup] ?? r.setup}: ${what} p99 by ${WINDOW_MS / 1000} s of the run: ${byWindow.map((ms) => `${ms.toFixed(0)}`).join(', ')} ms`);
		}
	}
	// The clients stamp an arrival when their own loop gets to it: this much of each figure is theirs.
	console.log(`Load generator's own event-loop delay p99/max over the window: ${results.map((r) => `${label[r.setup] ?? r.setup} ${r.generatorLoopP99Ms.toFixed(0)} / ${r.generatorLoopMaxMs.toFixed(0)} ms`).join('; ')}`);
	writeJson('bench/results/relay-load.json', { at: new Date().toISOString(), clients: CLIENTS, docs: DOCS, seconds: SECONDS, rate: RATE, loadavg: loadavg(), results });
	return failures > 0 ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	}
);
