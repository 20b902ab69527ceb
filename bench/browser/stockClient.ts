// The stock automerge-repo client, in the browser, for bench/durability.ts: a Repo with the
// stock IndexedDB storage adapter and WebSocket client adapter (automerge-repo's defaults:
// save throttle 100 ms, sync throttle 100 ms). Bundled by the bench with esbuild and loaded in
// a page of its own. It types into a text by changes at a steady rate (the writer) or watches
// the text grow (the reader), timing each change to the disk and to the other page.
import { Repo, initializeBase64Wasm, type AutomergeUrl, type DocHandle, type StorageAdapterInterface } from '@automerge/automerge-repo/slim';
import { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64';
import { next as A } from '@automerge/automerge/slim';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

type Text = { text: string };
const now = () => performance.timeOrigin + performance.now();

/** Times each storage write as it completes, with the heads it held (from the storage subsystem's event). */
class TimedStorage implements StorageAdapterInterface {
	readonly #inner = new IndexedDBStorageAdapter(`stock-bench-${Math.random().toString(36).slice(2)}`);
	lastSavedHeads: string[] = [];
	readonly done: Array<{ heads: string[]; at: number }> = [];
	load = (key: string[]) => this.#inner.load(key);
	loadRange = (key: string[]) => this.#inner.loadRange(key);
	remove = (key: string[]) => this.#inner.remove(key);
	removeRange = (key: string[]) => this.#inner.removeRange(key);
	async save(key: string[], data: Uint8Array) {
		const heads = this.lastSavedHeads;
		await this.#inner.save(key, data);
		if (key[1] === 'incremental' || key[1] === 'snapshot') this.done.push({ heads, at: now() });
	}
}

let repo: Repo;
let storage: TimedStorage;
let handle: DocHandle<Text>;
const changedAt: number[] = [];
const headsOf: string[] = [];
const seenAt: number[] = [];

async function open(url: string): Promise<void> {
	await initializeBase64Wasm(automergeWasmBase64);
	storage = new TimedStorage();
	repo = new Repo({ storage, network: [new WebSocketClientAdapter(url)] });
	(repo as unknown as { storageSubsystem: { on(e: string, f: (x: { savedHeads: string[] }) => void): void } }).storageSubsystem.on('doc-saved', (e) => {
		storage.lastSavedHeads = e.savedHeads;
	});
	(repo as unknown as { storageSubsystem: { on(e: string, f: (x: { savedHeads: string[] }) => void): void } }).storageSubsystem.on('doc-compacted', (e) => {
		storage.lastSavedHeads = e.savedHeads;
	});
}

const api = {
	async writer(url: string): Promise<string> {
		await open(url);
		handle = repo.create<Text>({ text: '' });
		return handle.url;
	},
	async reader(url: string, docUrl: string): Promise<void> {
		await open(url);
		handle = await repo.find<Text>(docUrl as AutomergeUrl);
		const watch = () => {
			const n = handle.doc()?.text.length ?? 0;
			while (seenAt.length < n) seenAt.push(now());
		};
		handle.on('change', watch);
		watch();
	},
	/** One change per character, `rate` a second, like a person typing. */
	async type(chars: number, rate: number): Promise<void> {
		for (let i = 0; i < chars; i++) {
			const started = now();
			handle.change((d) => A.splice(d, ['text'], d.text.length, 0, 'x'));
			changedAt.push(started);
			headsOf.push(A.getHeads(handle.doc())[0]);
			await new Promise((r) => setTimeout(r, Math.max(0, 1000 / rate - (now() - started))));
		}
		await new Promise((r) => setTimeout(r, 1500));
	},
	/** Epoch ms at which each change was on disk (undefined if it never was). */
	durableTimes(): Array<number | undefined> {
		const indexOf = new Map(headsOf.map((h, i) => [h, i]));
		const out: Array<number | undefined> = new Array(changedAt.length).fill(undefined);
		for (const save of storage.done) {
			const covered = Math.max(-1, ...save.heads.map((h) => indexOf.get(h) ?? -1));
			for (let i = 0; i <= covered; i++) if (out[i] === undefined || out[i]! > save.at) out[i] = save.at;
		}
		return out;
	},
	changeTimes: () => changedAt,
	visibleTimes: () => seenAt
};

(window as unknown as { stockBench: typeof api }).stockBench = api;
document.body.dataset.ready = 'yes';
