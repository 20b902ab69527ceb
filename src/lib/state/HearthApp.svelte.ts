// The app's live state for Svelte: one Repo on IndexedDB, one SyncEngine, and rune fields
// mirroring sync status. Created once by the root layout and shared through context.
import { getContext, setContext } from 'svelte';
import { SyncEngine, type SyncStatus } from '$lib/sync/SyncEngine';
import { IndexedDBStore } from '$lib/sync/IndexedDBStore';
import { LocalStore } from '$lib/sync/LocalStore';
import { TabChannel } from '$lib/sync/TabChannel';
import type { SocketLike } from '$lib/sync/RelayConnection';
import type { DocumentId, SpaceId } from '$lib/protocol';
import type { DocHandle, StorageAdapterInterface } from '@automerge/automerge-repo';

import { DeviceRecord } from './DeviceRecord.svelte';
import { DeviceStorage } from './DeviceStorage.svelte';
import { DocState, type WriteGate } from './DocState.svelte';
import { closureOf, type Closure } from '$lib/model/spaceMembers';
import type { DeviceCheck } from '$lib/model/mar';
import { authorDevices } from '$lib/keys/authorDevices';
import type { Joining } from './DeviceNotes.svelte';
import { deviceRepo } from '$lib/sync/deviceRepo';

const CONTEXT = Symbol('hearth');

