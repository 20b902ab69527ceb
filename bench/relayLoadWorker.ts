// One load-generator process for bench/relayLoad.ts: it opens its share of the WebSocket
// clients, subscribes each to its document, signs every entry it will send before the clock
// starts, and on "go" has each client push one entry per second. Each entry's opaque bytes
// start with an id (worker, client, slot); the worker records when it sent each id and when
// each id arrived at its other clients, and the parent joins the two. Timing by id rather
// than by a clock inside the signed bytes lets signing happen up front, so the generator,
// which shares this machine's cores with the relay, spends its time on sockets, not on
// signatures.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { entrySigningBytes, fromBase64Url, toBase64Url, type DeviceKey, type DocumentId, type ServerMessage } from '$lib/protocol';

export interface WorkerClient {
	url: string;
	docId: DocumentId;
	publicKey: string;
	secretKey: string;
}

export type ToWorker =
	| { type: 'clients'; worker: number; clients: WorkerClient[]; seconds: number; ratePerSecond: number }
	| { type: 'go'; startAt: number; seconds: number; ratePerSecond: number };
export type FromWorker =
	| { type: 'ready'; connected: number; failed: number; signMs: number }
	| {
			type: 'done';
			sent: number;
			acked: number;
			errors: Record<string, number>;
			closes: number;
			ackMs: number[];
			/** When each acknowledged push was sent (ms since the epoch), in ackMs order. */
			ackSentAt: Float64Array;
			/** Entry id → when this worker sent it (ms since the epoch); NaN for ids never sent. */
			sentIds: Float64Array;
			sentAt: Float64Array;
			/** Entry id and arrival time of every entry received from another client. */
			receivedIds: Float64Array;
			receivedAt: Float64Array;
			/** CPU this process used during the pushing window (user + system), in ms. */
			cpuMs: number;
			/**
			 * How late this process's event loop ran during the window (ms): a client stamps an
			 * entry's arrival when its loop gets to it, so this lag is in every fan-out figure.
			 */
			loopP99Ms: number;
			loopMaxMs: number;
	  };

const now = () => performance.timeOrigin + performance.now();
/** Bytes of "ciphertext" per entry: about what a short edit encrypts to. */
const PAYLOAD_BYTES = 200;
/** An entry id: worker * 2^40 + client * 2^20 + slot, exact in a double. */
export const entryId = (worker: number, client: number, slot: number) => worker * 2 ** 40 + client * 2 ** 20 + slot;

interface Client {
	index: number;
	spec: WorkerClient;
	ws: WebSocket;
	rid: number;
	pending: Map<number, number>;
	/** Frames signed before the clock starts, one per slot. */
	frames: string[];
}

/** Resolves once the message is handed to the IPC pipe (the report can be megabytes). */
const send = (m: FromWorker) => new Promise<void>((resolve, reject) => process.send!(m, undefined, {}, (error) => (error ? reject(error) : resolve())));

// Node's native Ed25519 signs several times faster than the app's libsodium (WebAssembly).
// Same signatures: Ed25519 is deterministic. A libsodium secret key is seed || public key;
// PKCS#8 wants the seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
function ed25519Key(libsodiumSecret: Uint8Array): KeyObject {
	return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, libsodiumSecret.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

interface Stats {
	measuring: boolean;
	sent: number;
	acked: number;
	errors: Record<string, number>;
	closes: number;
	ackMs: number[];
	ackSentAt: number[];
	sentIds: number[];
	sentAt: number[];
	receivedIds: number[];
	receivedAt: number[];
}

/** The id at the start of an entry frame's ciphertext, read without parsing the frame. */
function idOf(frame: string): number | undefined {
	const at = frame.indexOf('"ct":"');
	if (at < 0) return undefined;
	return Buffer.from(frame.slice(at + 6, at + 6 + 11), 'base64url').readDoubleLE(0);
}

async function connect(index: number, spec: WorkerClient, stats: Stats): Promise<Client> {
	const ws = new WebSocket(spec.url, { perMessageDeflate: false });
	const client: Client = { index, spec, ws, rid: 1, pending: new Map(), frames: [] };
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('connect timeout')), 30_000);
		ws.once('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		ws.on('message', (data) => {
			const at = now();
			const text = String(data);
			// Entries are most of the traffic: read only their id.
			if (text.startsWith('{"type":"entry"')) {
				if (!stats.measuring) return;
				const id = idOf(text);
				if (id !== undefined) {
					stats.receivedIds.push(id);
					stats.receivedAt.push(at);
				}
				return;
			}
			const m = JSON.parse(text) as ServerMessage;
			switch (m.type) {
				case 'welcome':
					clearTimeout(timer);
					ws.send(JSON.stringify({ type: 'sync', rid: 0, docs: [{ docId: spec.docId, since: 0, authSince: 0 }] }));
					return;
				case 'catchup':
					if (m.done && m.rid === 0) resolve();
					return;
				case 'ack': {
					const sentAt = client.pending.get(m.rid);
					client.pending.delete(m.rid);
					if (sentAt !== undefined && stats.measuring) {
						stats.acked++;
						stats.ackMs.push(at - sentAt);
						stats.ackSentAt.push(sentAt);
					}
					return;
				}
				case 'error':
					stats.errors[m.code] = (stats.errors[m.code] ?? 0) + 1;
					return;
			}
		});
	});
	ws.on('close', () => stats.closes++);
	return client;
}

