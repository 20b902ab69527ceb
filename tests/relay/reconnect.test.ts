// A relay that takes connections but cannot serve them (it falls over on every catch-up, or
// drops each socket at once) must not be redialled every few hundred milliseconds for ever by
// every device. The engine lets the waits between dials grow until a session was healthy:
// the relay's welcome and a catch-up answered in full. After one, a drop is redialled at once.
//
// No check depends on the machine's speed: of two timers set at the same moment the shorter
// always fires first, so "the engine dialled again before a 100 ms timer set at the drop"
// says which wait it chose (the shortest is at most 50 ms here; after three failed sessions
// every wait is at least 200 ms).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DocumentId } from '$lib/protocol';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { RelayGate } from '$tests/helpers/RelayGate';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

describe('reconnecting to a relay that is not well', () => {
	it('waits longer and longer while sessions end before a catch-up, and redials at once after a healthy one', async () => {
		const relay = await startRelay();
		cleanups.push(() => relay.stop());
		const gate = await RelayGate.start(relay.url);
		cleanups.push(() => gate.close());
		let dials = 0;
		const device: Device = await openDevice('alice', { ...relay, url: gate.url } as RelayProcess, undefined, {
			socketFactory: (url) => {
				dials++;
				return new WebSocket(url) as unknown as SocketLike;
			}
		});
		cleanups.push(() => device.engine.close());
		const engine = device.engine;

		/** Drops the session with `drop`; whether the engine dialled again within 100 ms of it. */
		let onDrop: (() => void) | undefined;
		let drops = 0;
		let last = engine.status.connection;
		engine.onStatus((status) => {
			// Called from the socket's close, just before the connection picks its next wait.
			if (last === 'online' && status.connection === 'connecting') {
				drops++;
				onDrop?.();
			}
			last = status.connection;
		});
		const dialledSoonAfter = async (drop: () => void): Promise<boolean> => {
			let window: Promise<void> | undefined;
			let before = 0;
			onDrop = () => {
				// The first drop from here on only: the window is about the wait chosen after it.
				onDrop = undefined;
				before = dials;
				window = new Promise((r) => setTimeout(r, 100));
			};
			drop();
			await eventually(() => window !== undefined, 10_000, 'the drop');
			await window;
			return dials > before;
		};

		engine.connect();
		const handle = await engine.create({ kind: 'notes', entries: ['Tuesday: tea with Maud'] });
		const docId = handle.documentId as unknown as DocumentId;
		await engine.whenSynced();

		// The relay now greets each connection and falls over before answering the catch-up.
		gate.mode = 'cut-after-welcome';
		gate.cutAll();
		await eventually(() => drops >= 4, 15_000, 'four sessions cut after the welcome');
		expect(engine.status.connection).not.toBe('online');
		expect(await dialledSoonAfter(() => {})).toBe(false);

		// The relay is well again: a session with a full catch-up, then the network drops it.
		gate.mode = 'pass';
		await eventually(() => engine.status.connection === 'online' && engine.isCaughtUp(docId), 15_000, 'a healthy session');
		gate.mode = 'drop';
		expect(await dialledSoonAfter(() => gate.cutAll())).toBe(true);

		// Back to normal: what was written meanwhile still goes out.
		gate.mode = 'pass';
		handle.change((d) => d.entries.push('Thursday: GP at 10'));
		await engine.whenSynced(15_000);
		const stored = await relay.query<{ n: number }>('SELECT COUNT(*) AS n FROM entries WHERE doc_id = ?', [docId]);
		expect(Number(stored[0].n)).toBeGreaterThanOrEqual(2);
	});
});
