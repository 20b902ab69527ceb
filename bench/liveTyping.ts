// `npm run bench:typing`: live typing into a long logbook. Two clients share a circle's logbook
// whose past meetings' minutes already hold about 200 pages of text (two pages a meeting, as
// the logbook keeps each meeting's minutes as its own text); one types 2,000 characters at 10
// per second into today's minutes (one change per keystroke, through the logbook model's
// `spliceMinutes`, as the minutes editor does) and we time each keystroke until the other
// client's document shows it. Once through Hearth's relay (SyncEngine with shipped defaults:
// signed, encrypted entries) and once through the stock automerge-repo sync server (plaintext,
// automerge-repo defaults), both servers as child processes on loopback. Prints p50/p99 and
// the Hearth/stock ratio. A benchmark, not a test: slow figures never fail it.
//
// Shorter runs: TYPING_CHARS (default 2000), TYPING_PAGES (default 200), TYPING_RATE (keys per
// second, default 10); BENCH_QUICK=1 means 200 characters into 20 pages. TYPING_ONLY=hearth or
// stock runs one side.
import 'fake-indexeddb/auto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Repo, type DocHandle } from '@automerge/automerge-repo';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import { IndexedDBStore } from '$lib/sync/IndexedDBStore';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import WebSocket from 'ws';
import { SyncEngine } from '$lib/sync/SyncEngine';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { addMeeting, newLogbook, spliceMinutes, type Logbook } from '$lib/model/logbook';
import type { PersonKey } from '$lib/model/ids';
import type { IsoDate } from '$lib/model/calendar';
import { startChildServer, type ChildServer } from './childServer';
import { formatTable, percentile, writeJson, type Metric } from './report';
import { sleep, until, whenDoc, withTimeout } from './waiting';
import { deviceRepo } from '$lib/sync/deviceRepo';

const quick = process.env.BENCH_QUICK === '1';
const envInt = (name: string, fallback: number) => {
	const n = Number(process.env[name]);
	return Number.isInteger(n) && n > 0 ? n : fallback;
};
const config = {
	chars: envInt('TYPING_CHARS', quick ? 200 : 2000),
	pages: envInt('TYPING_PAGES', quick ? 20 : 200),
	rate: envInt('TYPING_RATE', 10),
	/** A printed page of minutes: about 3,000 characters. */
	pageChars: 3000,
	timeoutMs: 10_000
};
const SETUP_TIMEOUT_MS = 60_000;
const WATCHDOG_MS = (2 * config.chars * 1000) / config.rate + 4 * 60_000;
const MEETING = 'today';
/** Pages of minutes per past meeting. */
const PAGES_PER_MEETING = 2;

function progress(line: string): void {
	process.stderr.write(`${line}\n`);
}

/** About `pages` pages of plausible minutes (varied words, so compression is not flattering). */
function pagesOfMinutes(pages: number): string {
	const words = ['budget', 'rota', 'visit', 'agreed', 'consent', 'training', 'April', 'Tuesday', 'care', 'team', 'circle', 'proposal', 'review', 'volunteers', 'hours', 'members', 'objection', 'resolved', 'delegate', 'the', 'and', 'for', 'with', 'we', 'will'];
	let seed = 42;
	const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const out: string[] = [];
	let length = 0;
	let page = 1;
	while (length < pages * config.pageChars) {
		if (length >= page * config.pageChars) {
			out.push(`\n## Page ${++page}\n`);
		}
		const sentence = Array.from({ length: 6 + Math.floor(next() * 10) }, () => words[Math.floor(next() * words.length)]).join(' ');
		const line = `- ${sentence[0].toUpperCase()}${sentence.slice(1)}.\n`;
		out.push(line);
		length += line.length;
	}
	return `## Page 1\n${out.join('')}`;
}

/** The logbook: `text` spread over past meetings, and today's meeting with half a page so far. */
function logbookWith(text: string): Logbook {
	const book = newLogbook(0);
	const perMeeting = PAGES_PER_MEETING * config.pageChars;
	for (let i = 0, at = 0; at < text.length; i++, at += perMeeting) {
		const id = `past${i}`;
		addMeeting(book, id, 'bench' as PersonKey, `Meeting ${i + 1}`, '2025-01-01' as IsoDate, i);
		book.meetings[id].minutes = text.slice(at, at + perMeeting);
	}
	addMeeting(book, MEETING, 'bench' as PersonKey, 'Today', '2026-03-03' as IsoDate, 0);
	book.meetings[MEETING].minutes = text.slice(0, config.pageChars / 2);
	return book;
}

/** Every character of minutes in the logbook. */
function totalMinutes(book: Logbook): number {
	return Object.values(book.meetings ?? {}).reduce((n, m) => n + m.minutes.length, 0);
}

interface Pair {
	writer: DocHandle<Logbook>;
	reader: DocHandle<Logbook>;
	close(): Promise<void>;
}

