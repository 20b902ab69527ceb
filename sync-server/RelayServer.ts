// The blind relay. It keeps, per document, a signed auth log (who may write in which epoch)
// and an append-only log of encrypted entries; it verifies every signature before storing,
// assigns sequence numbers, fans out to subscribers and serves catch-up for many documents
// in one round trip. Per space it keeps a log of signed membership ops, which it verifies,
// orders and timestamps but never interprets (clients run the membership reducer). It never
// sees a key or a byte of plaintext.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { appendFileSync } from 'node:fs';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
	MAX_CIPHERTEXT_BYTES,
	MAX_EPHEMERAL_BYTES,
	MAX_FRAME_BYTES,
	MAX_OP_BODY_BYTES,
	PROTOCOL_VERSION,
	applyAuthRecord,
	entrySigningBytes,
	ephemeralSigningBytes,
	fromBase64Url,
	isClientMessage,
	mayWrite,
	opSigningBytes,
	type AuthRecord,
	type CatchupDoc,
	type CatchupLog,
	type ClientMessage,
	type DocAuthState,
	type DocumentId,
	type ErrorCode,
	type ServerMessage,
	type SignedOp,
	type SpaceId,
	type SyncRequestDoc,
	type SyncRequestLog,
	type WireEntry
} from '../src/lib/protocol';
import { Ed25519Verifier } from './Ed25519Verifier';
import type { RelayStore } from './RelayStore';
import { serveStatic } from './serveStatic';

export interface RelayOptions {
	store: RelayStore;
	port: number;
	host?: string;
	/** Folder with the built app to serve on the same port, if any. */
	staticDir?: string;
	/** Test aid: append every received frame to this file so a test can scan it for plaintext. */
	frameLog?: string;
	log?: (line: string) => void;
}

