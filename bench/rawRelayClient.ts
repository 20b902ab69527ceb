// A bare WebSocket client for the relay's wire protocol, for benchmarks that need devices
// cheaper than a full SyncEngine: it appends signed ops, fetches documents and logs, and
// reports every frame the relay pushes (for observing when things land on the relay).
// It signs nothing and trusts nothing; callers bring their own signed ops.
import WebSocket from 'ws';
import { opSigningBytes, PROTOCOL_VERSION, toBase64Url, type AuthRecord, type ClientMessage, type DeviceKey, type DocumentId, type LoggedOp, type ServerMessage, type SignedOp, type SpaceId, type WireEntry } from '$lib/protocol';
import { sign } from '$lib/crypto';
import { BenchTimeout } from './waiting';

export interface FetchedDoc {
	docId: DocumentId;
	head: number;
	auth: Array<{ index: number; record: AuthRecord }>;
	entries: WireEntry[];
}

export interface Fetched {
	docs: Map<DocumentId, FetchedDoc>;
	logs: Map<SpaceId, LoggedOp[]>;
	unknown: DocumentId[];
}

type Waiter = { resolve: (value: unknown) => void; reject: (error: Error) => void; fetched?: Fetched };

/** Signs an op for any log (a space or a pairing log) with a raw signing key pair. */
export function signRawOp(logId: SpaceId, body: unknown, signer: { publicKey: Uint8Array; secretKey: Uint8Array }, relay: Pick<SignedOp, 'admits' | 'cap'> = {}): SignedOp {
	const unsigned = { spaceId: logId, author: toBase64Url(signer.publicKey) as DeviceKey, body: JSON.stringify(body), ...relay };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), signer.secretKey)) };
}

export class RawRelayClient {
	readonly #ws: WebSocket;
	readonly #waiters = new Map<number, Waiter>();
	#nextRid = 1;
	/** Every frame the relay sends that is not a reply to one of our requests (fan-out). */
	onPush?: (message: ServerMessage, at: number) => void;

	private constructor(ws: WebSocket) {
		this.#ws = ws;
		ws.on('message', (data) => this.#onFrame(String(data)));
		ws.on('close', () => {
			for (const w of this.#waiters.values()) w.reject(new Error('relay connection closed'));
			this.#waiters.clear();
		});
	}

	static async open(url: string, timeoutMs = 10_000): Promise<RawRelayClient> {
		const ws = new WebSocket(url);
		const client = new RawRelayClient(ws);
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new BenchTimeout(`no welcome from the relay within ${timeoutMs} ms`)), timeoutMs);
			ws.once('error', (e) => {
				clearTimeout(timer);
				reject(e);
			});
			ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION } satisfies ClientMessage)));
			client.#welcomed = () => {
				clearTimeout(timer);
				resolve();
			};
		});
		return client;
	}

	#welcomed?: () => void;

	#onFrame(text: string): void {
		const at = performance.now();
		const message = JSON.parse(text) as ServerMessage;
		if (message.type === 'welcome') {
			this.#welcomed?.();
			this.#welcomed = undefined;
			return;
		}
		const rid = 'rid' in message ? message.rid : undefined;
		const waiter = rid === undefined ? undefined : this.#waiters.get(rid);
		if (!waiter || rid === undefined) {
			if (message.type === 'error') process.stderr.write(`  raw client: relay error ${message.code}: ${message.message}\n`);
			this.onPush?.(message, at);
			return;
		}
		switch (message.type) {
			case 'log-ok':
				this.#waiters.delete(rid);
				waiter.resolve({ index: message.index, at: message.at });
				return;
			case 'catchup': {
				const f = waiter.fetched!;
				for (const part of message.docs) {
					const doc = f.docs.get(part.docId);
					if (doc) {
						doc.auth.push(...part.auth);
						doc.entries.push(...part.entries);
					} else f.docs.set(part.docId, { docId: part.docId, head: part.head, auth: [...part.auth], entries: [...part.entries] });
				}
				for (const log of message.logs) f.logs.set(log.spaceId, [...(f.logs.get(log.spaceId) ?? []), ...log.entries]);
				f.unknown.push(...message.unknown);
				if (message.done) {
					this.#waiters.delete(rid);
					waiter.resolve(f);
				}
				return;
			}
			case 'error':
				this.#waiters.delete(rid);
				waiter.reject(new Error(`relay refused request ${rid}: ${message.code}: ${message.message}`));
				return;
			default:
				this.#waiters.delete(rid);
				waiter.resolve(message);
		}
	}

	#request<T>(message: ClientMessage & { rid: number }, fetched?: Fetched, timeoutMs = 30_000): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiters.delete(message.rid);
				reject(new BenchTimeout(`relay did not answer ${message.type} within ${timeoutMs} ms`));
			}, timeoutMs);
			this.#waiters.set(message.rid, {
				resolve: (v) => {
					clearTimeout(timer);
					resolve(v as T);
				},
				reject: (e) => {
					clearTimeout(timer);
					reject(e);
				},
				fetched
			});
			this.#ws.send(JSON.stringify(message));
		});
	}

	/** Appends a signed op to a log; resolves with where the relay put it. */
	append(op: SignedOp): Promise<{ index: number; at: number }> {
		return this.#request({ type: 'log-append', rid: this.#nextRid++, op });
	}

	/**
	 * Fetches documents and logs (and, as the relay does for every sync, subscribes this socket
	 * to them: later changes arrive through onPush).
	 */
	fetch(docs: Array<{ docId: DocumentId; since?: number; authSince?: number }>, logs: Array<{ spaceId: SpaceId; since?: number }> = []): Promise<Fetched> {
		const fetched: Fetched = { docs: new Map(), logs: new Map(), unknown: [] };
		return this.#request(
			{
				type: 'sync',
				rid: this.#nextRid++,
				docs: docs.map((d) => ({ docId: d.docId, since: d.since ?? 0, authSince: d.authSince ?? 0 })),
				...(logs.length > 0 ? { logs: logs.map((l) => ({ spaceId: l.spaceId, since: l.since ?? 0 })) } : {})
			},
			fetched
		);
	}

	async close(): Promise<void> {
		if (this.#ws.readyState === WebSocket.CLOSED) return;
		const closed = new Promise((r) => this.#ws.once('close', r));
		this.#ws.close(1000, 'bye');
		await closed;
	}
}
