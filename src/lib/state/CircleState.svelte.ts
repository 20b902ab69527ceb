// A Circle in the browser: a private space whose documents include a `circle` document (and
// its logbook). Finds them by `kind` among the space's documents this device can read, and
// exposes each as a DocState. `CircleState.create` starts a circle: a space with one access
// circle holding its shared notes, the circle and the logbook. Published minutes from other
// circles arrive as `published-minutes` documents in this space.
import type { DocHandle } from '@automerge/automerge-repo';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { words } from '$lib/words';
import { DocState } from './DocState.svelte';
import type { HearthApp } from './HearthApp.svelte';
import { cleanName, cleanTitle, newPrivateSpace, type Space } from '$lib/model/space';
import { isCircle, newCircle, type Circle, type CircleLink } from '$lib/model/circle';
import { isLogbook, newLogbook, type Logbook } from '$lib/model/logbook';
import { isPersonalLogbook, isPublishedMinutes, newPersonalLogbook, type PersonalLogbook, type PublishedMinutes } from '$lib/model/circleSpace';
import type { PersonKey } from '$lib/model/ids';

const msg = words.messages.state.circle;

function docsOf(app: HearthApp, spaceId: SpaceId): Array<{ docId: DocumentId; state: DocState<unknown>; kind: unknown }> {
	const docs = app.spaceState(spaceId)?.docs;
	if (!docs) return [];
	const out = [];
	for (const docId of docs.keys()) {
		const handle = app.handle<unknown>(docId as DocumentId);
		if (!handle) continue;
		const state = app.state(handle);
		const doc = state.doc as { kind?: unknown } | undefined;
		if (doc) out.push({ docId: docId as DocumentId, state, kind: doc.kind });
	}
	return out;
}

/** Whether a space is a Circle (reactive). */
export function isCircleSpace(app: HearthApp, spaceId: SpaceId): boolean {
	return docsOf(app, spaceId).some((d) => d.kind === 'circle');
}

/** Whether a space is someone's personal logbook (reactive). */
export function isPersonalLogbookSpace(app: HearthApp, spaceId: SpaceId): boolean {
	return docsOf(app, spaceId).some((d) => d.kind === 'personal-logbook');
}

export class CircleState {
	readonly app: HearthApp;
	readonly spaceId: SpaceId;

	readonly #docs = $derived.by(() => docsOf(this.app, this.spaceId));

	constructor(app: HearthApp, spaceId: SpaceId) {
		this.app = app;
		this.spaceId = spaceId;
	}

	#find<T>(kind: string, guard: (doc: unknown) => doc is T): DocState<T> | undefined {
		const found = this.#docs.find((d) => d.kind === kind && guard(d.state.doc));
		return found?.state as DocState<T> | undefined;
	}

	get circle(): DocState<Circle> | undefined {
		return this.#find('circle', isCircle);
	}
	get logbook(): DocState<Logbook> | undefined {
		return this.#find('logbook', isLogbook);
	}
	get logbookId(): DocumentId | undefined {
		return this.#docs.find((d) => d.kind === 'logbook')?.docId;
	}
	get notes(): DocState<Space> | undefined {
		return this.#find('space', (d): d is Space => (d as Space | undefined)?.kind === 'space');
	}
	get personalLogbook(): DocState<PersonalLogbook> | undefined {
		return this.#find('personal-logbook', isPersonalLogbook);
	}
	/** Minutes and decisions other circles chose to share with this one, newest first. */
	get published(): Array<{ docId: DocumentId; doc: PublishedMinutes }> {
		return this.#docs
			.filter((d) => d.kind === 'published-minutes' && isPublishedMinutes(d.state.doc))
			.map((d) => ({ docId: d.docId, doc: d.state.doc as PublishedMinutes }))
			.sort((a, b) => b.doc.publishedAt - a.doc.publishedAt);
	}
	/** The space's one access circle (everyone in the circle). */
	get everyone(): string | undefined {
		return [...(this.app.spaceState(this.spaceId)?.circles.keys() ?? [])][0];
	}

	/** Starts a circle owned by this person. `parent` links it to a wider circle this device knows. */
	static async create(app: HearthApp, options: { name: string; myName: string; aim: string; domain: string; parent: CircleLink | null }): Promise<SpaceId> {
		const engine = app.engine;
		const name = cleanTitle(options.name) || words.messages.model.circle.defaultName;
		const myName = cleanName(options.myName);
		await engine.person();
		const me = engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await engine.createSpace(1);
		const [everyone] = circles;
		const notes = newPrivateSpace(name, me, myName, circles);
		notes.circles = { [everyone]: msg.everyoneInCircle };
		// First, so the People panel finds it as the space's main document.
		await engine.createInSpace(spaceId, everyone, notes);
		await engine.createInSpace(spaceId, everyone, newCircle(name, me, myName, { aim: options.aim, domain: options.domain, parent: options.parent }));
		await engine.createInSpace(spaceId, everyone, newLogbook());
		return spaceId;
	}

	/** This person's own logbook, in a private space only they hold the key to. */
	static async createPersonalLogbook(app: HearthApp, myName: string): Promise<SpaceId> {
		const engine = app.engine;
		await engine.person();
		const me = engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await engine.createSpace(1);
		const notes = newPrivateSpace(msg.myLogbook, me, cleanName(myName), circles);
		notes.circles = { [circles[0]]: msg.sharedWith };
		await engine.createInSpace(spaceId, circles[0], notes);
		await engine.createInSpace(spaceId, circles[0], newPersonalLogbook(me));
		return spaceId;
	}

	/** Writes a copy of what was chosen into the wider circle's space, encrypted to its key. */
	static async publish(app: HearthApp, parentSpaceId: SpaceId, doc: PublishedMinutes): Promise<DocumentId> {
		const state = app.engine.spaceState(parentSpaceId);
		const everyone = state ? [...state.circles.keys()][0] : undefined;
		if (!everyone) throw new Error(msg.notInWiderCircle);
		const handle = await app.engine.createInSpace(parentSpaceId, everyone, doc);
		return handle.documentId as unknown as DocumentId;
	}
}
