// Story-style test helpers: setup('alice', 'bob') gives each person a device with a real
// Repo on (fake-)IndexedDB, a real SyncEngine and a connection to a real relay process.
import 'fake-indexeddb/auto';
import type { Repo } from '@automerge/automerge-repo';
import { IndexedDBStore } from '$lib/sync/IndexedDBStore';
import { FaultyStorage } from './FaultyStorage';
import WebSocket from 'ws';
import { SyncEngine, type SyncEngineOptions } from '$lib/sync/SyncEngine';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { startRelay, type RelayProcess } from './relayProcess';
import { deviceRepo } from '$lib/sync/deviceRepo';

export interface Device {
	name: string;
	engine: SyncEngine;
	repo: Repo;
	/** What the engine writes through: the device's IndexedDB, able to refuse writes or crash. */
	storage: FaultyStorage;
	/** The device's IndexedDB database (another tab of the app opens the same one). */
	dbName: string;
	/** Closes this device's engine and opens it again from its storage (an app restart). */
	restart(): Promise<Device>;
	/**
	 * The app is killed: nothing more reaches its storage, nothing is closed or flushed. The
	 * device then starts again from what was on disk, as it would after a crash or a closed tab.
	 */
	crashAndRestart(): Promise<Device>;
}

let dbCounter = 0;

export async function openDevice(
	name: string,
	relay: RelayProcess,
	dbName = `hearth-test-${name}-${process.pid}-${dbCounter++}`,
	tuning: Partial<Pick<SyncEngineOptions, 'batchMs' | 'compactEvery' | 'socketFactory' | 'tabs'>> = {}
): Promise<Device> {
	const storage = new FaultyStorage(new IndexedDBStore(dbName));
	const repo = deviceRepo(storage);
	const engine = await SyncEngine.open({
		repo,
		storage,
		url: relay.url,
		socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
		batchMs: 10,
		backoff: { minMs: 50, maxMs: 500 },
		...tuning
	});
	const device: Device = {
		name,
		engine,
		repo,
		storage,
		dbName,
		restart: async () => {
			await engine.close();
			await repo.shutdown();
			return openDevice(name, relay, dbName, tuning);
		},
		crashAndRestart: async () => {
			storage.crash();
			// A dead process has no connection either; closing it here writes nothing.
			engine.disconnect();
			return openDevice(name, relay, dbName, tuning);
		}
	};
	return device;
}

export interface Scenario {
	relay: RelayProcess;
	devices: Record<string, Device>;
	teardown(): Promise<void>;
}

export async function setup(...names: string[]): Promise<Scenario & Record<string, Device>> {
	const relay = await startRelay();
	const devices: Record<string, Device> = {};
	for (const name of names) {
		devices[name] = await openDevice(name, relay);
		devices[name].engine.connect();
	}
	const scenario = {
		relay,
		devices,
		teardown: async () => {
			for (const d of Object.values(devices)) await d.engine.close();
			await relay.stop();
		}
	};
	return Object.assign(scenario, devices) as Scenario & Record<string, Device>;
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
	const start = Date.now();
	while (Date.now() - start < timeoutMs) {
		if (await check()) return;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`Timed out waiting for ${what}`);
}