let dbCounter = 0;
// Each side on its own stack's storage adapter: Hearth's (strict durability) and the stock one.
const storage = (kind: 'hearth' | 'stock') =>
	kind === 'hearth' ? new IndexedDBStore(`bench-typing-${kind}-${process.pid}-${dbCounter++}`) : new IndexedDBStorageAdapter(`bench-typing-${kind}-${process.pid}-${dbCounter++}`);

async function hearthDevice(url: string) {
	const s = storage('hearth');
	const repo = deviceRepo(s);
	// Built as the app builds it: shipped defaults, no batchMs/compactEvery override.
	const engine = await SyncEngine.open({ repo, storage: s, url, socketFactory: (u) => new WebSocket(u) as unknown as SocketLike });
	engine.connect();
	await until(() => engine.status.connection === 'online', SETUP_TIMEOUT_MS, 'the relay connection');
	return { engine, repo };
}

async function hearthPair(url: string, text: string): Promise<Pair> {
	const a = await hearthDevice(url);
	const writer = await a.engine.create<Logbook>(logbookWith(text));
	const docId = writer.documentId as unknown as DocumentId;
	await a.engine.whenSynced(SETUP_TIMEOUT_MS);
	const b = await hearthDevice(url);
	await b.engine.add(parseShareLink(shareFragment(a.engine.access(docId)!)));
	await until(() => b.engine.handle(docId) !== undefined, SETUP_TIMEOUT_MS, 'the logbook on the reader');
	const reader = b.engine.handle<Logbook>(docId)!;
	await whenDoc(reader, (d) => totalMinutes(d) === totalMinutes(writer.doc()), SETUP_TIMEOUT_MS, 'the 200 pages on the reader');
	await b.engine.whenSynced(SETUP_TIMEOUT_MS);
	await a.engine.whenSynced(SETUP_TIMEOUT_MS);
	await sleep(500);
	return {
		writer,
		reader,
		close: async () => {
			for (const d of [a, b]) {
				await d.engine.close();
				await d.repo.shutdown();
			}
		}
	};
}

async function stockPair(url: string, text: string): Promise<Pair> {
	const a = new Repo({ storage: storage('stock'), network: [new WebSocketClientAdapter(url)] });
	await until(() => a.peers.length > 0, SETUP_TIMEOUT_MS, 'the stock server handshake');
	const server = a.getStorageIdOfPeer(a.peers[0]);
	const writer = a.create<Logbook>(logbookWith(text));
	await until(
		() => {
			const theirs = server ? writer.getSyncInfo(server)?.lastHeads : undefined;
			const ours = writer.heads();
			return !!theirs && ours.every((h) => theirs.includes(h));
		},
		SETUP_TIMEOUT_MS,
		'the logbook on the stock server'
	);
	const b = new Repo({ storage: storage('stock'), network: [new WebSocketClientAdapter(url)] });
	const reader = await withTimeout(b.find<Logbook>(writer.url), SETUP_TIMEOUT_MS, 'the logbook on the reader');
	await whenDoc(reader, (d) => totalMinutes(d) === totalMinutes(writer.doc()), SETUP_TIMEOUT_MS, 'the 200 pages on the reader');
	await sleep(500);
	return {
		writer,
		reader,
		close: async () => {
			await a.shutdown();
			await b.shutdown();
		}
	};
}

/**
 * Types `chars` keystrokes at `rate` per second in the middle of today's minutes, each its own
 * change, and returns each keystroke's time until the reader's document held it.
 */
async function type(pair: Pair): Promise<number[]> {
	const start = pair.writer.doc().meetings[MEETING].minutes.length;
	const at = Math.floor(start / 2);
	const sentAt: number[] = [];
	const latencies: number[] = [];
	let seen = 0;
	const onChange = () => {
		const now = performance.now();
		const typed = pair.reader.doc().meetings[MEETING].minutes.length - start;
		for (; seen < typed && seen < sentAt.length; seen++) latencies[seen] = now - sentAt[seen];
	};
	pair.reader.on('change', onChange);
	const sentence = 'Agreed by consent: the Tuesday rota moves to Wednesdays from April. ';
	const interval = 1000 / config.rate;
	const began = performance.now();
	try {
		for (let i = 0; i < config.chars; i++) {
			// Keystrokes on a fixed schedule (not "100 ms after the last one finished"), like a typist.
			const due = began + i * interval;
			const wait = due - performance.now();
			if (wait > 0) await sleep(wait);
			sentAt[i] = performance.now();
			const ch = sentence[i % sentence.length];
			pair.writer.change((b) => {
				spliceMinutes(b, MEETING, at + i, 0, ch);
			});
			if (i % 200 === 199) progress(`    ${i + 1}/${config.chars} typed`);
		}
		await until(() => seen >= config.chars, config.timeoutMs, 'the last keystroke on the reader');
	} finally {
		pair.reader.off('change', onChange);
	}
	const expected = pair.writer.doc().meetings[MEETING].minutes;
	if (pair.reader.doc().meetings[MEETING].minutes !== expected) throw new Error('the reader’s minutes differ from the writer’s');
	return latencies;
}

