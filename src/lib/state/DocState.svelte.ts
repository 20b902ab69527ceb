// A rune-friendly view of one DocHandle: reading `.doc` inside an effect or template
// subscribes to the handle's change events, and unsubscribes when nothing reads it.
import type { DocHandle } from '@automerge/automerge-repo';
import type { ChangeFn } from '@automerge/automerge';
import { createSubscriber } from 'svelte/reactivity';
import { words } from '$lib/words';

const msg = words.messages.state.docState;

export class DocState<T> {
	readonly handle: DocHandle<T>;
	readonly #subscribe: () => void;

	constructor(handle: DocHandle<T>) {
		this.handle = handle;
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

	change(fn: ChangeFn<T>): void {
		this.handle.change(fn);
	}

	/**
	 * Runs a change that may be refused and returns its verdict (the model's change functions
	 * leave the document untouched when they refuse, so nothing is recorded then).
	 */
	attempt<R>(fn: (doc: T) => R): R {
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
