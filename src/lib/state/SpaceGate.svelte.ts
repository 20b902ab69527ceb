// One place that knows whether this device may still add anything to a space. Every page of a
// team (or circle, or private space) reads it: its layout makes one and provides it, the
// notice at the top of the page says why it is closed, and `WriteGate` disables the forms
// inside it. Changes are also refused underneath, in DocState, so a form this missed still
// cannot quietly accept something that could never be sent.
import { getContext, setContext } from 'svelte';
import type { SpaceId } from '$lib/protocol';
import type { Closure } from '$lib/model/spaceMembers';
import type { HearthApp } from './HearthApp.svelte';

const CONTEXT = Symbol('space-gate');

/** What the person calls the space, for the sentences that name it. */
export type PlaceKind = 'team' | 'circle' | 'space';

export class SpaceGate {
	readonly app: HearthApp;
	readonly place: PlaceKind;
	readonly #spaceId: () => SpaceId | undefined;

	/** `spaceId` is read each time, so a layout kept while moving between spaces follows along. */
	constructor(app: HearthApp, spaceId: () => SpaceId | undefined, place: PlaceKind) {
		this.app = app;
		this.#spaceId = spaceId;
		this.place = place;
	}

	get spaceId(): SpaceId | undefined {
		return this.#spaceId();
	}

	/** Why nothing new can be added, and since when; undefined while it can (reactive). */
	get closure(): Closure | undefined {
		const id = this.spaceId;
		return id ? this.app.closure(id) : undefined;
	}

	get closed(): boolean {
		return this.closure !== undefined;
	}

	/** How many changes for this space were turned away so far (reactive; see HearthApp.refused). */
	get refusals(): number {
		const r = this.app.refused;
		return r && r.spaceId === this.spaceId ? r.count : 0;
	}

	provide(): void {
		setContext(CONTEXT, this);
	}

	/** The gate of the page's space, if a layout provided one. */
	static current(): SpaceGate | undefined {
		return getContext<SpaceGate | undefined>(CONTEXT);
	}
}
