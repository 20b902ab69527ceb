// The blind relay. It keeps, per document, a signed auth log (who may write in which epoch)
// and an append-only log of encrypted entries; it verifies every signature before storing,
// assigns sequence numbers, fans out to subscribers and serves catch-up for many documents
// in one round trip. Per space it keeps a log of signed membership ops, which it verifies,
// orders and timestamps but never interprets (clients run the membership reducer). It never
// sees a key or a byte of plaintext.
//
// Storage is asynchronous (SQLite group commit, or PostgreSQL shared by several nodes), so:
// - each connection's frames are handled one at a time, in order, so its replies keep order;
// - each document's (and space's) writes and fan-out run one at a time, in seq order;
// - an ack is sent only after storage has durably committed the entry;
// - fan-out to a connection waits while that connection's catch-up is being read, so a live
//   entry can never overtake (and be dropped in favour of) the catch-up that should hold it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { appendFileSync } from 'node:fs';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
	MAX_EPHEMERAL_BYTES,
	MAX_OP_BODY_BYTES,
	PROTOCOL_VERSION,
	applyAuthRecord,
	entrySigningBytes,
	ephemeralSigningBytes,
	fromBase64Url,
	isClientMessage,
	isRecoveryCopyBody,
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
import { VerifyPool } from './VerifyPool';
import { nestsDeeperThan } from './jsonDepth';
import { jsonLogger, type LogFn } from './jsonLog';
import { Counter, EventLoopDelay, Gauge, Histogram, Registry, SnapshotHistogram } from './Metrics';
import { DEFAULT_LIMITS, maxCiphertextFor, type Limits, type SpaceQuota } from './relayConfig';
import type { AppendResult, EntryRange, RelayStore, StoreEvent } from './RelayStore';
import { SerialLocks } from './SerialLocks';
import { SpaceWriters, type SpaceRefusal } from './SpaceWriters';
import { serveStatic } from './serveStatic';
import { TokenBucket } from './TokenBucket';

export interface RelayOptions {
	store: RelayStore;
	port: number;
	host?: string;
	/** Folder with the built app to serve on the same port, if any. */
	staticDir?: string;
	/** Test aid: append every received frame to this file so a test can scan it for plaintext. */
	frameLog?: string;
	log?: LogFn;
	limits?: Partial<Limits>;
	/**
	 * A certificate and its private key (PEM): the app, the health endpoints and the sync
	 * socket are then served over HTTPS and WSS only. Browsers switch WebCrypto and service
	 * workers off on plain http:// addresses other than localhost, so other devices on a
	 * network need this (or a reverse proxy that terminates TLS in front of the relay).
	 */
	tls?: TlsFiles;
}

/** PEM text of a certificate (chain) and its private key. */
export interface TlsFiles {
	cert: string | Buffer;
	key: string | Buffer;
}

/** Frames sent in one catch-up reply are cut at about this size. */
const CATCHUP_CHUNK_BYTES = 1024 * 1024;
/** A client that falls this far behind reading is disconnected rather than buffered forever. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Attempts at an append whose auth state moved on underneath it (another node, a join). */
const MAX_APPEND_ATTEMPTS = 5;
/** Auth states kept in memory; beyond this the oldest are read again from storage when needed. */
const AUTH_CACHE_LIMIT = 100_000;
/** Documents whose auth state one catch-up loads ahead of writes (see #prepareForWrites). */
const PREPARE_PER_CATCHUP = 256;
/** No protocol message nests deeper than this; deeper frames are refused before parsing. */
const MAX_JSON_DEPTH = 32;
/** The heartbeat visits a connection once per interval, a slice of them at a time (see #beat). */
const HEARTBEAT_SLICES = 10;
/** WebSocket close codes the relay uses. */
export const CLOSE = { restarting: 1012, tooFarBehind: 1013, policy: 1008 } as const;

/** The error each flood-guard refusal gets: plain words, and whether waiting would help (it would not). */
const SPACE_REFUSALS: Record<SpaceRefusal, (q: SpaceQuota) => RelayError> = {
	'not-admitted': () => new RelayError('not-a-writer', 'This space’s log takes writes only from keys the space has admitted'),
	'space-ops': (q) => new RelayError('quota-exceeded', `This space log is full: it holds the most operations this relay keeps for one space (${q.maxOps})`),
	'space-bytes': (q) => new RelayError('quota-exceeded', `This space log is full: it holds the most bytes this relay keeps for one space (${q.maxBytes})`),
	'author-ops': (q) => new RelayError('quota-exceeded', `This device has written the most operations this relay keeps from one device in a space log (${q.maxOpsPerAuthor})`),
	'author-bytes': (q) => new RelayError('quota-exceeded', `This device has written the most bytes this relay keeps from one device in a space log (${q.maxBytesPerAuthor})`)
};

class RelayError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string
	) {
		super(message);
	}
}

interface Connection {
	id: number;
	ws: WebSocket;
	openedAt: number;
	/** Heartbeat: anything (a frame or a pong) came since this connection's last turn. */
	heard: boolean;
	/** Heartbeat: a frame came since its last turn, which is proof enough of life without a ping. */
	spoke: boolean;
	/** Heartbeat: pinged at its last turn, and must be heard from by the next. */
	pinged: boolean;
	/** Tail of this connection's frame queue: frames are handled strictly in order. */
	tail: Promise<void>;
	queued: number;
	frames: TokenBucket;
	bytes: TokenBucket;
	strikes: number;
	rejected: number;
	docs: Set<DocumentId>;
	spaces: Set<SpaceId>;
	/** Fan-out frames held back while this connection's catch-up is being read. */
	held?: string[];
}

interface AuthEntry {
	state: DocAuthState | undefined;
	/** Records in storage (the next index), which the append guard checks. */
	stored: number;
}

/** Entries read ahead for a delivery: those after `after`, once the read is done. */
interface Prefetched {
	after: number;
	entries: Promise<WireEntry[] | undefined>;
}

