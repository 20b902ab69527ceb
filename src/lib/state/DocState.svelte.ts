// A rune-friendly view of one DocHandle: reading `.doc` inside an effect or template
// subscribes to the handle's change events, and unsubscribes when nothing reads it. `saved()`
// is what a page awaits before it tells someone their words are kept.
import type { DocHandle } from '@automerge/automerge-repo';
import type { ChangeFn } from '@automerge/automerge';
import { createSubscriber } from 'svelte/reactivity';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { words } from '$lib/words';
import { SpaceClosedError } from './SpaceClosedError';

const msg = words.messages.state.docState;

/** Who knows when a change is on the device's disk (the sync engine). */
export interface Durability {
	whenDurable(docId: DocumentId): Promise<void>;
}

/**
 * Who knows whether a document may still be written (the app, from its space's membership).
 * `closedSpace` is read reactively; `refused` is told when a change was turned away, so the
 * page can say so where the person is looking.
 */
export interface WriteGate {
	closedSpace(docId: DocumentId): SpaceId | undefined;
	refused(spaceId: SpaceId): void;
}

/** One DocState per handle, so every page reading a document shares one subscription. */
const states = new WeakMap<DocHandle<unknown>, DocState<unknown>>();

export class DocState<T> {
	readonly handle: DocHandle<T>;
	readonly #durability: Durability;
	readonly #gate: WriteGate | undefined;
	readonly #subscribe: () => void;

	/** The shared state for a handle (made the first time it is asked for). */
	static of<T>(durability: Durability, handle: DocHandle<T>, gate?: WriteGate): DocState<T> {
		let s = states.get(handle as DocHandle<unknown>);
		if (!s) states.set(handle as DocHandle<unknown>, (s = new DocState(durability, handle as DocHandle<unknown>, gate)));
		return s as DocState<T>;
	}

	private constructor(durability: Durability, handle: DocHandle<T>, gate: WriteGate | undefined) {
		this.handle = handle;
		this.#durability = durability;
		this.#gate = gate;
		this.#subscribe = createSubscriber((update) => {
			const onChange = () => update();
			handle.on('change', onChange);
			handle.on('delete', onChange);
			return () => {
				handle.off('change', onChange);
				handle.off('delete', onChange);
			};
		});
	}

	get doc(): T | undefined {
		this.#subscribe();
		return this.handle.isReady() ? this.handle.doc() : undefined;
	}

	/**
	 * Whether nothing more may be written here (reactive): this person, or this device, was
	 * removed from the document's space. What is already here stays readable.
	 */
	get closed(): boolean {
		return this.#closedSpace() !== undefined;
	}

	#closedSpace(): SpaceId | undefined {
		return this.#gate?.closedSpace(this.handle.documentId as unknown as DocumentId);
	}

	/** Throws a SpaceClosedError, changing nothing, once the document's space has shut this device out. */
	#mayWrite(): void {
		const spaceId = this.#closedSpace();
		if (spaceId === undefined) return;
		this.#gate!.refused(spaceId);
		throw new SpaceClosedError(spaceId, msg.closed);
	}

	change(fn: ChangeFn<T>): void {
		this.#mayWrite();
		this.handle.change(fn);
	}

	/**
	 * Resolves once every change made to this document so far is on this device's disk: only
	 * then may a page say "saved" or "recorded". Rejects with a StorageWriteError (with a
	 * plain `kind`) if the device refuses the write; the change stays in memory and on screen,
	 * the sync status says so, and it is written as soon as it fits.
	 */
	saved(): Promise<void> {
		return this.#durability.whenDurable(this.handle.documentId as unknown as DocumentId);
	}

	/**
	 * Runs a change that may be refused and returns its verdict (the model's change functions
	 * leave the document untouched when they refuse, so nothing is recorded then).
	 */
	attempt<R>(fn: (doc: T) => R): R {
		this.#mayWrite();
		let result: R | undefined;
		let ran = false;
		this.handle.change((d) => {
			result = fn(d as T);
			ran = true;
		});
		if (!ran) throw new Error(msg.notChanged);
		return result as R;
	}
}