/** Frames sent in one catch-up reply are cut at about this size. */
const CATCHUP_CHUNK_BYTES = 1024 * 1024;
/** A client that falls this far behind reading is disconnected rather than buffered forever. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

class RelayError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string
	) {
		super(message);
	}
}

export class RelayServer {
	readonly #options: RelayOptions;
	readonly #store: RelayStore;
	readonly #verifier = new Ed25519Verifier();
	readonly #auth = new Map<DocumentId, DocAuthState | undefined>();
	readonly #subscribers = new Map<DocumentId, Set<WebSocket>>();
	readonly #subscriptions = new WeakMap<WebSocket, Set<DocumentId>>();
	// Space logs get their own maps: a space id and a document id share a format, so one map
	// keyed by both could cross-deliver if the same random id were ever used for each.
	readonly #spaceSubscribers = new Map<SpaceId, Set<WebSocket>>();
	readonly #spaceSubscriptions = new WeakMap<WebSocket, Set<SpaceId>>();
	#http?: Server;
	#wss?: WebSocketServer;
	#heartbeat?: ReturnType<typeof setInterval>;
	readonly stats = { framesIn: 0, entriesStored: 0, opsStored: 0, rejected: 0 };

	constructor(options: RelayOptions) {
		this.#options = options;
		this.#store = options.store;
	}

	/** Starts listening; resolves with the bound port (useful with port 0). */
	async listen(): Promise<number> {
		const http = createServer((req, res) => this.#onHttp(req, res));
		const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
		http.on('upgrade', (req, socket, head) => {
			if (new URL(req.url ?? '/', 'http://x').pathname !== '/sync') {
				socket.destroy();
				return;
			}
			wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws));
		});
		this.#http = http;
		this.#wss = wss;
		this.#heartbeat = setInterval(() => this.#ping(), 30_000);
		this.#heartbeat.unref();
		await new Promise<void>((resolve, reject) => {
			http.once('error', reject);
			http.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => resolve());
		});
		const address = http.address();
		return typeof address === 'object' && address ? address.port : this.#options.port;
	}

	async close(): Promise<void> {
		clearInterval(this.#heartbeat);
		for (const ws of this.#wss?.clients ?? []) ws.terminate();
		await new Promise<void>((resolve) => this.#wss?.close(() => resolve()) ?? resolve());
		await new Promise<void>((resolve) => this.#http?.close(() => resolve()) ?? resolve());
		this.#store.close();
	}

	#onHttp(req: IncomingMessage, res: ServerResponse): void {
		const path = new URL(req.url ?? '/', 'http://x').pathname;
		if (path === '/healthz') {
			res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
			return;
		}
		if (this.#options.staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
			serveStatic(this.#options.staticDir, path, req, res);
			return;
		}
		res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
	}

	#onConnection(ws: WebSocket): void {
		const alive = { value: true };
		(ws as WebSocket & { alive?: typeof alive }).alive = alive;
		ws.on('pong', () => (alive.value = true));
		this.#subscriptions.set(ws, new Set());
		this.#spaceSubscriptions.set(ws, new Set());
		this.#send(ws, { type: 'welcome', protocol: PROTOCOL_VERSION, maxCiphertextBytes: MAX_CIPHERTEXT_BYTES });
		ws.on('message', (data, isBinary) => this.#onFrame(ws, data, isBinary));
		ws.on('close', () => this.#dropSocket(ws));
		ws.on('error', () => this.#dropSocket(ws));
	}

	#ping(): void {
		for (const ws of this.#wss?.clients ?? []) {
			const alive = (ws as WebSocket & { alive?: { value: boolean } }).alive;
			if (alive && !alive.value) {
				ws.terminate();
				continue;
			}
			if (alive) alive.value = false;
			ws.ping();
		}
	}

	#onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
		this.stats.framesIn++;
		const text = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
		if (this.#options.frameLog) appendFileSync(this.#options.frameLog, Buffer.concat([text, Buffer.from('\n')]));
		let message: unknown;
		try {
			if (isBinary) throw new Error('binary');
			message = JSON.parse(text.toString('utf8'));
		} catch {
			this.#reject(ws, undefined, new RelayError('malformed', 'Frames must be JSON text'));
			return;
		}
		const rid = typeof (message as { rid?: unknown })?.rid === 'number' ? (message as { rid: number }).rid : undefined;
		if (!isClientMessage(message)) {
			this.#reject(ws, rid, new RelayError('malformed', 'That message is not one the relay understands'));
			return;
		}
		try {
			this.#handle(ws, message);
		} catch (error) {
			if (error instanceof RelayError) this.#reject(ws, rid, error);
			else {
				// Storage failures (a full disk, a locked file) lose nothing already stored; the
				// client keeps its unsent changes and retries.
				this.#options.log?.(`relay: storage error ${(error as Error).message}`);
				this.#reject(ws, rid, new RelayError('storage-failed', 'The relay could not store that right now; it will be retried'));
			}
		}
	}

	#handle(ws: WebSocket, message: ClientMessage): void {
		switch (message.type) {
			case 'hello':
				if (message.protocol !== PROTOCOL_VERSION) {
					throw new RelayError('unsupported-version', `This relay speaks protocol ${PROTOCOL_VERSION}; please update the app`);
				}
				return;
			case 'auth':
				return this.#onAuth(ws, message.rid, message.record);
			case 'push':
				return this.#onPush(ws, message.rid, message.entry);
			case 'sync':
				return this.#onSync(ws, message.rid, message.docs, message.logs ?? []);
			case 'unsubscribe':
				for (const docId of message.docIds) this.#unsubscribe(ws, docId);
				return;
			case 'ephemeral':
				return this.#onEphemeral(ws, message);
			case 'log-append':
				return this.#onLogAppend(ws, message.rid, message.op);
		}
	}

	#authState(docId: DocumentId): DocAuthState | undefined {
		if (this.#auth.has(docId)) return this.#auth.get(docId);
		let state: DocAuthState | undefined;
		for (const { record } of this.#store.authSince(docId, 0)) {
			const result = applyAuthRecord(state, record, this.#verifier.verify);
			if (result.ok) state = result.state;
		}
		this.#auth.set(docId, state);
		return state;
	}

	#onAuth(ws: WebSocket, rid: number, record: AuthRecord): void {
		const docId = record.docId;
		const state = this.#authState(docId);
		const result = applyAuthRecord(state, record, this.#verifier.verify);
		if (!result.ok) throw new RelayError(result.code, result.message);
		const index = state?.count ?? 0;
		if (state) this.#store.appendAuth(docId, index, record);
		else this.#store.createDoc(docId, record);
		this.#auth.set(docId, result.state);
		this.#send(ws, { type: 'auth-ok', rid, docId, index });
		this.#fanOut(docId, ws, { type: 'auth', docId, index, record });
	}

	#onPush(ws: WebSocket, rid: number, entry: WireEntry): void {
		const state = this.#authState(entry.docId);
		const doc = this.#store.getDoc(entry.docId);
		if (!state || !doc) throw new RelayError('unknown-document', 'That document is not on this relay yet');
		if (entry.epoch !== state.epoch) throw new RelayError('epoch-closed', `Epoch ${entry.epoch} is closed; write to epoch ${state.epoch}`);
		if (!mayWrite(state, entry.epoch, entry.author)) throw new RelayError('not-a-writer', 'This device may not write to that document');
		if ((entry.ct.length * 3) / 4 > MAX_CIPHERTEXT_BYTES) throw new RelayError('too-large', 'That change is too large to store');
		const { sig, seq: _seq, ...unsigned } = entry;
		if (!this.#verifier.verify(fromBase64Url(sig), entrySigningBytes(unsigned), fromBase64Url(entry.author))) {
			throw new RelayError('bad-signature', 'The entry signature does not verify');
		}
		if (entry.kind === 'snapshot' && (entry.covers! > doc.head || entry.covers! <= doc.snapshotCovers)) {
			throw new RelayError('stale-snapshot', 'A newer snapshot already covers that point');
		}
		const seq = doc.head + 1;
		this.#store.append(entry, seq);
		this.stats.entriesStored++;
		this.#send(ws, { type: 'ack', rid, docId: entry.docId, seq });
		this.#fanOut(entry.docId, ws, { type: 'entry', entry: { ...entry, seq } });
	}

	#onLogAppend(ws: WebSocket, rid: number, op: SignedOp): void {
		if (Buffer.byteLength(op.body, 'utf8') > MAX_OP_BODY_BYTES) {
			throw new RelayError('too-large', `A space-log op body may be at most ${MAX_OP_BODY_BYTES} bytes`);
		}
		const { sig, ...unsigned } = op;
		if (!this.#verifier.verify(fromBase64Url(sig), opSigningBytes(unsigned), fromBase64Url(op.author))) {
			throw new RelayError('bad-signature', 'The op signature does not verify');
		}
		// A client that lost the connection before our reply resends the same op: answer with
		// where it already is, rather than logging it twice or telling anyone again.
		const existing = this.#store.findOp(op.spaceId, sig);
		if (existing) {
			this.#send(ws, { type: 'log-ok', rid, spaceId: op.spaceId, index: existing.index, at: existing.at });
			return;
		}
		// Only fields the signature covers are stored, so nothing extra a client sent rides along.
		const stored: SignedOp = { spaceId: op.spaceId, author: op.author, body: op.body, sig };
		const at = Date.now();
		const index = this.#store.appendOp(op.spaceId, stored, at);
		this.stats.opsStored++;
		this.#send(ws, { type: 'log-ok', rid, spaceId: op.spaceId, index, at });
		this.#fanOutSpace(op.spaceId, ws, { type: 'log', spaceId: op.spaceId, entry: { index, op: stored, at } });
	}

	#onSync(ws: WebSocket, rid: number, docs: SyncRequestDoc[], logs: SyncRequestLog[]): void {
		let chunk: CatchupDoc[] = [];
		let unknown: DocumentId[] = [];
		let logChunk: CatchupLog[] = [];
		let size = 0;
		const flush = (done: boolean) => {
			this.#send(ws, { type: 'catchup', rid, docs: chunk, unknown, logs: logChunk, done });
			chunk = [];
			unknown = [];
			logChunk = [];
			size = 0;
		};
		for (const request of docs) {
			this.#subscribe(ws, request.docId);
			const doc = this.#store.getDoc(request.docId);
			if (!doc) {
				unknown.push(request.docId);
				continue;
			}
			const auth = this.#store.authSince(request.docId, request.authSince);
			const entries = request.since >= doc.head ? [] : this.#store.entriesSince(request.docId, request.since, doc);
			// Large documents are split across frames so no single frame nears the size limit.
			let part: CatchupDoc = { docId: request.docId, head: doc.head, auth, entries: [] };
			chunk.push(part);
			for (const entry of entries) {
				const entrySize = entry.ct.length + 256;
				if (size + entrySize > CATCHUP_CHUNK_BYTES && part.entries.length > 0) {
					flush(false);
					part = { docId: request.docId, head: doc.head, auth: [], entries: [] };
					chunk.push(part);
				}
				part.entries.push(entry);
				size += entrySize;
			}
		}
		// Logs share the frames and the size budget with documents. A space nobody has written
		// to yet simply has no ops: it comes into being with its first append.
		for (const request of logs) {
			this.#subscribeSpace(ws, request.spaceId);
			let part: CatchupLog = { spaceId: request.spaceId, entries: [] };
			logChunk.push(part);
			for (const entry of this.#store.opsSince(request.spaceId, request.since)) {
				const entrySize = entry.op.body.length + 256;
				if (size + entrySize > CATCHUP_CHUNK_BYTES && part.entries.length > 0) {
					flush(false);
					part = { spaceId: request.spaceId, entries: [] };
					logChunk.push(part);
				}
				part.entries.push(entry);
				size += entrySize;
			}
		}
		flush(true);
	}

	#onEphemeral(ws: WebSocket, message: Extract<ClientMessage, { type: 'ephemeral' }>): void {
		const state = this.#authState(message.docId);
		if (!state || message.epoch !== state.epoch || !mayWrite(state, message.epoch, message.author)) {
			throw new RelayError('not-a-writer', 'This device may not send presence for that document');
		}
		if ((message.ct.length * 3) / 4 > MAX_EPHEMERAL_BYTES) throw new RelayError('too-large', 'That presence message is too large');
		if (!this.#verifier.verify(fromBase64Url(message.sig), ephemeralSigningBytes(message), fromBase64Url(message.author))) {
			throw new RelayError('bad-signature', 'The presence signature does not verify');
		}
		this.#fanOut(message.docId, ws, message);
	}

	#subscribe(ws: WebSocket, docId: DocumentId): void {
		let set = this.#subscribers.get(docId);
		if (!set) this.#subscribers.set(docId, (set = new Set()));
		set.add(ws);
		this.#subscriptions.get(ws)?.add(docId);
	}

	#unsubscribe(ws: WebSocket, docId: DocumentId): void {
		const set = this.#subscribers.get(docId);
		set?.delete(ws);
		if (set?.size === 0) this.#subscribers.delete(docId);
		this.#subscriptions.get(ws)?.delete(docId);
	}

	#subscribeSpace(ws: WebSocket, spaceId: SpaceId): void {
		let set = this.#spaceSubscribers.get(spaceId);
		if (!set) this.#spaceSubscribers.set(spaceId, (set = new Set()));
		set.add(ws);
		this.#spaceSubscriptions.get(ws)?.add(spaceId);
	}

	#dropSocket(ws: WebSocket): void {
		for (const docId of this.#subscriptions.get(ws) ?? []) {
			const set = this.#subscribers.get(docId);
			set?.delete(ws);
			if (set?.size === 0) this.#subscribers.delete(docId);
		}
		this.#subscriptions.delete(ws);
		for (const spaceId of this.#spaceSubscriptions.get(ws) ?? []) {
			const set = this.#spaceSubscribers.get(spaceId);
			set?.delete(ws);
			if (set?.size === 0) this.#spaceSubscribers.delete(spaceId);
		}
		this.#spaceSubscriptions.delete(ws);
	}

	#fanOut(docId: DocumentId, from: WebSocket, message: ServerMessage): void {
		const set = this.#subscribers.get(docId);
		if (!set) return;
		const frame = JSON.stringify(message);
		for (const ws of set) if (ws !== from) this.#sendRaw(ws, frame);
	}

	#fanOutSpace(spaceId: SpaceId, from: WebSocket, message: ServerMessage): void {
		const set = this.#spaceSubscribers.get(spaceId);
		if (!set) return;
		const frame = JSON.stringify(message);
		for (const ws of set) if (ws !== from) this.#sendRaw(ws, frame);
	}

	#reject(ws: WebSocket, rid: number | undefined, error: RelayError): void {
		this.stats.rejected++;
		this.#send(ws, { type: 'error', ...(rid === undefined ? {} : { rid }), code: error.code, message: error.message });
	}

	#send(ws: WebSocket, message: ServerMessage): void {
		this.#sendRaw(ws, JSON.stringify(message));
	}

	#sendRaw(ws: WebSocket, frame: string): void {
		if (ws.readyState !== WebSocket.OPEN) return;
		if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
			ws.close(1013, 'Too far behind; please reconnect');
			return;
		}
		ws.send(frame);
	}
}