async function main(): Promise<number> {
	const watchdog = setTimeout(() => {
		progress('bench:typing: ran too long; giving up.');
		process.exit(2);
	}, WATCHDOG_MS);
	watchdog.unref();
	const text = pagesOfMinutes(config.pages);
	progress(`Live typing: ${config.chars} characters at ${config.rate}/s into ${config.pages} pages (${text.length.toLocaleString('en-GB')} characters) of minutes`);
	const loadAtStart = loadavg()[0];
	const servers: ChildServer[] = [];
	const results: Record<'hearth' | 'stock', number[] | string> = { hearth: 'not run', stock: 'not run' };
	try {
		const [relay, stock] = await Promise.all([
			startChildServer({ name: 'hearth-relay', script: 'sync-server/main.ts', env: { HEARTH_STATIC: '' }, dataDirVar: 'HEARTH_DATA', ready: /listening at ws:\/\/[^:]+:(\d+)/ }),
			startChildServer({ name: 'stock-sync-server', script: 'bench/stockServer.ts', env: {}, dataDirVar: 'STOCK_DATA', ready: /listening at ws:\/\/[^:]+:(\d+)/ })
		]);
		servers.push(relay, stock);
		const systems = {
			hearth: () => hearthPair(`ws://127.0.0.1:${relay.port}/sync`, text),
			stock: () => stockPair(`ws://127.0.0.1:${stock.port}`, text)
		};
		// TYPING_ONLY=hearth (or stock) runs one side, e.g. to profile it.
		const only = process.env.TYPING_ONLY;
		for (const key of ['hearth', 'stock'] as const) {
			if (only && only !== key) continue;
			progress(`  ${key}: setting up two clients with the logbook`);
			try {
				const pair = await systems[key]();
				try {
					progress(`  ${key}: typing`);
					results[key] = await type(pair);
				} finally {
					await pair.close();
				}
			} catch (e) {
				results[key] = e instanceof Error ? e.message : String(e);
				progress(`  ${key}: FAILED: ${results[key]}`);
			}
		}
	} finally {
		await Promise.all(servers.map((s) => s.stop()));
	}
	const stat = (r: number[] | string, p: number) => (typeof r === 'string' ? undefined : percentile(r, p));
	const errors = { hearth: typeof results.hearth === 'string' ? results.hearth : undefined, stock: typeof results.stock === 'string' ? results.stock : undefined };
	const metrics: Metric[] = [
		{ id: 'typing_p50_ms', label: 'Keystroke→remote document p50', hearth: stat(results.hearth, 50), stock: stat(results.stock, 50), errors },
		{ id: 'typing_p99_ms', label: 'Keystroke→remote document p99', hearth: stat(results.hearth, 99), stock: stat(results.stock, 99), targetRatio: 0.5, errors },
		{ id: 'typing_max_ms', label: '(context) slowest keystroke', hearth: stat(results.hearth, 100), stock: stat(results.stock, 100) }
	];
	const p99 = metrics[1].hearth;
	const loadAtEnd = loadavg()[0];
	console.log(
		[
			'',
			`Live typing into a logbook: ${config.chars} characters at ${config.rate}/s into ${config.pages} pages of minutes, loopback, Node ${process.version}, ${cpus().length} CPU(s)${quick ? ' [BENCH_QUICK]' : ''}`,
			'  Hearth: relay (SQLite, E2EE, signed entries); clients: SyncEngine with shipped defaults. stock: automerge-repo sync server, automerge-repo defaults.',
			`  1-minute load average: ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end`,
			'',
			formatTable(metrics),
			'',
			`Target: Hearth p99 < 150 ms (${p99 === undefined ? 'not measured' : p99 < 150 ? `met, ${p99.toFixed(1)} ms` : `not met, ${p99.toFixed(1)} ms`}) and ≤ 0.5× stock.`
		].join('\n')
	);
	const path = fileURLToPath(new URL('./results/liveTyping.json', import.meta.url));
	writeJson(path, {
		finishedAt: new Date().toISOString(),
		config,
		textChars: text.length,
		loadAverage1m: { start: loadAtStart, end: loadAtEnd },
		metrics,
		samplesMs: {
			hearth: typeof results.hearth === 'string' ? results.hearth : results.hearth.map((v) => Math.round(v * 100) / 100),
			stock: typeof results.stock === 'string' ? results.stock : results.stock.map((v) => Math.round(v * 100) / 100)
		}
	});
	console.log(`Results written to ${path}`);
	return errors.hearth || errors.stock ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(e) => {
		console.error(e);
		process.exit(1);
	}
);