export class RelayServer {
	readonly #options: RelayOptions;
	readonly #store: RelayStore;
	readonly #limits: Limits;
	readonly #maxCiphertext: number;
	readonly #log: LogFn;
	readonly #verifier = new Ed25519Verifier();
	/** Who may add to each space log, and how much (the flood guard). */
	readonly #spaceWriters: SpaceWriters;
	/** Entry signatures, the bulk of the checks, go to a worker thread when the machine has a spare core. */
	readonly #entryVerifier = new VerifyPool({ inline: this.#verifier });
	readonly #auth = new Map<DocumentId, AuthEntry>();
	/**
	 * Per document, a stamp taken from a counter on every auth write or invalidation, so a
	 * slow read cannot cache a state older than one already known for that document.
	 */
	readonly #authStamps = new Map<DocumentId, number>();
	#authCounter = 0;
	readonly #locks = new SerialLocks();
	readonly #connections = new Map<WebSocket, Connection>();
	readonly #docSubscribers = new Map<DocumentId, Set<Connection>>();
	// Space logs get their own maps: a space id and a document id share a format, so one map
	// keyed by both could cross-deliver if the same random id were ever used for each.
	readonly #spaceSubscribers = new Map<SpaceId, Set<Connection>>();
	/** Highest seq (or op index) this node has fanned out, per followed document (or space). */
	readonly #docCursor = new Map<DocumentId, number>();
	/**
	 * How many of a followed document's auth records this node has fanned out. Entries are only
	 * sent after the records their writers joined by, or a client would refuse them as foreign.
	 */
	readonly #authFanned = new Map<DocumentId, number>();
	readonly #spaceCursor = new Map<SpaceId, number>();
	#http?: Server | TlsServer;
	#wss?: WebSocketServer;
	#heartbeat?: ReturnType<typeof setInterval>;
	#beats = 0;
	#nextConnectionId = 1;
	#draining = false;
	/** Sockets holding this turn's frames (see #cork). */
	#corked = new Map<Connection, { cork(): void; uncork(): void }>();
	#closed?: Promise<void>;
	readonly #recentAppends: number[] = [];

	readonly metrics = new Registry();
	readonly #m;

