// Presence for one document: tells the others viewing it who is here and where their cursor
// is, and keeps a roster of everyone else. Travels only as encrypted, signed, unstored
// ephemeral messages, so the relay sees neither names nor positions. Moves are throttled (at
// most one message per `throttleMs`, the last one always sent); a heartbeat repeats where we
// are so newcomers see us within a second; someone not heard from for `ttlMs` is dropped, and
// a client that closes properly says goodbye at once.
import type { DocumentId } from '$lib/protocol';
import {
	applyPresence,
	decodePresence,
	encodePresence,
	expirePresence,
	peersOf,
	type PresencePeer,
	type PresenceSpot,
	type Roster
} from '$lib/model/presence';
import type { EphemeralMessage } from './SyncEngine';

/** What the channel needs from the engine (a SyncEngine fits). */
export interface EphemeralPort {
	readonly deviceKey: string;
	sendEphemeral(docId: DocumentId, data: Uint8Array): boolean;
	onEphemeral(listener: (message: EphemeralMessage) => void): () => void;
}

export interface PresenceOptions {
	throttleMs?: number;
	heartbeatMs?: number;
	ttlMs?: number;
	now?: () => number;
}

function randomSession(): string {
	const bytes = new Uint8Array(9);
	globalThis.crypto.getRandomValues(bytes);
	return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class PresenceChannel {
	readonly docId: DocumentId;
	readonly session = randomSession();
	readonly #port: EphemeralPort;
	readonly #me: { name: string; colour: number };
	readonly #throttleMs: number;
	readonly #ttlMs: number;
	readonly #now: () => number;
	readonly #listeners = new Set<(peers: PresencePeer[]) => void>();
	readonly #stop: () => void;
	readonly #heartbeat: ReturnType<typeof setInterval>;
	#roster: Roster = {};
	#spot: PresenceSpot | null = null;
	#lastSent = -Infinity;
	#trailing?: ReturnType<typeof setTimeout>;
	#closed = false;

	constructor(port: EphemeralPort, docId: DocumentId, me: { name: string; colour: number }, options: PresenceOptions = {}) {
		this.#port = port;
		this.docId = docId;
		this.#me = { ...me };
		this.#throttleMs = options.throttleMs ?? 50;
		this.#ttlMs = options.ttlMs ?? 3000;
		this.#now = options.now ?? Date.now;
		this.#stop = port.onEphemeral((m) => this.#receive(m));
		const heartbeatMs = options.heartbeatMs ?? 500;
		this.#heartbeat = setInterval(() => {
			this.#sendNow();
			this.#expire();
		}, heartbeatMs);
		this.#sendNow();
	}

	/** Everyone else here, in a steady order. */
	get peers(): PresencePeer[] {
		return peersOf(this.#roster);
	}

	onChange(listener: (peers: PresencePeer[]) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Where this person is now (null: on the page, not in a text). Throttled. */
	move(spot: PresenceSpot | null): void {
		if (this.#closed) return;
		const same = JSON.stringify(spot) === JSON.stringify(this.#spot);
		this.#spot = spot ? { ...spot } : null;
		if (same) return;
		const wait = this.#lastSent + this.#throttleMs - this.#now();
		if (wait <= 0) this.#sendNow();
		else this.#trailing ??= setTimeout(() => this.#sendNow(), wait);
	}

	/** Says goodbye and stops. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		clearInterval(this.#heartbeat);
		clearTimeout(this.#trailing);
		this.#port.sendEphemeral(this.docId, encodePresence({ v: 1, type: 'gone', session: this.session }));
		this.#stop();
		this.#listeners.clear();
	}

	#sendNow(): void {
		if (this.#closed) return;
		clearTimeout(this.#trailing);
		this.#trailing = undefined;
		const message = encodePresence({ v: 1, type: 'here', session: this.session, name: this.#me.name, colour: this.#me.colour, spot: this.#spot });
		// Offline, nothing is sent; the heartbeat tries again once the connection is back.
		if (this.#port.sendEphemeral(this.docId, message)) this.#lastSent = this.#now();
	}

	#receive(m: EphemeralMessage): void {
		if (m.docId !== this.docId || this.#closed) return;
		const message = decodePresence(m.data);
		if (!message || message.session === this.session) return;
		const before = this.#roster[message.session];
		const next = applyPresence(this.#roster, m.author, message, this.#now());
		if (next === this.#roster) return;
		this.#roster = next;
		// Someone new: answer at once rather than at the next heartbeat.
		if (message.type === 'here' && !before) this.#sendNow();
		// A heartbeat that only says "still here" changes nothing anyone sees.
		const after = next[message.session];
		const same = before && after && before.name === after.name && before.colour === after.colour && JSON.stringify(before.spot) === JSON.stringify(after.spot);
		if (!same) this.#emit();
	}

	#expire(): void {
		const next = expirePresence(this.#roster, this.#now(), this.#ttlMs);
		if (next === this.#roster) return;
		this.#roster = next;
		this.#emit();
	}

	#emit(): void {
		const peers = this.peers;
		for (const l of this.#listeners) l(peers);
	}
}
