// One load-generator process for bench/relayLoad.ts: it opens its share of the WebSocket
// clients, subscribes each to its document, and on "go" has each client push one signed
// entry per second. It measures, per entry, push→ack and (for the other clients on the same
// document) push→fan-out arrival, using a timestamp carried in the entry's opaque bytes.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { entrySigningBytes, fromBase64Url, toBase64Url, type DeviceKey, type DocumentId, type ServerMessage } from '$lib/protocol';

export interface WorkerClient {
	url: string;
	docId: DocumentId;
	publicKey: string;
	secretKey: string;
}

export type ToWorker = { type: 'clients'; clients: WorkerClient[] } | { type: 'go'; startAt: number; seconds: number; ratePerSecond: number };
export type FromWorker =
	| { type: 'ready'; connected: number; failed: number }
	| {
			type: 'done';
			sent: number;
			acked: number;
			errors: Record<string, number>;
			closes: number;
			ackMs: number[];
			fanoutMs: number[];
			received: number;
	  };

const now = () => performance.timeOrigin + performance.now();
/** Bytes of "ciphertext" per entry: about what a short edit encrypts to. */
const PAYLOAD_BYTES = 200;

interface Client {
	spec: WorkerClient;
	ws: WebSocket;
	author: DeviceKey;
	secret: KeyObject;
	rid: number;
	pending: Map<number, number>;
}

const send = (m: FromWorker) => process.send!(m);

// Node's native Ed25519 signs several times faster than the app's libsodium (WebAssembly), so
// the load generator stays light. Same signatures: Ed25519 is deterministic. A libsodium
// secret key is seed || public key; PKCS#8 wants the seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
function ed25519Key(libsodiumSecret: Uint8Array): KeyObject {
	return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, libsodiumSecret.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

async function connect(spec: WorkerClient, stats: Stats): Promise<Client> {
	const ws = new WebSocket(spec.url, { perMessageDeflate: false });
	const client: Client = { spec, ws, author: spec.publicKey as DeviceKey, secret: ed25519Key(fromBase64Url(spec.secretKey)), rid: 1, pending: new Map() };
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('connect timeout')), 30_000);
		ws.once('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		ws.on('message', (data) => {
			const at = now();
			const m = JSON.parse(String(data)) as ServerMessage;
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
					}
					return;
				}
				case 'entry': {
					if (!stats.measuring) return;
					const sentAt = Buffer.from(m.entry.ct, 'base64url').readDoubleLE(0);
					stats.received++;
					stats.fanoutMs.push(at - sentAt);
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

interface Stats {
	measuring: boolean;
	sent: number;
	acked: number;
	received: number;
	errors: Record<string, number>;
	closes: number;
	ackMs: number[];
	fanoutMs: number[];
}

function push(client: Client, stats: Stats): void {
	if (client.ws.readyState !== WebSocket.OPEN) {
		stats.errors['not-connected'] = (stats.errors['not-connected'] ?? 0) + 1;
		return;
	}
	const payload = Buffer.alloc(PAYLOAD_BYTES);
	crypto.getRandomValues(payload);
	const sentAt = now();
	payload.writeDoubleLE(sentAt, 0);
	const unsigned = {
		docId: client.spec.docId,
		epoch: 0,
		kind: 'change' as const,
		author: client.author,
		nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(24))),
		ct: payload.toString('base64url')
	};
	const entry = { ...unsigned, sig: toBase64Url(sign(null, entrySigningBytes(unsigned), client.secret)) };
	const rid = client.rid++;
	client.pending.set(rid, sentAt);
	stats.sent++;
	client.ws.send(JSON.stringify({ type: 'push', rid, entry }));
}

async function main(): Promise<void> {
	const stats: Stats = { measuring: false, sent: 0, acked: 0, received: 0, errors: {}, closes: 0, ackMs: [], fanoutMs: [] };
	let clients: Client[] = [];
	process.on('message', async (message: ToWorker) => {
		if (message.type === 'clients') {
			let failed = 0;
			// Connect in small waves so the relay's accept queue is not flooded.
			for (let i = 0; i < message.clients.length; i += 50) {
				const wave = await Promise.allSettled(message.clients.slice(i, i + 50).map((c) => connect(c, stats)));
				for (const r of wave) {
					if (r.status === 'fulfilled') clients.push(r.value);
					else failed++;
				}
			}
			send({ type: 'ready', connected: clients.length, failed });
			return;
		}
		const { startAt, seconds, ratePerSecond } = message;
		const interval = 1000 / ratePerSecond;
		const endAt = startAt + seconds * 1000;
		stats.measuring = true;
		for (const client of clients) {
			// Each client sends at its own phase within the second, so load is spread evenly.
			// Slots are counted, not derived from the clock, so a timer firing a little early
			// cannot send twice in one slot.
			const phase = Math.random() * interval;
			let slot = 0;
			const tick = () => {
				const due = startAt + phase + slot * interval;
				if (due >= endAt) return;
				push(client, stats);
				slot++;
				setTimeout(tick, Math.max(0, startAt + phase + slot * interval - now()));
			};
			setTimeout(tick, Math.max(0, startAt - now() + phase));
		}
		// Let the last pushes be acknowledged and fanned out, then report.
		setTimeout(
			() => {
				const unacked = stats.sent - stats.acked;
				if (unacked > 0) stats.errors['unacknowledged'] = (stats.errors['unacknowledged'] ?? 0) + unacked;
				stats.measuring = false;
				const closes = stats.closes;
				send({ type: 'done', sent: stats.sent, acked: stats.acked, errors: stats.errors, closes, ackMs: stats.ackMs, fanoutMs: stats.fanoutMs, received: stats.received });
				for (const c of clients) c.ws.terminate();
				clients = [];
				setTimeout(() => process.exit(0), 200);
			},
			Math.max(0, endAt - now()) + 5_000
		);
	});
}

void main();