	constructor(options: RelayOptions) {
		this.#options = options;
		this.#store = options.store;
		this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
		this.#spaceWriters = new SpaceWriters(this.#store, this.#limits.spaceQuota, this.#verifier.verify);
		this.#maxCiphertext = maxCiphertextFor(this.#limits);
		this.#log = options.log ?? jsonLogger('info');
		const m = this.metrics;
		const sizeBounds = [1024, 16 * 1024, 256 * 1024, 1024 * 1024, 16 * 1024 * 1024, 256 * 1024 * 1024];
		this.#m = {
			connections: m.add(new Gauge('hearth_relay_connections', 'Open WebSocket connections', () => this.#connections.size)),
			connectionsTotal: m.add(new Counter('hearth_relay_connections_total', 'WebSocket connections accepted')),
			frames: m.add(new Counter('hearth_relay_frames_total', 'Frames received from clients')),
			appends: m.add(new Counter('hearth_relay_appends_total', 'Writes durably stored, by kind (change, snapshot, auth, op)')),
			appendRate: m.add(new Gauge('hearth_relay_appends_per_second', 'Entries and ops stored per second over the last 10 s', () => this.#appendRate())),
			fanout: m.add(
				new Histogram('hearth_relay_fanout_seconds', 'From an entry reaching a relay node to this node sending it to subscribers', [
					0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
				])
			),
			fanoutFrames: m.add(new Counter('hearth_relay_fanout_frames_total', 'Frames fanned out to subscribers')),
			rejected: m.add(new Counter('hearth_relay_rejected_frames_total', 'Frames refused, by reason')),
			spaceRefused: m.add(
				new Counter('hearth_relay_space_log_refused_total', 'Space-log writes refused by the flood guard: from a key the space does not admit, or over a quota')
			),
			storageErrors: m.add(new Counter('hearth_relay_storage_errors_total', 'Storage operations that failed')),
			clusterEvents: m.add(new Counter('hearth_relay_cluster_events_total', 'Writes heard from other relay nodes, by kind')),
			docBytes: m.add(new SnapshotHistogram('hearth_relay_document_bytes', 'Stored ciphertext per document (no ids)', sizeBounds)),
			storedBytes: m.add(new Gauge('hearth_relay_stored_bytes', 'Stored ciphertext across all documents', () => this.#sizes.totalBytes)),
			documents: m.add(new Gauge('hearth_relay_documents', 'Documents stored', () => this.#sizes.docs)),
			draining: m.add(new Gauge('hearth_relay_draining', '1 while shutting down', () => (this.#draining ? 1 : 0))),
			loopDelay: m.add(new EventLoopDelay('hearth_relay_event_loop_delay_seconds')),
			rss: m.add(new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes', () => process.memoryUsage.rss())),
			cpu: m.add(
				new Gauge('process_cpu_seconds_total', 'User and system CPU time spent in seconds', () => {
					const u = process.cpuUsage();
					return (u.user + u.system) / 1e6;
				})
			),
			sizeBounds
		};
		if (this.#store.noticeQueueUsage) {
			m.add(new Gauge('hearth_relay_cluster_notice_queue_usage', "Share (0-1) of PostgreSQL's queue of notices between nodes in use", () => this.#sizes.noticeQueue));
		}
		this.#store.listen({ onEvents: (e) => this.#onStoreEvents(e), onResync: () => void this.#resync() });
	}

	#sizes = { docs: 0, totalBytes: 0, noticeQueue: 0, at: 0 };
	#lineage?: string;

	/** Starts listening; resolves with the bound port (useful with port 0). */
	async listen(): Promise<number> {
		// Read once: a restored storage is only served by relays started after the restore.
		this.#lineage = await this.#store.lineage();
		const handler = (req: IncomingMessage, res: ServerResponse) => void this.#onHttp(req, res);
		// A certificate that does not match its key, or is not PEM, throws here: before listening.
		const tls = this.#options.tls;
		const http = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
		const wss = new WebSocketServer({ noServer: true, maxPayload: this.#limits.maxFrameBytes, perMessageDeflate: false });
		http.on('upgrade', (req, socket, head) => {
			if (new URL(req.url ?? '/', 'http://x').pathname !== '/sync') {
				socket.destroy();
				return;
			}
			if (this.#draining) {
				socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n');
				return;
			}
			wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws));
		});
		this.#http = http;
		this.#wss = wss;
		this.#heartbeat = setInterval(() => this.#beat(), this.#limits.heartbeatMs / HEARTBEAT_SLICES);
		this.#heartbeat.unref();
		this.#m.loopDelay.start();
		await new Promise<void>((resolve, reject) => {
			http.once('error', reject);
			http.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => resolve());
		});
		const address = http.address();
		const port = typeof address === 'object' && address ? address.port : this.#options.port;
		this.#log('listening', { port, store: this.#store.kind });
		return port;
	}

	/**
	 * Takes a renewed certificate and key (e.g. on SIGHUP, after certbot renewed them): new
	 * connections get them, open ones carry on. Throws, keeping the old ones, if they are unusable.
	 */
	reloadTls(tls: TlsFiles): void {
		const server = this.#http;
		if (!server || !('setSecureContext' in server)) throw new Error('this relay was not started with a certificate (HEARTH_TLS_CERT, HEARTH_TLS_KEY)');
		server.setSecureContext({ cert: tls.cert, key: tls.key });
	}

	get draining(): boolean {
		return this.#draining;
	}

	/**
	 * Graceful shutdown: stop accepting connections, let every connection finish the requests
	 * it already sent (so their acks go out), then close each with 1012 "restarting" so
	 * clients reconnect (to another node, or to this one once it is back).
	 */
	shutdown(reason = 'signal'): Promise<void> {
		this.#closed ??= this.#shutdown(reason);
		return this.#closed;
	}

	async #shutdown(reason: string): Promise<void> {
		this.#draining = true;
		const started = Date.now();
		this.#log('draining', { reason, connections: this.#connections.size });
		clearInterval(this.#heartbeat);
		this.#m.loopDelay.stop();
		const httpClosed = new Promise<void>((resolve) => (this.#http ? this.#http.close(() => resolve()) : resolve()));
		const idle = Promise.all([...this.#connections.values()].map((c) => c.tail));
		const timedOut = await Promise.race([idle.then(() => false), delay(this.#limits.drainMs).then(() => true)]);
		for (const c of this.#connections.values()) c.ws.close(CLOSE.restarting, 'The relay is restarting; reconnect in a moment');
		const allClosed = Promise.all([...this.#connections.values()].map((c) => new Promise((r) => (c.ws.readyState === WebSocket.CLOSED ? r(0) : c.ws.once('close', r)))));
		await Promise.race([allClosed, delay(2_000)]);
		for (const c of this.#connections.values()) c.ws.terminate();
		this.#http?.closeAllConnections();
		await httpClosed;
		await new Promise<void>((resolve) => this.#wss?.close(() => resolve()) ?? resolve());
		await this.#store.close();
		await this.#entryVerifier.close();
		this.#log('stopped', { drainMs: Date.now() - started, timedOut });
	}

	/** Immediate stop (tests, fatal errors): no draining. */
	async close(): Promise<void> {
		this.#limits.drainMs = 0;
		await this.shutdown('close');
	}

	// ── HTTP: health, readiness, metrics, the app ─────────────────────────────────────────

	async #onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://x').pathname;
		if (path === '/healthz') {
			res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
			return;
		}
		if (path === '/readyz') {
			const problem = this.#draining ? 'draining' : await this.#storageProblem();
			res.writeHead(problem ? 503 : 200, { 'content-type': 'text/plain' }).end(problem ?? 'ready');
			return;
		}
		if (path === '/metrics') {
			await this.#refreshSizes();
			res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.metrics.render());
			return;
		}
		if (this.#options.staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
			serveStatic(this.#options.staticDir, path, req, res);
			return;
		}
		res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
	}

	async #storageProblem(): Promise<string | undefined> {
		try {
			await Promise.race([this.#store.ping(), delay(2_000).then(() => Promise.reject(new Error('timeout')))]);
			return undefined;
		} catch {
			return 'storage unavailable';
		}
	}

	/** Sizes come from storage; a scrape every few seconds must not rescan each time. */
	async #refreshSizes(): Promise<void> {
		if (Date.now() - this.#sizes.at < 15_000) return;
		try {
			const [s, noticeQueue = 0] = await Promise.all([this.#store.docSizes(this.#m.sizeBounds), this.#store.noticeQueueUsage?.()]);
			this.#m.docBytes.set(s.cumulative, s.docs, s.totalBytes);
			this.#sizes = { docs: s.docs, totalBytes: s.totalBytes, noticeQueue, at: Date.now() };
		} catch (error) {
			this.#storageFailed('doc_sizes', error);
		}
	}

	#appendRate(): number {
		const cutoff = performance.now() - 10_000;
		while (this.#recentAppends.length > 0 && this.#recentAppends[0] < cutoff) this.#recentAppends.shift();
		return this.#recentAppends.length / 10;
	}

	#counted(kind: 'change' | 'snapshot' | 'auth' | 'op'): void {
		this.#m.appends.inc({ kind });
		this.#recentAppends.push(performance.now());
		if (this.#recentAppends.length > 200_000) this.#recentAppends.splice(0, 100_000);
	}

	// ── connections and frames ────────────────────────────────────────────────────────────

	#onConnection(ws: WebSocket): void {
		const l = this.#limits;
		const conn: Connection = {
			id: this.#nextConnectionId++,
			ws,
			openedAt: Date.now(),
			heard: false,
			spoke: false,
			pinged: false,
			tail: Promise.resolve(),
			queued: 0,
			frames: new TokenBucket(l.framesPerSecond, l.frameBurst),
			bytes: new TokenBucket(l.bytesPerSecond, Math.max(l.maxFrameBytes, l.bytesPerSecond * 4)),
			strikes: 0,
			rejected: 0,
			docs: new Set(),
			spaces: new Set()
		};
		this.#connections.set(ws, conn);
		this.#m.connectionsTotal.inc();
		this.#log('connection_open', { conn: conn.id }, 'debug');
		ws.on('pong', () => (conn.heard = true));
		this.#send(conn, { type: 'welcome', protocol: PROTOCOL_VERSION, maxCiphertextBytes: this.#maxCiphertext, lineage: this.#lineage });
		ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
		ws.on('close', (code) => this.#dropConnection(conn, code));
		ws.on('error', (error: Error & { code?: string }) => {
			// ws reports an oversized frame here before closing with 1009.
			if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#m.rejected.inc({ reason: 'frame-too-large' });
			this.#dropConnection(conn, 1006);
		});
	}

	/**
	 * One beat of the heartbeat: a tenth of the connections take their turn, so the pings of a
	 * busy relay are spread over the interval instead of thousands of socket writes at once
	 * (that stalled every connection's traffic for a tenth of a second at 2,000 connections).
	 * A connection that sent a frame since its last turn is alive and needs no ping; one that
	 * was pinged and has not been heard from since is gone, and is closed.
	 */
	#beat(): void {
		const slice = this.#beats++ % HEARTBEAT_SLICES;
		for (const conn of this.#connections.values()) {
			if (conn.id % HEARTBEAT_SLICES !== slice) continue;
			if (conn.pinged && !conn.heard) {
				this.#log('connection_timeout', { conn: conn.id }, 'debug');
				conn.ws.terminate();
				continue;
			}
			conn.pinged = !conn.spoke;
			conn.heard = conn.spoke = false;
			if (conn.pinged) conn.ws.ping();
		}
	}

	#onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
		this.#m.frames.inc();
		conn.heard = conn.spoke = true;
		const receivedAt = performance.now();
		const text = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
		if (this.#options.frameLog) appendFileSync(this.#options.frameLog, Buffer.concat([text, Buffer.from('\n')]));
		let message: unknown;
		try {
			if (isBinary) throw new Error('binary');
			if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new Error('too deep');
			message = JSON.parse(text.toString('utf8'));
		} catch {
			this.#reject(conn, undefined, new RelayError('malformed', 'Frames must be JSON text'));
			return;
		}
		const rid = typeof (message as { rid?: unknown })?.rid === 'number' ? (message as { rid: number }).rid : undefined;
		if (!conn.frames.take(1) || !conn.bytes.take(text.length) || conn.queued >= this.#limits.maxQueuedFrames) {
			this.#reject(conn, rid, new RelayError('rate-limited', 'Too many requests from this connection; please slow down and retry'));
			if (++conn.strikes >= this.#limits.maxStrikes) {
				this.#log('connection_throttled', { conn: conn.id }, 'warn');
				conn.ws.close(CLOSE.policy, 'Too many requests; reconnect later');
			}
			return;
		}
		conn.strikes = 0;
		if (!isClientMessage(message)) {
			this.#reject(conn, rid, new RelayError('malformed', 'That message is not one the relay understands'));
			return;
		}
		if (this.#draining) {
			this.#reject(conn, rid, new RelayError('storage-failed', 'The relay is restarting; this will be sent again'));
			return;
		}
		conn.queued++;
		const parsed = message;
		conn.tail = conn.tail.then(async () => {
			try {
				await this.#handle(conn, parsed, receivedAt);
			} catch (error) {
				if (error instanceof RelayError) this.#reject(conn, rid, error);
				else {
					// Storage failures (a full disk, a database restarting) lose nothing already
					// stored; the client keeps its unsent changes and retries.
					this.#storageFailed(parsed.type, error);
					this.#reject(conn, rid, new RelayError('storage-failed', 'The relay could not store that right now; it will be retried'));
				}
			} finally {
				conn.queued--;
			}
		});
	}

	#storageFailed(operation: string, error: unknown): void {
		this.#m.storageErrors.inc();
		// Only the error's code: database messages can quote the values (ids) involved.
		const code = (error as { code?: unknown })?.code;
		this.#log('storage_error', { operation, code: typeof code === 'string' ? code : 'unknown' }, 'error');
	}

	async #handle(conn: Connection, message: ClientMessage, receivedAt: number): Promise<void> {
		switch (message.type) {
			case 'hello':
				if (message.protocol !== PROTOCOL_VERSION) {
					throw new RelayError('unsupported-version', `This relay speaks protocol ${PROTOCOL_VERSION}; please update the app`);
				}
				return;
			case 'auth':
				return this.#locks.run(`d:${message.record.docId}`, () => this.#onAuth(conn, message.rid, message.record));
			case 'push':
				return this.#onPush(conn, message.rid, message.entry, receivedAt);
			case 'sync':
				return this.#onSync(conn, message.rid, message.docs, message.logs ?? []);
			case 'unsubscribe':
				for (const docId of message.docIds) this.#unsubscribe(conn, docId);
				return;
			case 'ephemeral':
				return this.#onEphemeral(conn, message);
			case 'log-append':
				return this.#locks.run(`s:${message.op.spaceId}`, () => this.#onLogAppend(conn, message.rid, message.op, receivedAt));
		}
	}

	// ── auth state ────────────────────────────────────────────────────────────────────────

	async #authEntry(docId: DocumentId): Promise<AuthEntry> {
		const cached = this.#auth.get(docId);
		if (cached) return cached;
		const stamp = this.#authStamps.get(docId);
		let state: DocAuthState | undefined;
		const records = await this.#store.authSince(docId, 0);
		for (const { record } of records) {
			const result = applyAuthRecord(state, record, this.#verifier.verify);
			if (result.ok) state = result.state;
		}
		const entry = { state, stored: records.length };
		// An unknown document is not cached: another node may create it at any moment. Nor is
		// a read that a newer record overtook while it was in flight (it could be stale).
		if (state && stamp === this.#authStamps.get(docId)) {
			this.#cacheAuth(docId, entry);
			this.#warmWriters(state);
		}
		return entry;
	}

	/** Has the signature thread parse the keys of the document's current writers ahead of their entries. */
	#warmWriters(state: DocAuthState): void {
		const writers = state.epochs.get(state.epoch)?.writers;
		if (writers && writers.size > 0) this.#entryVerifier.warm([...writers].map((w) => fromBase64Url(w)));
	}

	/**
	 * After a catch-up: load the auth state of its documents this relay has not loaded yet. A
	 * device catches up before it writes, and after a restart every device does so at once;
	 * doing this now, in the background, spares the first burst of writes both the auth-log
	 * read and the parsing of their writers' keys.
	 */
	#prepareForWrites(docIds: DocumentId[]): void {
		// Bounded per catch-up: a device following thousands of documents writes to few of them
		// at a time, and each auth log costs a signature check per record on this thread.
		const cold = docIds.filter((id) => !this.#auth.has(id)).slice(0, PREPARE_PER_CATCHUP);
		if (cold.length === 0) return;
		void (async () => {
			for (const docId of cold) {
				// One document per turn of the event loop, so sockets are served in between.
				await new Promise((resolve) => setImmediate(resolve));
				if (this.#draining) return;
				if (!this.#auth.has(docId)) await this.#authEntry(docId).catch((error: unknown) => this.#storageFailed('prepare', error));
			}
		})();
	}

	#cacheAuth(docId: DocumentId, entry: AuthEntry): void {
		this.#auth.delete(docId);
		if (this.#auth.size >= AUTH_CACHE_LIMIT) this.#auth.delete(this.#auth.keys().next().value!);
		this.#auth.set(docId, entry);
	}

	/** After a write or a notice from another node: the cached state (and any read in flight) is stale. */
	#touchAuth(docId: DocumentId): void {
		if (this.#authStamps.size >= AUTH_CACHE_LIMIT) this.#authStamps.clear();
		this.#authStamps.delete(docId);
		this.#authStamps.set(docId, ++this.#authCounter);
	}

	#forgetAuth(docId?: DocumentId): void {
		if (docId) {
			this.#touchAuth(docId);
			this.#auth.delete(docId);
		} else {
			// Everything may be stale (the feed from other nodes was down): stamp every cached
			// document, so reads in flight for them are not cached either.
			for (const id of this.#auth.keys()) this.#touchAuth(id);
			this.#auth.clear();
		}
	}

	async #onAuth(conn: Connection, rid: number, record: AuthRecord): Promise<void> {
		const docId = record.docId;
		for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
			const { state, stored } = await this.#authEntry(docId);
			const result = applyAuthRecord(state, record, this.#verifier.verify);
			if (!result.ok) throw new RelayError(result.code, result.message);
			if (record.kind === 'policy' && record.closesAt !== undefined && state && record.epoch === state.epoch + 1) {
				// Every entry checked before this policy has landed once its fan-out has run (entries
				// are checked under this document's d: lock, which this holds), so the head is exact.
				// The store checks it again as it appends (another node may be writing).
				await this.#locks.run(`f:${docId}`, async () => {});
				const head = (await this.#store.getDoc(docId))?.head ?? 0;
				if (head > record.closesAt) {
					throw new RelayError('stale-close', `Entries were stored after seq ${record.closesAt}: catch up and sign the new epoch again`);
				}
			}
			if (await this.#store.appendAuth(docId, stored, record)) {
				this.#counted('auth');
				this.#touchAuth(docId);
				this.#cacheAuth(docId, { state: result.state, stored: stored + 1 });
				// A record that names writers (a new document, a member or device let in) is
				// usually followed by their first entries: have their keys ready for them.
				this.#warmWriters(result.state);
				this.#send(conn, { type: 'auth-ok', rid, docId, index: stored });
				// Queued behind earlier writes' fan-out, ahead of any entry checked against it.
				void this.#locks
					.run(`f:${docId}`, () => this.#deliverAuth(docId, stored + 1, { index: stored, record, from: conn }))
					.catch((error: unknown) => this.#storageFailed('fan_out', error));
				return;
			}
			// Another record took that index first (on another node): re-read and re-check.
			this.#forgetAuth(docId);
		}
		throw new Error('auth log kept moving');
	}

	// ── entries ───────────────────────────────────────────────────────────────────────────

	/**
	 * Two locks per document keep its order without making one write wait for the last: under
	 * `d:` an entry is checked against the auth log and its write queued, and `d:` is let go
	 * as soon as the write is queued; under `f:`, taken in that same order, the stored result
	 * is acknowledged and fanned out. With storage a network hop away, holding one lock across
	 * the write would cap each document at a handful of appends a second.
	 *
	 * The signature is checked before `d:`, not under it: it depends on the entry alone, and a
	 * check that waited behind a busy signature thread held up every writer of the document
	 * (under load, most of an entry's time in the relay was spent waiting for that lock). Who
	 * may write is checked first, so a device that may not write cannot make the relay spend
	 * a signature check, and again under `d:`, where the write is queued against that state.
	 * One connection's entries still go in the order sent: a connection's requests run one at
	 * a time.
	 */
	async #onPush(conn: Connection, rid: number, entry: WireEntry, receivedAt: number): Promise<void> {
		if ((entry.ct.length * 3) / 4 > this.#maxCiphertext) throw new RelayError('too-large', 'That change is too large to store');
		const docId = entry.docId;
		await this.#checkWriter(entry);
		const { sig, seq: _seq, ...unsigned } = entry;
		if (!(await this.#entryVerifier.verify(fromBase64Url(sig), entrySigningBytes(unsigned), fromBase64Url(entry.author)))) {
			throw new RelayError('bad-signature', 'The entry signature does not verify');
		}
		for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
			const delivered = await this.#locks.run(`d:${docId}`, async () => {
				const stored = await this.#checkWriter(entry);
				const appended = this.#store.append(entry, { authCount: stored, maxDocBytes: this.#limits.maxDocBytes });
				appended.catch(() => {}); // awaited by the fan-out step; this only keeps an early failure from going unhandled
				// Queued while `d:` is still held, so fan-out follows the order of writes.
				return { result: this.#locks.run(`f:${docId}`, () => this.#ackAndFanOut(conn, rid, entry, appended, stored, receivedAt)) };
			});
			const result = await delivered.result;
			if (result.ok) return;
			switch (result.reason) {
				case 'auth-changed':
					this.#forgetAuth(docId);
					continue;
				case 'unknown-document':
					throw new RelayError('unknown-document', 'That document is not on this relay yet');
				case 'stale-snapshot':
					throw new RelayError('stale-snapshot', 'A newer snapshot already covers that point');
				case 'doc-too-large':
					throw new RelayError('quota-exceeded', 'This document has reached the relay’s size limit; a snapshot would make room');
			}
		}
		throw new Error('auth log kept moving');
	}

	/**
	 * May this entry's author write it? Checks the epoch and the writer against the document's
	 * auth log; returns the auth-log length it was checked against.
	 */
	async #checkWriter(entry: WireEntry): Promise<number> {
		const { state, stored } = await this.#authEntry(entry.docId);
		if (!state) throw new RelayError('unknown-document', 'That document is not on this relay yet');
		if (entry.epoch !== state.epoch) throw new RelayError('epoch-closed', `Epoch ${entry.epoch} is closed; write to epoch ${state.epoch}`);
		if (!mayWrite(state, entry.epoch, entry.author)) throw new RelayError('not-a-writer', 'This device may not write to that document');
		return stored;
	}

	/** Once the write is durable: acknowledge it, then send it to the document's other followers. Runs under `f:`. */
	async #ackAndFanOut(conn: Connection, rid: number, entry: WireEntry, appended: Promise<AppendResult>, authCount: number, receivedAt: number): Promise<AppendResult> {
		const result = await appended;
		if (result.ok) {
			this.#counted(entry.kind);
			this.#send(conn, { type: 'ack', rid, docId: entry.docId, seq: result.seq });
			await this.#deliverEntries(entry.docId, result.seq, authCount, { ...entry, seq: result.seq }, conn, receivedAt);
		}
		return result;
	}

	/**
	 * Sends auth records below `count` that this node's subscribers have not had yet, in index
	 * order (records another node stored are read from storage). `fresh` is a record this node
	 * just stored, sent to everyone but its author. Runs under the document's fan-out lock.
	 */
	async #deliverAuth(docId: DocumentId, count: number, fresh?: { index: number; record: AuthRecord; from: Connection }): Promise<void> {
		const subscribers = this.#docSubscribers.get(docId);
		if (!subscribers || subscribers.size === 0) {
			this.#authFanned.delete(docId);
			return;
		}
		// No count yet: every follower is still reading its first catch-up (what is fanned out
		// to it waits until that is sent), and that read may have come before this record was
		// stored, so it cannot be counted on to hold the log. Send the log from the start: a
		// follower skips records it already has, whereas a missing one makes it refuse every
		// entry its writer sends, for good.
		const sent = this.#authFanned.get(docId) ?? 0;
		if (count <= sent) {
			this.#authFanned.set(docId, sent);
			return;
		}
		const upTo = fresh ? fresh.index : count;
		const missing = upTo > sent ? await this.#store.authSince(docId, sent) : [];
		this.#authFanned.set(docId, count);
		for (const { index, record } of missing) {
			if (index < upTo) this.#fanOutDoc(docId, undefined, { type: 'auth', docId, index, record });
		}
		if (fresh) this.#fanOutDoc(docId, fresh.from, { type: 'auth', docId, index: fresh.index, record: fresh.record });
	}

	/**
	 * Sends entries up to `seq` to this node's subscribers of the document, in seq order and
	 * each once: a gap since the last one sent (entries another node stored) is filled from
	 * storage first. `authCount` is the auth-log length the newest entry was checked against:
	 * records up to it go out first, so every entry's writer is known before its entry arrives
	 * (on several nodes, another node's notice of a join can come after its writer's entries).
	 * Runs under the document's fan-out lock (`f:`).
	 */
	async #deliverEntries(
		docId: DocumentId,
		seq: number,
		authCount: number,
		entry: (WireEntry & { seq: number }) | undefined,
		from: Connection | undefined,
		startedAt: number,
		known?: Prefetched
	): Promise<void> {
		const subscribers = this.#docSubscribers.get(docId);
		if (!subscribers || subscribers.size === 0) {
			this.#docCursor.delete(docId);
			this.#authFanned.delete(docId);
			return;
		}
		await this.#deliverAuth(docId, authCount);
		const cursor = this.#docCursor.get(docId) ?? (known ? known.after : seq - 1);
		if (seq <= cursor) return;
		const upTo = entry ? seq - 1 : seq;
		let missing: WireEntry[] = [];
		if (upTo > cursor) {
			// Read ahead with others (see #onStoreEvents) when that read covers the gap.
			const ahead = known && known.after <= cursor ? await known.entries : undefined;
			const covered = ahead?.filter((e) => e.seq! > cursor && e.seq! <= upTo);
			missing = covered && covered.length === upTo - cursor ? covered : await this.#store.entriesBetween(docId, cursor, upTo);
		}
		this.#docCursor.set(docId, seq);
		for (const e of missing) this.#fanOutDoc(docId, undefined, { type: 'entry', entry: e as WireEntry & { seq: number } });
		if (entry) this.#fanOutDoc(docId, from, { type: 'entry', entry });
		const everyone = from ? subscribers.size - (subscribers.has(from) ? 1 : 0) : subscribers.size;
		if (everyone > 0) this.#m.fanout.observe((performance.now() - startedAt) / 1000);
	}

	// ── space logs ────────────────────────────────────────────────────────────────────────

	async #onLogAppend(conn: Connection, rid: number, op: SignedOp, receivedAt: number): Promise<void> {
		if (Buffer.byteLength(op.body, 'utf8') > MAX_OP_BODY_BYTES) {
			throw new RelayError('too-large', `A space-log op body may be at most ${MAX_OP_BODY_BYTES} bytes`);
		}
		const { sig, ...unsigned } = op;
		if (!this.#verifier.verify(fromBase64Url(sig), opSigningBytes(unsigned), fromBase64Url(op.author))) {
			throw new RelayError('bad-signature', 'The op signature does not verify');
		}
		// Only fields the signature covers are stored, so nothing extra a client sent rides along.
		const stored: SignedOp = {
			spaceId: op.spaceId,
			author: op.author,
			body: op.body,
			sig,
			...(op.admits ? { admits: op.admits } : {}),
			...(op.cap ? { cap: { by: op.cap.by, sig: op.cap.sig } } : {})
		};
		const refusal = await this.#spaceWriters.check(stored);
		if (refusal) {
			this.#m.spaceRefused.inc({ reason: refusal });
			throw SPACE_REFUSALS[refusal](this.#limits.spaceQuota);
		}
		// A client that lost the connection before our reply resends the same op: the store
		// answers with where it already is, rather than logging it twice or telling anyone again.
		// A recovery copy replaces the older copies (each a full bundle of keys) in its log.
		const { logged, fresh } = await this.#store.appendOp(op.spaceId, stored, Date.now(), isRecoveryCopyBody(op.body));
		if (fresh) this.#spaceWriters.recorded(logged);
		this.#send(conn, { type: 'log-ok', rid, spaceId: op.spaceId, index: logged.index, at: logged.at });
		if (!fresh) return;
		this.#counted('op');
		await this.#deliverOps(op.spaceId, logged.index, logged, conn, receivedAt);
	}

	async #deliverOps(spaceId: SpaceId, index: number, logged: { index: number; at: number; op: SignedOp } | undefined, from: Connection | undefined, startedAt: number): Promise<void> {
		const subscribers = this.#spaceSubscribers.get(spaceId);
		if (!subscribers || subscribers.size === 0) {
			this.#spaceCursor.delete(spaceId);
			return;
		}
		const cursor = this.#spaceCursor.get(spaceId) ?? index - 1;
		if (index <= cursor) return;
		const upTo = logged ? index - 1 : index;
		// A recovery log has gaps (older copies are dropped): never read past upTo.
		const missing = upTo > cursor ? (await this.#store.opsSince(spaceId, cursor + 1, upTo - cursor)).filter((e) => e.index <= upTo) : [];
		this.#spaceCursor.set(spaceId, index);
		for (const e of missing) this.#fanOutSpace(spaceId, undefined, { type: 'log', spaceId, entry: e });
		if (logged) this.#fanOutSpace(spaceId, from, { type: 'log', spaceId, entry: logged });
		this.#m.fanout.observe((performance.now() - startedAt) / 1000);
	}

	// ── other nodes ───────────────────────────────────────────────────────────────────────

	/**
	 * Another node's notice, naming many writes. A document's entries are delivered once, up to
	 * the newest named. Small changes ride in the notice; the entries any document is still
	 * missing are read in one query rather than one per document (at a few hundred appends a
	 * second on the other node, one read each was most of this node's work).
	 */
	#onStoreEvents(events: StoreEvent[]): void {
		// The other node's clock stamped sentAt; on one host (or NTP-synced hosts) it is close
		// enough to count fan-out latency from the origin node's commit.
		const startedAt = (event: StoreEvent) => performance.now() - Math.max(0, Date.now() - event.sentAt);
		const newest = new Map<DocumentId, { first: Extract<StoreEvent, { kind: 'entry' }>; last: Extract<StoreEvent, { kind: 'entry' }> }>();
		for (const event of events) {
			this.#m.clusterEvents.inc({ kind: event.kind });
			if (event.kind === 'entry') {
				if (!this.#docSubscribers.has(event.docId)) continue;
				const seen = newest.get(event.docId);
				if (!seen) newest.set(event.docId, { first: event, last: event });
				else if (event.seq > seen.last.seq) seen.last = event;
				else if (event.seq < seen.first.seq) seen.first = event;
			} else if (event.kind === 'auth') {
				this.#forgetAuth(event.docId);
				this.#locks.run(`f:${event.docId}`, () => this.#deliverAuth(event.docId, event.index + 1)).catch((error: unknown) => this.#storageFailed('cluster_event', error));
			} else if (this.#spaceSubscribers.has(event.spaceId)) {
				this.#locks
					.run(`s:${event.spaceId}`, () => this.#deliverOps(event.spaceId, event.index, undefined, undefined, startedAt(event)))
					.catch((error: unknown) => this.#storageFailed('cluster_event', error));
			}
		}
		if (newest.size === 0) return;
		const ranges = [...newest].map(([docId, { first, last }]) => ({ docId, after: Math.min(this.#docCursor.get(docId) ?? first.seq - 1, first.seq - 1), upTo: last.seq }));
		// Entries the notice carried (small changes do) need no read, if they fill the range.
		const carried = new Map<DocumentId, Map<number, WireEntry>>();
		for (const event of events) {
			if (event.kind !== 'entry' || !event.entry || !newest.has(event.docId)) continue;
			let bySeq = carried.get(event.docId);
			if (!bySeq) carried.set(event.docId, (bySeq = new Map()));
			bySeq.set(event.seq, event.entry);
		}
		const inNotice = (r: EntryRange) => {
			const bySeq = carried.get(r.docId);
			if (!bySeq) return undefined;
			const entries: WireEntry[] = [];
			for (let seq = r.after + 1; seq <= r.upTo; seq++) {
				const entry = bySeq.get(seq);
				if (!entry) return undefined;
				entries.push(entry);
			}
			return entries;
		};
		const complete = new Map<DocumentId, WireEntry[]>();
		for (const r of ranges) {
			const entries = inNotice(r);
			if (entries) complete.set(r.docId, entries);
		}
		const toRead = ranges.filter((r) => !complete.has(r.docId));
		const read = toRead.length > 0 ? this.#store.entriesInRanges(toRead) : Promise.resolve(new Map<DocumentId, WireEntry[]>());
		read.catch(() => {}); // each delivery below awaits it (and falls back to its own read)
		for (const { docId, after } of ranges) {
			const { first, last } = newest.get(docId)!;
			const fromNotice = complete.get(docId);
			const entries = fromNotice ? Promise.resolve(fromNotice) : read.then((found) => found.get(docId) ?? [], () => undefined);
			const known: Prefetched = { after, entries };
			this.#locks
				.run(`f:${docId}`, () => this.#deliverEntries(docId, last.seq, last.authCount, undefined, undefined, startedAt(first), known))
				.catch((error: unknown) => this.#storageFailed('cluster_event', error));
		}
	}

	/** The feed from other nodes was down: forget cached auth and send anything missed. */
	async #resync(): Promise<void> {
		this.#forgetAuth();
		const now = performance.now();
		for (const docId of [...this.#docSubscribers.keys()]) {
			await this.#locks
				.run(`f:${docId}`, async () => {
					const doc = await this.#store.getDoc(docId);
					if (doc && this.#docCursor.has(docId)) await this.#deliverEntries(docId, doc.head, doc.authCount, undefined, undefined, now);
				})
				.catch((error: unknown) => this.#storageFailed('resync', error));
		}
		for (const spaceId of [...this.#spaceSubscribers.keys()]) {
			await this.#locks
				.run(`s:${spaceId}`, async () => {
					const cursor = this.#spaceCursor.get(spaceId);
					if (cursor === undefined) return;
					const ops = await this.#store.opsSince(spaceId, cursor + 1);
					if (ops.length > 0) await this.#deliverOps(spaceId, ops[ops.length - 1].index, undefined, undefined, now);
				})
				.catch((error: unknown) => this.#storageFailed('resync', error));
		}
	}

	// ── catch-up ──────────────────────────────────────────────────────────────────────────

	async #onSync(conn: Connection, rid: number, docs: SyncRequestDoc[], logs: SyncRequestLog[]): Promise<void> {
		const fresh = docs.filter((d) => !conn.docs.has(d.docId)).length + logs.filter((l) => !conn.spaces.has(l.spaceId)).length;
		if (conn.docs.size + conn.spaces.size + fresh > this.#limits.maxSubscriptions) {
			throw new RelayError('quota-exceeded', `One connection may follow at most ${this.#limits.maxSubscriptions} documents and spaces`);
		}
		let chunk: CatchupDoc[] = [];
		let unknown: DocumentId[] = [];
		let logChunk: CatchupLog[] = [];
		let size = 0;
		const stored: DocumentId[] = [];
		const flush = (done: boolean) => {
			this.#send(conn, { type: 'catchup', rid, docs: chunk, unknown, logs: logChunk, done });
			chunk = [];
			unknown = [];
			logChunk = [];
			size = 0;
		};
		// Subscribe first and hold this connection's fan-out until the catch-up is sent: then
		// every entry is either in the catch-up or arrives after it, never lost in between.
		conn.held = [];
		try {
			for (const request of docs) this.#subscribe(conn, request.docId);
			for (const request of logs) this.#subscribeSpace(conn, request.spaceId);
			// Reads for a few documents run at once; replies keep the requested order.
			for (let from = 0; from < docs.length; from += 8) {
				const batch = docs.slice(from, from + 8);
				const reads = await Promise.all(
					batch.map(async (request) => {
						const doc = await this.#store.getDoc(request.docId);
						if (!doc) return undefined;
						const { entries, skipped } =
							request.since >= doc.head ? { entries: [], skipped: [] } : await this.#store.entriesSince(request.docId, request.since);
						// Read after the entries, so the records every entry's writer joined by are in.
						const auth = await this.#store.authSince(request.docId, request.authSince);
						return { doc, auth, entries, skipped };
					})
				);
				for (const [i, request] of batch.entries()) {
					const read = reads[i];
					if (!read) {
						// Not stored yet: when it is (on any node), this follower needs all of it.
						if (!this.#docCursor.has(request.docId)) this.#docCursor.set(request.docId, 0);
						if (!this.#authFanned.has(request.docId)) this.#authFanned.set(request.docId, 0);
						unknown.push(request.docId);
						continue;
					}
					stored.push(request.docId);
					// Fan-out for this document continues from what this catch-up holds.
					if (!this.#docCursor.has(request.docId)) this.#docCursor.set(request.docId, read.doc.head);
					if (!this.#authFanned.has(request.docId)) this.#authFanned.set(request.docId, read.doc.authCount);
					// Large documents are split across frames so no single frame nears the size limit.
					let part: CatchupDoc = {
						docId: request.docId,
						head: read.doc.head,
						auth: read.auth,
						entries: [],
						...(read.skipped.length > 0 ? { skipped: read.skipped } : {})
					};
					chunk.push(part);
					for (const entry of read.entries) {
						const entrySize = entry.ct.length + 256;
						if (size + entrySize > CATCHUP_CHUNK_BYTES && part.entries.length > 0) {
							flush(false);
							part = { docId: request.docId, head: read.doc.head, auth: [], entries: [] };
							chunk.push(part);
						}
						part.entries.push(entry);
						size += entrySize;
					}
				}
			}
			// Logs share the frames and the size budget with documents. A space nobody has written
			// to yet simply has no ops: it comes into being with its first append.
			for (const request of logs) {
				let part: CatchupLog = { spaceId: request.spaceId, entries: [] };
				logChunk.push(part);
				const ops = await this.#store.opsSince(request.spaceId, request.since);
				// Fan-out continues after the last op this catch-up holds (when that is known).
				const last = ops.length > 0 ? ops[ops.length - 1].index : request.since === 0 ? -1 : undefined;
				if (last !== undefined && !this.#spaceCursor.has(request.spaceId)) this.#spaceCursor.set(request.spaceId, last);
				for (const entry of ops) {
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
			this.#prepareForWrites(stored);
		} finally {
			const held = conn.held;
			conn.held = undefined;
			for (const frame of held) this.#sendRaw(conn, frame);
		}
	}

	async #onEphemeral(conn: Connection, message: Extract<ClientMessage, { type: 'ephemeral' }>): Promise<void> {
		const { state } = await this.#authEntry(message.docId);
		if (!state || message.epoch !== state.epoch || !mayWrite(state, message.epoch, message.author)) {
			throw new RelayError('not-a-writer', 'This device may not send presence for that document');
		}
		if ((message.ct.length * 3) / 4 > MAX_EPHEMERAL_BYTES) throw new RelayError('too-large', 'That presence message is too large');
		if (!this.#verifier.verify(fromBase64Url(message.sig), ephemeralSigningBytes(message), fromBase64Url(message.author))) {
			throw new RelayError('bad-signature', 'The presence signature does not verify');
		}
		// Presence is for whoever is here now: it is not stored, so it reaches this node's
		// subscribers only.
		this.#fanOutDoc(message.docId, conn, message);
	}

	// ── subscriptions and sending ─────────────────────────────────────────────────────────

	#subscribe(conn: Connection, docId: DocumentId): void {
		let set = this.#docSubscribers.get(docId);
		if (!set) this.#docSubscribers.set(docId, (set = new Set()));
		set.add(conn);
		conn.docs.add(docId);
	}

	#unsubscribe(conn: Connection, docId: DocumentId): void {
		const set = this.#docSubscribers.get(docId);
		set?.delete(conn);
		if (set?.size === 0) {
			this.#docSubscribers.delete(docId);
			this.#docCursor.delete(docId);
			this.#authFanned.delete(docId);
		}
		conn.docs.delete(docId);
	}

	#subscribeSpace(conn: Connection, spaceId: SpaceId): void {
		let set = this.#spaceSubscribers.get(spaceId);
		if (!set) this.#spaceSubscribers.set(spaceId, (set = new Set()));
		set.add(conn);
		conn.spaces.add(spaceId);
	}

	#dropConnection(conn: Connection, code: number): void {
		if (!this.#connections.delete(conn.ws)) return;
		for (const docId of [...conn.docs]) this.#unsubscribe(conn, docId);
		for (const spaceId of conn.spaces) {
			const set = this.#spaceSubscribers.get(spaceId);
			set?.delete(conn);
			if (set?.size === 0) {
				this.#spaceSubscribers.delete(spaceId);
				this.#spaceCursor.delete(spaceId);
			}
		}
		conn.spaces.clear();
		this.#log('connection_close', { conn: conn.id, code, seconds: Math.round((Date.now() - conn.openedAt) / 1000), rejected: conn.rejected }, 'debug');
	}

	#fanOutDoc(docId: DocumentId, from: Connection | undefined, message: ServerMessage): void {
		const set = this.#docSubscribers.get(docId);
		if (!set) return;
		const frame = JSON.stringify(message);
		for (const conn of set) if (conn !== from) this.#sendFanOut(conn, frame);
	}

	#fanOutSpace(spaceId: SpaceId, from: Connection | undefined, message: ServerMessage): void {
		const set = this.#spaceSubscribers.get(spaceId);
		if (!set) return;
		const frame = JSON.stringify(message);
		for (const conn of set) if (conn !== from) this.#sendFanOut(conn, frame);
	}

	#sendFanOut(conn: Connection, frame: string): void {
		this.#m.fanoutFrames.inc();
		if (conn.held) conn.held.push(frame);
		else this.#sendRaw(conn, frame);
	}

	#reject(conn: Connection, rid: number | undefined, error: RelayError): void {
		conn.rejected++;
		this.#m.rejected.inc({ reason: error.code });
		this.#log('frame_rejected', { conn: conn.id, reason: error.code }, 'debug');
		this.#send(conn, { type: 'error', ...(rid === undefined ? {} : { rid }), code: error.code, message: error.message });
	}

	#send(conn: Connection, message: ServerMessage): void {
		this.#sendRaw(conn, JSON.stringify(message));
	}

	#sendRaw(conn: Connection, frame: string): void {
		const ws = conn.ws;
		if (ws.readyState !== WebSocket.OPEN) return;
		if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
			ws.close(CLOSE.tooFarBehind, 'Too far behind; please reconnect');
			return;
		}
		this.#cork(conn);
		ws.send(frame);
	}

	/**
	 * Holds a connection's frames until the end of this turn of the event loop, so what one
	 * turn sends it (an ack and the entries that committed with it, say) goes out in one write.
	 * On loopback a socket write costs some 60 µs whatever its size, and under load the relay
	 * sends four frames per entry, so this is where its thread went.
	 */
	#cork(conn: Connection): void {
		if (this.#corked.has(conn)) return;
		const socket = (conn.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
		if (!socket) return;
		socket.cork();
		this.#corked.set(conn, socket);
		if (this.#corked.size === 1) setImmediate(() => this.#uncorkAll());
	}

	#uncorkAll(): void {
		const corked = this.#corked;
		this.#corked = new Map();
		for (const socket of corked.values()) socket.uncork();
	}
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
