// The stock automerge-repo stack under test: each device is a Repo with the stock WebSocket
// client adapter and the same (fake-)IndexedDB storage adapter Hearth's devices use, so the
// two differ only in the sync path. Everything runs with automerge-repo's defaults
// (sync throttle 100 ms, save throttle 100 ms).
import 'fake-indexeddb/auto';
import { Repo, type AutomergeUrl, type DocHandle, type StorageId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import type { BenchDoc, BenchSystem, Pair, Population, Reader } from './system';
import { sleep, until, whenDoc, withTimeout } from './waiting';

const SETUP_TIMEOUT_MS = 30_000;
let dbCounter = 0;

function newStorage(): IndexedDBStorageAdapter {
	return new IndexedDBStorageAdapter(`bench-stock-${process.pid}-${dbCounter++}`);
}

function openRepo(url: string, storage = newStorage()): Repo {
	return new Repo({ storage, network: [new WebSocketClientAdapter(url)] });
}

/** The storage id of the server this repo is connected to, once the handshake is done. */
async function serverStorageId(repo: Repo): Promise<StorageId> {
	let id: StorageId | undefined;
	await until(
		() => {
			const peer = repo.peers[0];
			id = peer ? repo.getStorageIdOfPeer(peer) : undefined;
			return id !== undefined;
		},
		SETUP_TIMEOUT_MS,
		'the stock server handshake'
	);
	return id!;
}

/** Whether the server has told us (through the sync protocol) that it holds all our heads. */
function serverHasAll(handle: DocHandle<unknown>, server: StorageId): boolean {
	const theirs = handle.getSyncInfo(server)?.lastHeads;
	if (!theirs) return false;
	const ours = handle.heads();
	return ours.length === theirs.length && ours.every((h) => theirs.includes(h));
}

export function stockSystem(serverUrl: string): BenchSystem {
	return {
		name: 'stock',
		settings: 'automerge-repo 2.x Repo + NodeWSServerAdapter + NodeFSStorageAdapter (plaintext); clients: automerge-repo defaults, IndexedDB (fake-indexeddb)',

		async openPair(): Promise<Pair> {
			const a = openRepo(serverUrl);
			const server = await serverStorageId(a);
			const writer = a.create<BenchDoc>({ items: [] });
			await until(() => serverHasAll(writer, server), SETUP_TIMEOUT_MS, 'the new document on the stock server');
			const b = openRepo(serverUrl);
			const reader = await withTimeout(b.find<BenchDoc>(writer.url), SETUP_TIMEOUT_MS, 'the shared document on the reader');
			await whenDoc(reader, (d) => Array.isArray(d.items), SETUP_TIMEOUT_MS, 'the shared document on the reader');
			await sleep(200);
			return {
				writer,
				reader,
				close: async () => {
					await a.shutdown();
					await b.shutdown();
				}
			};
		},

		async populate(docs: number, changesPerDoc: number): Promise<Population> {
			const w = openRepo(serverUrl);
			const server = await serverStorageId(w);
			const handles: DocHandle<BenchDoc>[] = [];
			for (let i = 0; i < docs; i++) handles.push(w.create<BenchDoc>({ items: [] }));
			const allOnServer = () => handles.every((h) => serverHasAll(h, server));
			await until(allOnServer, SETUP_TIMEOUT_MS, 'the new documents on the stock server');
			// Same shape as for Hearth: one change per document per round, each round confirmed
			// by the server before the next, so changes arrive spread over time.
			for (let round = 0; round < changesPerDoc; round++) {
				for (const h of handles) h.change((d) => d.items.push(`change ${round}`));
				await until(allOnServer, SETUP_TIMEOUT_MS, 'the changes on the stock server');
			}
			return {
				links: handles.map((h) => h.url),
				changesPerDoc,
				close: () => w.shutdown()
			};
		},

		async openReader(): Promise<Reader> {
			// Storage is opened now; the network connection only when the clock starts, as for Hearth.
			const storage = newStorage();
			let repo: Repo | undefined;
			let finds: Promise<DocHandle<BenchDoc>>[] = [];
			return {
				async start(links: string[]) {
					repo = openRepo(serverUrl, storage);
					finds = links.map((l) => repo!.find<BenchDoc>(l as AutomergeUrl));
				},
				handleOf: (index: number) => withTimeout(finds[index], 120_000, `document ${index} to arrive`),
				close: async () => {
					await repo?.shutdown();
				}
			};
		}
	};
}
