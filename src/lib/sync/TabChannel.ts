// Other tabs of Hearth in this browser. Each tab runs its own engine over the same IndexedDB,
// so without a word between them two tabs editing one document offline would each hold only
// their own edits in memory, and the relay could not help. A tab tells the others, once its
// changes are on disk, what they are; and when the relay confirms something, so they need
// not send it again. Anything posted here is already on the device's disk: a tab that closes
// mid-edit has lost nothing another tab (or the next start) cannot read.
//
// Only tabs of this origin can post on the channel (the same trust as IndexedDB itself), but
// what arrives is still checked for shape before it is used.
import type { DocumentId } from '$lib/protocol';

export type TabMessage =
	/** A document's changes (Automerge bytes) that are on disk. */
	| { type: 'changes'; docId: DocumentId; changes: Uint8Array }
	/** The relay has everything up to these heads of the document. */
	| { type: 'known'; docId: DocumentId; heads: string[] };

/** How tabs talk: BroadcastChannel in the browser (and in Node, for tests). */
export interface TabLink {
	post(message: TabMessage): void;
	onMessage(listener: (message: TabMessage) => void): () => void;
	close(): void;
}

export function isTabMessage(value: unknown): value is TabMessage {
	if (!value || typeof value !== 'object') return false;
	const m = value as Record<string, unknown>;
	if (typeof m.docId !== 'string' || m.docId.length === 0 || m.docId.length > 100) return false;
	if (m.type === 'changes') return m.changes instanceof Uint8Array;
	if (m.type === 'known') return Array.isArray(m.heads) && m.heads.length <= 64 && m.heads.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
	return false;
}

export class TabChannel implements TabLink {
	readonly #channel: BroadcastChannel;

	constructor(name = 'hearth-tabs') {
		this.#channel = new BroadcastChannel(name);
	}

	post(message: TabMessage): void {
		try {
			this.#channel.postMessage(message);
		} catch {
			// Closed (the page is going away): the other tabs read it from disk instead.
		}
	}

	onMessage(listener: (message: TabMessage) => void): () => void {
		const handler = (event: MessageEvent) => {
			if (isTabMessage(event.data)) listener(event.data);
		};
		this.#channel.addEventListener('message', handler);
		return () => this.#channel.removeEventListener('message', handler);
	}

	close(): void {
		this.#channel.close();
	}
}
