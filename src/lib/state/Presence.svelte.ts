// Reactive presence for one document: who else is here and where their cursors are, for
// Svelte. The sending, throttling and expiry live in PresenceChannel; this mirrors its roster
// into a rune field and closes the channel (saying goodbye) when the page goes away.
import type { DocumentId } from '$lib/protocol';
import type { PresencePeer, PresenceSpot } from '$lib/model/presence';
import { PRESENCE_COLOURS } from '$lib/model/presence';
import { PresenceChannel, type EphemeralPort } from '$lib/sync/PresenceChannel';

/** A steady colour for a person, so they look the same on everyone's screen. */
export function colourFor(person: string): number {
	let h = 0;
	for (let i = 0; i < person.length; i++) h = (h * 31 + person.charCodeAt(i)) >>> 0;
	return h % PRESENCE_COLOURS;
}

export class Presence {
	peers = $state<PresencePeer[]>([]);
	readonly #channel: PresenceChannel;
	readonly #unlisten: () => void;
	readonly #onHide: () => void;

	constructor(port: EphemeralPort, docId: DocumentId, me: { name: string; colour: number }) {
		this.#channel = new PresenceChannel(port, docId, me);
		this.#unlisten = this.#channel.onChange((peers) => (this.peers = peers));
		// Closing the tab: say goodbye so others see us leave at once.
		this.#onHide = () => this.#channel.close();
		addEventListener('pagehide', this.#onHide);
	}

	move(spot: PresenceSpot | null): void {
		this.#channel.move(spot);
	}

	close(): void {
		removeEventListener('pagehide', this.#onHide);
		this.#unlisten();
		this.#channel.close();
	}
}