/** Signs the client's entries for every slot of the run, as ready-to-send push frames. */
function presign(worker: number, client: Client, slots: number): void {
	const secret = ed25519Key(fromBase64Url(client.spec.secretKey));
	const author = client.spec.publicKey as DeviceKey;
	for (let slot = 0; slot < slots; slot++) {
		const payload = Buffer.alloc(PAYLOAD_BYTES);
		crypto.getRandomValues(payload);
		payload.writeDoubleLE(entryId(worker, client.index, slot), 0);
		const unsigned = {
			docId: client.spec.docId,
			epoch: 0,
			kind: 'change' as const,
			author,
			nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(24))),
			ct: payload.toString('base64url')
		};
		const entry = { ...unsigned, sig: toBase64Url(sign(null, entrySigningBytes(unsigned), secret)) };
		// The rid is the slot + 1, so the frame is complete before the clock starts.
		client.frames.push(JSON.stringify({ type: 'push', rid: slot + 1, entry }));
	}
}

function push(worker: number, client: Client, slot: number, stats: Stats): void {
	if (client.ws.readyState !== WebSocket.OPEN) {
		stats.errors['not-connected'] = (stats.errors['not-connected'] ?? 0) + 1;
		return;
	}
	const sentAt = now();
	client.pending.set(slot + 1, sentAt);
	stats.sent++;
	stats.sentIds.push(entryId(worker, client.index, slot));
	stats.sentAt.push(sentAt);
	client.ws.send(client.frames[slot]);
}

async function main(): Promise<void> {
	const stats: Stats = { measuring: false, sent: 0, acked: 0, errors: {}, closes: 0, ackMs: [], ackSentAt: [], sentIds: [], sentAt: [], receivedIds: [], receivedAt: [] };
	let clients: Client[] = [];
	let worker = 0;
	process.on('message', async (message: ToWorker) => {
		if (message.type === 'clients') {
			worker = message.worker;
			let failed = 0;
			// Connect in small waves so the relay's accept queue is not flooded.
			for (let i = 0; i < message.clients.length; i += 50) {
				const wave = await Promise.allSettled(message.clients.slice(i, i + 50).map((c, j) => connect(i + j, c, stats)));
				for (const r of wave) {
					if (r.status === 'fulfilled') clients.push(r.value);
					else failed++;
				}
			}
			const signStart = now();
			const slots = Math.ceil(message.seconds * message.ratePerSecond);
			for (const client of clients) presign(worker, client, slots);
			void send({ type: 'ready', connected: clients.length, failed, signMs: now() - signStart });
			return;
		}
		const { startAt, seconds, ratePerSecond } = message;
		const interval = 1000 / ratePerSecond;
		const endAt = startAt + seconds * 1000;
		stats.measuring = true;
		const cpuBefore = process.cpuUsage();
		let cpuWindow: NodeJS.CpuUsage | undefined;
		const loop = monitorEventLoopDelay({ resolution: 10 });
		setTimeout(() => loop.enable(), Math.max(0, startAt - now()));
		setTimeout(() => {
			cpuWindow = process.cpuUsage(cpuBefore);
			loop.disable();
		}, Math.max(0, endAt - now()));
		for (const client of clients) {
			// Each client sends at its own phase within the second, so load is spread evenly.
			// Slots are counted, not derived from the clock, so a timer firing a little early
			// cannot send twice in one slot.
			const phase = Math.random() * interval;
			let slot = 0;
			const tick = () => {
				const due = startAt + phase + slot * interval;
				if (due >= endAt || slot >= client.frames.length) return;
				push(worker, client, slot, stats);
				slot++;
				setTimeout(tick, Math.max(0, startAt + phase + slot * interval - now()));
			};
			setTimeout(tick, Math.max(0, startAt - now() + phase));
		}
		// Let the last pushes be acknowledged and fanned out, then report.
		setTimeout(
			() => {
				const cpu = cpuWindow ?? process.cpuUsage(cpuBefore);
				const unacked = stats.sent - stats.acked;
				if (unacked > 0) stats.errors['unacknowledged'] = (stats.errors['unacknowledged'] ?? 0) + unacked;
				stats.measuring = false;
				const sent = send({
					type: 'done',
					sent: stats.sent,
					acked: stats.acked,
					errors: stats.errors,
					closes: stats.closes,
					ackMs: stats.ackMs,
					ackSentAt: Float64Array.from(stats.ackSentAt),
					sentIds: Float64Array.from(stats.sentIds),
					sentAt: Float64Array.from(stats.sentAt),
					receivedIds: Float64Array.from(stats.receivedIds),
					receivedAt: Float64Array.from(stats.receivedAt),
					cpuMs: (cpu.user + cpu.system) / 1000,
					loopP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : NaN,
					loopMaxMs: loop.count > 0 ? loop.max / 1e6 : NaN
				});
				for (const c of clients) c.ws.terminate();
				clients = [];
				// Exit only once the whole report is on its way: with one client process it holds
				// every id and time of the run, and exiting early cut it off (the parent then saw
				// the process exit without reporting).
				void sent.then(
					() => process.exit(0),
					() => process.exit(1)
				);
			},
			Math.max(0, endAt - now()) + 5_000
		);
	});
}

void main();
