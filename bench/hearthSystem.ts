// Hearth under test: each device is a real Repo on (fake-)IndexedDB with a real SyncEngine,
// talking to the relay child process. The engine is built exactly as the app builds it
// (src/lib/state/HearthApp.svelte.ts): no batchMs, compactEvery or backoff override, so it runs
// with its shipped defaults rather than the shorter batch window the tests use, and the figures
// are what the app would see.
import 'fake-indexeddb/auto';
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import { IndexedDBStore } from '$lib/sync/IndexedDBStore';
import WebSocket from 'ws';
import { SyncEngine } from '$lib/sync/SyncEngine';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import type { BenchDoc, BenchSystem, Pair, Population, Reader } from './system';
import { sleep, until, whenDoc, withTimeout } from './waiting';
import { deviceRepo } from '$lib/sync/deviceRepo';

interface Device {
	engine: SyncEngine;
	repo: Repo;
	close(): Promise<void>;
}

const SETUP_TIMEOUT_MS = 30_000;
let dbCounter = 0;

async function openDevice(url: string): Promise<Device> {
	const storage = new IndexedDBStore(`bench-hearth-${process.pid}-${dbCounter++}`);
	const repo = deviceRepo(storage);
	const engine = await SyncEngine.open({
		repo,
		storage,
		url,
		socketFactory: (u) => new WebSocket(u) as unknown as SocketLike
	});
	return {
		engine,
		repo,
		close: async () => {
			await engine.close();
			await repo.shutdown();
		}
	};
}

async function online(device: Device): Promise<void> {
	device.engine.connect();
	await until(() => device.engine.status.connection === 'online', SETUP_TIMEOUT_MS, 'the relay connection');
}

/** The local handle of a document the device was given, once its first content has arrived. */
function handleWhenPresent(engine: SyncEngine, docId: DocumentId, timeoutMs: number): Promise<DocHandle<BenchDoc>> {
	const present = engine.handle<BenchDoc>(docId);
	if (present) return Promise.resolve(present);
	let stop = () => {};
	const arrived = new Promise<DocHandle<BenchDoc>>((resolve) => {
		stop = engine.onDocuments((id) => {
			const handle = id === docId ? engine.handle<BenchDoc>(docId) : undefined;
			if (handle) resolve(handle);
		});
	});
	return withTimeout(arrived, timeoutMs, `document ${docId} to arrive`).finally(stop);
}

function docIdOf(handle: DocHandle<unknown>): DocumentId {
	return handle.documentId as unknown as DocumentId;
}

export function hearthSystem(relayUrl: string): BenchSystem {
	return {
		name: 'Hearth',
		settings: 'Hearth relay (SQLite, E2EE, signed entries); clients: SyncEngine with shipped defaults (no batchMs/compactEvery override, as the app), IndexedDB (fake-indexeddb)',

		async openPair(): Promise<Pair> {
			const a = await openDevice(relayUrl);
			await online(a);
			const writer = await a.engine.create<BenchDoc>({ items: [] });
			const docId = docIdOf(writer);
			await a.engine.whenSynced(SETUP_TIMEOUT_MS);
			const b = await openDevice(relayUrl);
			await b.engine.add(parseShareLink(shareFragment(a.engine.access(docId)!)));
			await online(b);
			const reader = await handleWhenPresent(b.engine, docId, SETUP_TIMEOUT_MS);
			await whenDoc(reader, (d) => Array.isArray(d.items), SETUP_TIMEOUT_MS, 'the shared document on the reader');
			// The reader joins as a writer through the link; let that and its echo settle so
			// the first measured edits do not race it.
			await b.engine.whenSynced(SETUP_TIMEOUT_MS);
			await a.engine.whenSynced(SETUP_TIMEOUT_MS);
			await sleep(200);
			return {
				writer,
				reader,
				close: async () => {
					await a.close();
					await b.close();
				}
			};
		},

		async populate(docs: number, changesPerDoc: number): Promise<Population> {
			const w = await openDevice(relayUrl);
			await online(w);
			const handles: DocHandle<BenchDoc>[] = [];
			for (let i = 0; i < docs; i++) handles.push(await w.engine.create<BenchDoc>({ items: [] }));
			await w.engine.whenSynced(SETUP_TIMEOUT_MS);
			// One change to every document per round, then wait until the relay has them all:
			// edits spread over time, as in real use, so each change becomes its own entry and
			// the reader later has 5,000 entries to verify, decrypt and merge (the worst case).
			for (let round = 0; round < changesPerDoc; round++) {
				for (const h of handles) h.change((d) => d.items.push(`change ${round}`));
				await w.engine.whenSynced(SETUP_TIMEOUT_MS);
			}
			return {
				links: handles.map((h) => shareFragment(w.engine.access(docIdOf(h))!)),
				changesPerDoc,
				close: () => w.close()
			};
		},

		async openReader(): Promise<Reader> {
			const r = await openDevice(relayUrl);
			let docIds: DocumentId[] = [];
			return {
				async start(links: string[]) {
					const accesses = links.map((l) => parseShareLink(l));
					docIds = accesses.map((a) => a.docId);
					// Added while offline, so the first connection asks for all of them in one request.
					await Promise.all(accesses.map((a) => r.engine.add(a)));
					r.engine.connect();
				},
				handleOf: (index: number) => handleWhenPresent(r.engine, docIds[index], 120_000),
				close: () => r.close()
			};
		}
	};
}
