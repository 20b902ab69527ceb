// One WebSocket to the relay that reconnects by itself with exponential backoff and jitter.
// It knows nothing about documents: it parses and checks frames and hands them on.
//
// A socket that opens is no sign of a working relay: one that accepts and then drops every
// connection at once (crashing on each, or an overloaded proxy) would otherwise be redialled
// every few hundred milliseconds for ever. So the wait keeps growing until whoever uses the
// connection says a session was healthy (sessionHealthy): for the sync engine, the relay's
// welcome and a completed catch-up.
import { PROTOCOL_VERSION, isServerMessage, setAsideMalformedEntries, type ClientMessage, type ServerMessage } from '$lib/protocol';
import { words } from '$lib/words';

const msg = words.messages.sync.relayConnection;

export type ConnectionState = 'offline' | 'connecting' | 'online';

/** The subset of the WebSocket API used here, so Node's `ws` works as well as the browser's. */
export interface SocketLike {
	readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	onopen: ((ev: unknown) => void) | null;
	onclose: ((ev: { code: number; reason: string }) => void) | null;
	onerror: ((ev: unknown) => void) | null;
	onmessage: ((ev: { data: unknown }) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface RelayConnectionEvents {
	onState(state: ConnectionState): void;
	onMessage(message: ServerMessage): void;
	/** A frame from the relay that is not valid protocol: reported, never acted on. */
	onBadFrame(reason: string): void;
}

const OPEN = 1;

export class RelayConnection {
	readonly #url: string;
	readonly #factory: SocketFactory;
	readonly #events: RelayConnectionEvents;
	#socket?: SocketLike;
	#state: ConnectionState = 'offline';
	#wanted = false;
	/** Dials since the last healthy session; the wait before the next one grows with it. */
	#attempt = 0;
	#retryTimer?: ReturnType<typeof setTimeout>;
	readonly minDelayMs: number;
	readonly maxDelayMs: number;

	constructor(url: string, factory: SocketFactory, events: RelayConnectionEvents, backoff = { minMs: 250, maxMs: 30_000 }) {
		this.#url = url;
		this.#factory = factory;
		this.#events = events;
		this.minDelayMs = backoff.minMs;
		this.maxDelayMs = backoff.maxMs;
	}

	get state(): ConnectionState {
		return this.#state;
	}

	/** Start (or keep) trying to be connected. */
	connect(): void {
		this.#wanted = true;
		if (this.#socket || this.#retryTimer) return;
		this.#open();
	}

	/** Stop and stay disconnected until connect() is called again. */
	disconnect(): void {
		this.#wanted = false;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		const socket = this.#socket;
		this.#socket = undefined;
		if (socket) {
			socket.onclose = socket.onmessage = socket.onopen = null;
			// Closing a socket that is still connecting raises an error event; swallow it.
			socket.onerror = () => {};
			try {
				socket.close(1000, 'bye');
			} catch {
				// Already closing.
			}
		}
		this.#setState('offline');
	}

	/** Reconnect now instead of waiting out the backoff (e.g. the browser says it is online). */
	retryNow(): void {
		if (!this.#wanted || this.#socket) return;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		this.#attempt = 0;
		this.#open();
	}

	/**
	 * The session on this socket proved healthy (for the engine: welcomed, and a catch-up
	 * answered in full), so if it drops, the next dial comes after the shortest wait again.
	 */
	sessionHealthy(): void {
		if (this.#state === 'online') this.#attempt = 0;
	}

	send(message: ClientMessage): boolean {
		if (this.#state !== 'online' || !this.#socket || this.#socket.readyState !== OPEN) return false;
		this.#socket.send(JSON.stringify(message));
		return true;
	}

	#open(): void {
		this.#setState('connecting');
		let socket: SocketLike;
		try {
			socket = this.#factory(this.#url);
		} catch {
			this.#scheduleRetry();
			return;
		}
		this.#socket = socket;
		socket.onopen = () => {
			socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION } satisfies ClientMessage));
		};
		socket.onmessage = (ev) => {
			let message: unknown;
			try {
				message = setAsideMalformedEntries(JSON.parse(String(ev.data)));
			} catch {
				this.#events.onBadFrame(msg.notJson);
				return;
			}
			if (!isServerMessage(message)) {
				this.#events.onBadFrame(msg.notUnderstood);
				return;
			}
			// Only report online once the relay has greeted us, so sends never race the handshake.
			if (message.type === 'welcome') this.#setState('online');
			this.#events.onMessage(message);
		};
		socket.onclose = () => {
			if (this.#socket !== socket) return;
			this.#socket = undefined;
			this.#setState(this.#wanted ? 'connecting' : 'offline');
			if (this.#wanted) this.#scheduleRetry();
		};
		socket.onerror = () => {
			// A close event always follows; retrying is handled there.
		};
	}

	#scheduleRetry(): void {
		const exp = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.#attempt);
		const delay = exp / 2 + Math.random() * (exp / 2);
		this.#attempt++;
		this.#retryTimer = setTimeout(() => {
			this.#retryTimer = undefined;
			if (this.#wanted && !this.#socket) this.#open();
		}, delay);
	}

	#setState(state: ConnectionState): void {
		if (state === this.#state) return;
		this.#state = state;
		this.#events.onState(state);
	}
}