export class HearthApp {
	readonly engine: SyncEngine;
	/** Small records this device keeps beside the documents (e.g. read-only copies from a backup). */
	readonly local: LocalStore;
	/** Notes this device keeps for itself (never synced). */
	readonly notes = {
		joining: new DeviceRecord<Joining>('hearth:joining'),
		checked: new DeviceRecord<string>('hearth:checked'),
		chatRead: new DeviceRecord<number>('hearth:chat-read'),
		/** Notes the person has read and dismissed (e.g. "keep your records safe"). */
		seen: new DeviceRecord<number>('hearth:seen')
	};
	/** Whether the browser keeps Hearth's data, and how full its storage is. */
	readonly deviceStorage = new DeviceStorage();
	/** Medication record entries whose signatures this session has checked (see verifyMarLog). */
	readonly verifiedMar = new Set<string>();
	status = $state<SyncStatus>({ connection: 'offline', pendingChanges: 0, strandedChanges: 0, unsavedChanges: 0, problems: [] });
	/** Bumped whenever the set of documents (or their availability) changes. */
	documentsVersion = $state(0);
	/** Bumped whenever a space's membership (or this person's identity) changes. */
	spacesVersion = $state(0);
	/** The person chose to pause syncing (e.g. on a metered connection). */
	paused = $state(false);
	/**
	 * The last change turned away because its space shut this device out (a space id and a
	 * count, so the same space refusing twice still tells the page again).
	 */
	refused = $state<{ spaceId: SpaceId; count: number } | undefined>(undefined);
	readonly #gate: WriteGate = {
		closedSpace: (docId) => {
			const space = this.spaceOf(docId)?.spaceId;
			return space && this.isShutOut(space) ? space : undefined;
		},
		refused: (spaceId) => this.noteRefused(spaceId)
	};

	/** A change for this space was turned away (see `refused`). */
	noteRefused(spaceId: SpaceId): void {
		this.refused = { spaceId, count: (this.refused?.count ?? 0) + 1 };
	}
	readonly #cleanups: Array<() => void> = [];

	private constructor(engine: SyncEngine, local: LocalStore) {
		this.engine = engine;
		this.local = local;
	}

	/** `storage` is the app lock's encrypting adapter when the lock is on. */
	static async start(storage: StorageAdapterInterface = new IndexedDBStore('hearth')): Promise<HearthApp> {
		const repo = deviceRepo(storage);
		const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
		const tabs = typeof BroadcastChannel === 'undefined' ? undefined : new TabChannel();
		const engine = await SyncEngine.open({
			repo,
			storage,
			url: `${scheme}://${location.host}/sync`,
			socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
			tabs
		});
		const app = new HearthApp(engine, new LocalStore(storage, engine.storageHealth));
		if (tabs) app.#cleanups.push(() => tabs.close());
		app.#wire();
		return app;
	}

	#wire(): void {
		this.#cleanups.push(this.engine.onStatus((s) => (this.status = s)));
		this.#cleanups.push(this.engine.onDocuments(() => this.documentsVersion++));
		this.#cleanups.push(this.engine.onSpaces(() => this.spacesVersion++));
		const online = () => {
			if (!this.paused) this.engine.connect();
			this.engine.retryNow();
		};
		// The browser knows before the socket does; react at once rather than waiting on timeouts.
		const offline = () => this.engine.disconnect();
		addEventListener('online', online);
		addEventListener('offline', offline);
		this.#cleanups.push(() => removeEventListener('online', online));
		this.#cleanups.push(() => removeEventListener('offline', offline));
		// A hidden page may never run another timer (a phone put away, a tab discarded, a page
		// closed or left): write everything not yet on disk now. Back in view, try again
		// anything the disk refused.
		const hidden = () => void this.engine.flushLocal();
		const visibility = () => (document.visibilityState === 'hidden' ? hidden() : this.engine.retryStorage());
		addEventListener('pagehide', hidden);
		document.addEventListener('visibilitychange', visibility);
		document.addEventListener('freeze', hidden);
		this.#cleanups.push(() => removeEventListener('pagehide', hidden));
		this.#cleanups.push(() => document.removeEventListener('visibilitychange', visibility));
		this.#cleanups.push(() => document.removeEventListener('freeze', hidden));
		if (navigator.onLine !== false) this.engine.connect();
		this.#watchStorage();
	}

	/**
	 * Asks the browser to keep Hearth's data once the device holds something of the person's
	 * (not before: some browsers ask the person, which is a strange question on a first
	 * visit), and keeps the "how full" figure fresh: now and then, and whenever a write fails.
	 */
	#watchStorage(): void {
		const storage = this.deviceStorage;
		const askIfHolding = () => {
			if (this.engine.documents().length > 0) void storage.ask(true);
		};
		void storage.check().then(askIfHolding);
		this.#cleanups.push(this.engine.onDocuments(askIfHolding));
		this.#cleanups.push(
			this.engine.storageHealth.on(() => {
				void storage.check();
			})
		);
		const timer = setInterval(() => void storage.check(), 10 * 60_000);
		this.#cleanups.push(() => clearInterval(timer));
	}

	setPaused(paused: boolean): void {
		this.paused = paused;
		if (paused) this.engine.disconnect();
		else this.engine.connect();
	}

	documents(): DocumentId[] {
		void this.documentsVersion;
		return this.engine.documents();
	}

	/**
	 * The document's handle. A copy still on disk starts loading and this returns undefined
	 * for now; the read re-runs when it is ready (the engine announces it).
	 */
	handle<T>(docId: DocumentId): DocHandle<T> | undefined {
		void this.documentsVersion;
		const handle = this.engine.handle<T>(docId);
		if (!handle && this.engine.isOnDisk(docId)) void this.engine.load(docId);
		return handle;
	}

	/** The shared reactive state of a loaded document (whose `saved()` pages await). */
	state<T>(handle: DocHandle<T>): DocState<T> {
		return DocState.of(this.engine, handle, this.#gate);
	}

	/** A document's kind and period without loading it (see SyncEngine.describe). */
	describe(docId: DocumentId): ReturnType<SyncEngine['describe']> {
		void this.documentsVersion;
		return this.engine.describe(docId);
	}

	// ── spaces (reactive reads of the engine's membership state) ──────────────────────────

	/** This person's identity key, once they have one (made when they first start or join a space). */
	personKey(): ReturnType<SyncEngine['personKey']> {
		void this.spacesVersion;
		return this.engine.personKey();
	}

	spaces(): SpaceId[] {
		void this.spacesVersion;
		return this.engine.spaces();
	}

	spaceState(spaceId: SpaceId): ReturnType<SyncEngine['spaceState']> {
		void this.spacesVersion;
		return this.engine.spaceState(spaceId);
	}

	/** Whether this device can never write to the space again (see SyncEngine.isShutOut). */
	isShutOut(spaceId: SpaceId): boolean {
		void this.spacesVersion;
		return this.engine.isShutOut(spaceId);
	}

	/**
	 * Whether a device is (or was) one of `author`'s in this space, as its membership log says:
	 * the check a signed record's device must pass (see `$lib/model/authorship`). A device the
	 * log never admitted for that person fails, so a member can't sign in someone else's name.
	 * Removed devices still count for what they signed while they were in.
	 */
	authorCheck(spaceId: SpaceId): DeviceCheck {
		void this.spacesVersion;
		return authorDevices(this.engine.spaceState(spaceId));
	}

	/** Why, and since when, this device can no longer add anything to a space; undefined while it can. */
	closure(spaceId: SpaceId): Closure | undefined {
		void this.spacesVersion;
		const state = this.engine.spaceState(spaceId);
		return state ? closureOf(state, this.engine.personKey(), this.engine.deviceKey) : undefined;
	}

	spaceOf(docId: DocumentId): ReturnType<SyncEngine['spaceOf']> {
		void this.documentsVersion;
		void this.spacesVersion;
		return this.engine.spaceOf(docId);
	}

	/** Whether this device holds the keys to read a document. */
	hasAccess(docId: DocumentId): boolean {
		void this.documentsVersion;
		void this.spacesVersion;
		return this.engine.access(docId) !== undefined;
	}

	dismissProblems(): void {
		this.status = { ...this.status, problems: [] };
	}

	async destroy(): Promise<void> {
		for (const c of this.#cleanups.splice(0)) c();
		await this.engine.close();
		// Writes everything to storage and lets go of it (the app lock relies on this).
		await this.engine.repo.shutdown();
	}

	provide(): void {
		setContext(CONTEXT, this);
	}

	static current(): HearthApp {
		const app = getContext<HearthApp | undefined>(CONTEXT);
		if (!app) throw new Error('HearthApp is not available here; it is provided by the root layout');
		return app;
	}
}
