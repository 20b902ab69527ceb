// The reconnecting socket against a real WebSocket server on loopback that misbehaves like a
// broken relay: it accepts every connection and drops it at once. Such a relay must be dialled
// ever more slowly, up to the longest wait, and not every few hundred milliseconds for ever;
// only a session its user calls healthy starts the waits small again.
//
// No check here depends on how fast the machine is. A timer never fires before its time, so
// a wait is at least what was chosen; and of two timers set in the same moment, the shorter
// fires first, so "the next dial came before a 100 ms timer set at the drop" is a fact about
// the wait chosen, not about speed.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '$lib/protocol';
import { RelayConnection, type ConnectionState, type SocketLike } from '$lib/sync/RelayConnection';

type Mode = 'drop' | 'welcome';

/** A WebSocket server that drops each connection at once, or greets it as a relay would. */
async function brokenRelay() {
	const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
	await new Promise<void>((resolve) => server.once('listening', () => resolve()));
	const state = { mode: 'drop' as Mode, accepted: 0, open: new Set<WebSocket>() };
	server.on('connection', (ws) => {
		state.accepted++;
		if (state.mode === 'drop') {
			ws.close(1011, 'gone');
			return;
		}
		state.open.add(ws);
		ws.on('close', () => state.open.delete(ws));
		ws.on('message', (data) => {
			const message = JSON.parse(String(data)) as { type: string };
			if (message.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', protocol: PROTOCOL_VERSION, maxCiphertextBytes: 1_000_000 }));
		});
	});
	const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
	return {
		url,
		state,
		/** Drops every open connection, as a relay that just fell over. */
		dropAll: () => {
			for (const ws of state.open) ws.close(1011, 'gone');
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

const backoff = { minMs: 20, maxMs: 320 };
/** The longest wait before dial n+1 after n failed ones: the shortest doubled each time, capped. */
const ceiling = (failed: number) => Math.min(backoff.maxMs, backoff.minMs * 2 ** failed);

function connectTo(url: string, onState: (state: ConnectionState) => void = () => {}) {
	const dials: number[] = [];
	const connection = new RelayConnection(
		url,
		(u) => {
			dials.push(Date.now());
			return new WebSocket(u) as unknown as SocketLike;
		},
		{ onState, onMessage: () => {}, onBadFrame: () => {} },
		backoff
	);
	cleanups.push(() => connection.disconnect());
	return { connection, dials };
}

describe('RelayConnection', () => {
	it('dials a relay that accepts and drops every connection ever more slowly, up to the longest wait', async () => {
		const relay = await brokenRelay();
		cleanups.push(relay.close);
		const { connection, dials } = connectTo(relay.url);
		connection.connect();
		await until(() => dials.length >= 9, 'nine dials');
		// Measured where the connection dials (a dial's own handshake time adds to the wait after it).
		const at = dials;
		for (let failed = 0; failed < 8; failed++) {
			// Each wait is at least half its ceiling (the jitter takes up to half off); a timer may
			// fire up to a millisecond early by the wall clock, hence the slack.
			expect(at[failed + 1] - at[failed], `the wait after ${failed + 1} dropped connections`).toBeGreaterThanOrEqual(ceiling(failed) / 2 - 2);
		}
		// The last few waits were all at least half the longest (ceiling(5) and on are capped):
		// no tight loop, and still trying.
		expect(at[8] - at[7]).toBeGreaterThanOrEqual(backoff.maxMs / 2 - 2);
		expect(connection.state).toBe('connecting');
	});

	it('after a session it is told was healthy, a drop is redialled after the shortest wait again', async () => {
		const relay = await brokenRelay();
		cleanups.push(relay.close);
		let onDrop: (() => void) | undefined;
		let last: ConnectionState = 'offline';
		const { connection, dials } = connectTo(relay.url, (state) => {
			// Called from the socket's close, just before the connection picks its next wait.
			if (last === 'online' && state === 'connecting') onDrop?.();
			last = state;
		});
		let before = 0;
		/** Whether the connection dialled again within 100 ms of the drop that `drop` causes. */
		const dialledSoonAfter = async (drop: () => void): Promise<boolean> => {
			let window: Promise<void> | undefined;
			onDrop = () => {
				// The first drop from here on only: the window is about the wait chosen after it.
				onDrop = undefined;
				before = dials.length;
				window = new Promise((r) => setTimeout(r, 100));
			};
			drop();
			await until(() => window !== undefined, 'the drop');
			await window;
			return dials.length > before;
		};

		connection.connect();
		await until(() => relay.state.accepted >= 6, 'six dropped connections');
		// Greeted, but nobody says the session was healthy: the waits go on growing.
		relay.state.mode = 'welcome';
		await until(() => connection.state === 'online', 'the welcome');
		relay.state.mode = 'drop';
		expect(await dialledSoonAfter(relay.dropAll)).toBe(false);

		// This time the user of the connection says the session was healthy before it drops.
		relay.state.mode = 'welcome';
		await until(() => connection.state === 'online', 'the welcome');
		connection.sessionHealthy();
		relay.state.mode = 'drop';
		expect(await dialledSoonAfter(relay.dropAll)).toBe(true);
		// And from there the waits grow again, from the shortest.
		await until(() => dials.length >= before + 4, 'three more dials');
		const at = dials.slice(before);
		// (at[0] is the redial, after one more drop: the wait after it is the second shortest.)
		for (let failed = 1; failed < 4; failed++) expect(at[failed] - at[failed - 1]).toBeGreaterThanOrEqual(ceiling(failed) / 2 - 2);
	});
});
