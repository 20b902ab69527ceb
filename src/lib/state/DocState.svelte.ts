// A rune-friendly view of one DocHandle: reading `.doc` inside an effect or template
// subscribes to the handle's change events, and unsubscribes when nothing reads it.
import type { DocHandle } from '@automerge/automerge-repo';
import type { ChangeFn } from '@automerge/automerge';
import { createSubscriber } from 'svelte/reactivity';

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
}
