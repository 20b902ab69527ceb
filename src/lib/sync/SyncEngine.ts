// The client side of end-to-end encrypted sync. automerge-repo keeps each document on the
// device (DocHandles, storage, change events); this engine turns local changes into
// encrypted, signed entries for the blind relay, and verifies, decrypts and merges what the
// relay delivers. Nothing is merged before its signature, writer and ciphertext check out.
// The engine is the coordinator: it owns the connection, the requests in flight and the
// dispatch of what the relay says, the documents and spaces it tracks, and status and
// persistence. The work is done by collaborators that reach it through `EngineCore`:
// `OutgoingEntries` (sending), `IncomingEntries` (checking and merging), `SpaceRunner`
// (private spaces) and `DeviceLinking` (linking devices, recovery kits).
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId as RepoDocumentId, Repo, StorageAdapterInterface } from '@automerge/automerge-repo';
import { cryptoReady, decrypt, encrypt, newSymmetricKey, sign, verify } from '$lib/crypto';
import {
	applyAuthRecord,
	ephemeralAssociatedData,
	ephemeralSigningBytes,
	fromBase64Url,
	mayWrite,
	toBase64Url,
	type AuthRecord,
	type ClientMessage,
	type DeviceKey,
	type DocumentId,
	type LoggedOp,
	type ServerMessage,
	type SignedOp,
	type SpaceId
} from '$lib/protocol';
import { createDevice, deviceKey, loadDevice, storeDevice, type DeviceSecrets, type StoredDevice } from '$lib/keys/device';
import { currentEpoch, genesisPolicy, keyForEpoch, newDocAccess, type DocAccess } from '$lib/keys/access';
import { loadPerson, personKey, storePerson, type DeviceInfo, type PersonKey, type PersonSecrets, type StoredPerson } from '$lib/keys/identity';
import type { LinkOffer } from '$lib/keys/deviceLink';
import { identityWithoutAuthority, mayStillSign, needsRecoveryKit, shutOut, type MembershipState, type Role } from '$lib/keys/membership';
import { followAuth, signerVerdicts } from '$lib/keys/policyAuthority';
import type { InvitationInfo, InvitationLink } from '$lib/keys/spaceOps';
import { createPerson } from '$lib/keys/identity';
import { words } from '$lib/words';
import { CachedVerifier } from '$lib/sync/CachedVerifier';
import { DeviceLinking } from '$lib/sync/DeviceLinking';
import { DocSync, type DocMeta, type DocSyncRecord } from '$lib/sync/DocSync';
import type { EngineCore, PendingRequest } from '$lib/sync/EngineCore';
import { IncomingEntries } from '$lib/sync/IncomingEntries';
import { LocalDurability, type DurabilityStats } from '$lib/sync/LocalDurability';
import { LocalStore } from '$lib/sync/LocalStore';
import { StorageHealth, type StorageHealthEvent } from '$lib/sync/StorageHealth';
import type { TabLink, TabMessage } from '$lib/sync/TabChannel';
import { OutgoingEntries } from '$lib/sync/OutgoingEntries';
import { RelayConnection, type ConnectionState, type SocketFactory } from '$lib/sync/RelayConnection';
import { SpaceRunner } from '$lib/sync/SpaceRunner';
import { SpaceSync, type SpaceSyncRecord } from '$lib/sync/SpaceSync';
import { StorageWriteError, type StorageFailureKind } from '$lib/sync/StorageWriteError';
import { afterRestore } from '$lib/sync/afterRestore';
import { dedupe, holds, sameHeads } from '$lib/sync/heads';
import { waitUntil } from '$lib/sync/waitUntil';

const msg = words.messages.sync.syncEngine;

export type ProblemKind = 'tampered' | 'replayed' | 'foreign' | 'unreadable' | 'refused' | 'relay';

/** Something that went wrong, in words a person can act on. Nothing is ever merged when one is raised. */
export interface SyncProblem {
	docId?: DocumentId;
	kind: ProblemKind;
	message: string;
	at: number;
}

export interface SyncStatus {
	connection: ConnectionState;
	/**
	 * Changes on this device (durable, see LocalDurability) that the relay has not confirmed,
	 * across all documents: "N changes waiting to sync" never counts one that is only in memory.
	 */
	pendingChanges: number;
	/**
	 * Changes on this device that can never be sent: they belong to a space this person (or
	 * this device) was removed from. Kept on the device, readable there; not in `pendingChanges`,
	 * so the status never says they are on their way.
	 */
	strandedChanges: number;
	/** Changes not yet on this device's disk (written within milliseconds, unless storage refuses). */
	unsavedChanges: number;
	/** Set while this device's storage refuses writes; what was typed stays in memory meanwhile. */
	storage?: { kind: StorageFailureKind; detail: string; since: number };
	/** When the relay last confirmed we were up to date. */
	lastSyncedAt?: number;
	problems: SyncProblem[];
}

export interface EphemeralMessage {
	docId: DocumentId;
	author: DeviceKey;
	data: Uint8Array;
}

export interface SyncEngineOptions {
	repo: Repo;
	/** Where sync state and keys live: the same adapter the repo uses. */
	storage: StorageAdapterInterface;
	/** ws:// or wss:// URL of the relay's /sync endpoint. */
	url: string;
	socketFactory: SocketFactory;
	/** How long local edits are gathered into one entry. */
	batchMs?: number;
	/** Push a snapshot after this many entries. */
	compactEvery?: number;
	backoff?: { minMs: number; maxMs: number };
	/** Other tabs of the app on this device (same storage), to keep open documents in step. */
	tabs?: TabLink;
}

type Listener<T> = (value: T) => void;

const MAX_PROBLEMS = 20;

export class SyncEngine {
	readonly repo: Repo;
	readonly device: DeviceSecrets;
	readonly deviceKey: DeviceKey;
	readonly #store: LocalStore;
	readonly #connection: RelayConnection;
	readonly #docs = new Map<DocumentId, DocSync>();
	readonly #requests = new Map<number, PendingRequest>();
	readonly #statusListeners = new Set<Listener<SyncStatus>>();
	readonly #docListeners = new Set<Listener<DocumentId>>();
	readonly #ephemeralListeners = new Set<Listener<EphemeralMessage>>();
	readonly #spaceListeners = new Set<Listener<SpaceId>>();
	readonly #spaces = new Map<SpaceId, SpaceSync>();
	readonly #opVerifier = new CachedVerifier();
	readonly #cleanups: Array<() => void> = [];
	#person?: PersonSecrets;
	readonly #waiters = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	readonly #fetched = new Map<number, LoggedOp[]>();
	readonly #watchers = new Map<SpaceId, (entries: LoggedOp[]) => void>();
	readonly #persistTimers = new Map<DocumentId, ReturnType<typeof setTimeout>>();
	readonly #persisting = new Map<DocumentId, Promise<void>>();
	readonly #durability: LocalDurability;
	/** Whether this device's storage takes writes; shared with everything that writes to it. */
	readonly storageHealth: StorageHealth;
	/** Documents whose sync record could not be written (storage refused); written on recovery. */
	readonly #unpersisted = new Set<DocumentId>();
	readonly #tabs: TabLink | undefined;
	#status: SyncStatus = { connection: 'offline', pendingChanges: 0, strandedChanges: 0, unsavedChanges: 0, problems: [] };
	#nextRid = 1;

	#syncInFlight = 0;
	#closed = false;
	/** Which copy of its storage the relay serves (see the welcome message), and the one last saved. */
	#lineage?: string;
	#savedLineage?: string;
	readonly #core: EngineCore;
	readonly #spaceRunner: SpaceRunner;
	readonly #linking: DeviceLinking;
	readonly #incoming: IncomingEntries;
	readonly #outgoing: OutgoingEntries;

	private constructor(options: SyncEngineOptions, device: DeviceSecrets, store: LocalStore, health: StorageHealth) {
		this.repo = options.repo;
		this.device = device;
		this.deviceKey = deviceKey(device);
		this.#store = store;
		this.storageHealth = health;
		this.#connection = new RelayConnection(
			options.url,
			options.socketFactory,
			{
				onState: (state) => this.#onConnectionState(state),
				onMessage: (message) => this.#onMessage(message),
				onBadFrame: (reason) => this.#problem({ kind: 'relay', message: msg.ignored(reason) })
			},
			options.backoff
		);
		this.#durability = new LocalDurability({
			write: (docId) => this.repo.flush([docId as unknown as RepoDocumentId]),
			before: (docId) => this.#markDirtyAhead(docId),
			health
		});
		this.#durability.on((event) => (event.type === 'durable' ? this.#onDurable(event.docId) : this.#onUnsaved(event.docId)));
		health.on((event) => this.#onStorageHealth(event));
		health.addRetrier(() => {
			if (this.#unpersisted.size === 0) return false;
			for (const docId of this.#unpersisted) void this.#persistNow(docId);
			return true;
		});
		this.#tabs = options.tabs;
		const stopTabs = this.#tabs?.onMessage((m) => this.#onTabMessage(m));
		if (stopTabs) this.#cleanups.push(stopTabs);
		this.#core = this.#lend();
		this.#spaceRunner = new SpaceRunner(this.#core);
		this.#linking = new DeviceLinking(this.#core, this.#spaceRunner);
		this.#incoming = new IncomingEntries(this.#core);
		this.#outgoing = new OutgoingEntries(this.#core, options.batchMs ?? 20, options.compactEvery ?? 512);
	}

	/** What collaborators may use; arrow functions so each keeps this engine as `this`. */
	#lend(): EngineCore {
		return {
			repo: this.repo,
			device: this.device,
			deviceKey: this.deviceKey,
			store: this.#store,
			docs: this.#docs,
			spaces: this.#spaces,
			opVerifier: this.#opVerifier,
			person: () => this.person(),
			currentPerson: () => this.#person,
			setPerson: (person) => {
				this.#person = person;
			},
			online: () => this.#connection.state === 'online',
			closed: () => this.#closed,
			request: (pending, message) => this.#request(pending, message),
			pendingRequest: (rid) => this.#requests.get(rid),
			endSync: (rid) => {
				// A catch-up answered in full: the relay works, not only accepts connections.
				if (this.#requests.get(rid)?.kind === 'sync') this.#connection.sessionHealthy();
				this.#requests.delete(rid);
				this.#syncInFlight = Math.max(0, this.#syncInFlight - 1);
			},
			requestSync: (docs, spaces) => this.#requestSync(docs, spaces),
			retrySync: (docIds, spaceIds) => this.#retrySync(docIds, spaceIds),
			appendRaw: (op) => this.#appendRaw(op),
			fetchLog: (logId) => this.#fetchLog(logId),
			watchLog: (logId, handler) => {
				this.#watchers.set(logId, handler);
			},
			unwatchLog: (logId) => {
				this.#watchers.delete(logId);
			},
			add: (access) => this.add(access),
			attach: (doc, handle, onDisk) => this.#attach(doc, handle, onDisk),
			needsLoad: (doc) => this.#needsLoad(doc),
			whenLoaded: (doc, work) => this.#whenLoaded(doc, work),
			rebuildAuth: (doc) => this.#rebuildAuth(doc),
			sendPendingAuth: (doc) => this.#sendPendingAuth(doc),
			onAuthRecord: (docId, index, record) => this.#onAuthRecord(docId, index, record),
			reconcileAuth: (doc, relayAuth) => this.#reconcileAuth(doc, relayAuth),
			scheduleFlush: (doc, delay) => this.#outgoing.scheduleFlush(doc, delay),
			countPending: (doc) => this.#countPending(doc),
			schedulePersist: (docId) => this.#schedulePersist(docId),
			persistNow: (docId) => this.#persistNow(docId),
			emitDoc: (docId) => this.#emitDoc(docId),
			tellTabs: (message) => this.#tabs?.post(message),
			emitSpace: (spaceId) => {
				// A membership change may have shut this device out: what it holds unsent is then stranded.
				this.#recount();
				for (const l of this.#spaceListeners) l(spaceId);
			},
			recount: () => this.#recount(),
			problem: (problem) => this.#problem(problem),
			setStatus: (patch) => this.#setStatus(patch),
			lineageSettled: () => this.#lineageSettled(),
			runAllDuties: () => this.#spaceRunner.runAllDuties(),
			scheduleBackup: () => this.#linking.scheduleBackup(),
			recoveryKey: () => this.#linking.recoveryKey()
		};
	}

	/** Loads (or creates) this device's keys and every document it holds. Does not connect. */
	static async open(options: SyncEngineOptions): Promise<SyncEngine> {
		await cryptoReady();
		const probe = new TextEncoder().encode('ok');
		const health = new StorageHealth({ probe: () => options.storage.save(['hearth', 'probe'], probe) });
		const store = new LocalStore(options.storage, health);
		let stored = await store.get<StoredDevice>('device');
		if (!stored) {
			stored = storeDevice(createDevice());
			await store.put(stored, 'device');
		}
		const engine = new SyncEngine(options, loadDevice(stored), store, health);
		engine.#lineage = engine.#savedLineage = await store.get<string>('lineage');
		const person = await store.get<StoredPerson>('person');
		if (person) engine.#person = loadPerson(person);
		await engine.#linking.load();
		const accesses = await store.list<DocAccess>('access');
		for (const access of accesses) {
			const stored = await store.get<DocSyncRecord>('sync', access.docId);
			const record = stored && (await withStoredAuth(store, stored));
			const doc = record ? new DocSync(access, record, true) : DocSync.fresh(access);
			if (stored) {
				doc.persisted = { ...stored };
				if (stored.authCount !== undefined) doc.persistedAuth = [...record!.auth];
			}
			engine.#docs.set(access.docId, doc);
			engine.#rebuildAuth(doc);
			// Only copies that may hold unsent changes (or that we know nothing about yet) are
			// loaded now; the rest wait on disk until something opens them (see load()).
			if (doc.record.hasLocalCopy && (doc.record.dirty !== false || !doc.record.meta)) {
				await engine.#attach(doc, await engine.#findLocal(doc.docId), true);
			}
		}
		for (const record of await store.list<SpaceSyncRecord>('space')) {
			const space = new SpaceSync(record);
			engine.#spaces.set(space.spaceId, space);
			await engine.#spaceRunner.reduce(space);
		}
		return engine;
	}

	// ── public API ─────────────────────────────────────────────────────────────────────────

	get status(): SyncStatus {
		return this.#status;
	}

	onStatus(listener: Listener<SyncStatus>): () => void {
		this.#statusListeners.add(listener);
		listener(this.#status);
		return () => this.#statusListeners.delete(listener);
	}

	/** Called when a document arrives or its access changes. */
	onDocuments(listener: Listener<DocumentId>): () => void {
		this.#docListeners.add(listener);
		return () => this.#docListeners.delete(listener);
	}

	onEphemeral(listener: Listener<EphemeralMessage>): () => void {
		this.#ephemeralListeners.add(listener);
		return () => this.#ephemeralListeners.delete(listener);
	}

	connect(): void {
		this.#closed = false;
		this.#connection.connect();
	}

	disconnect(): void {
		this.#connection.disconnect();
	}

	/** Skip the backoff wait, e.g. when the browser reports the network is back. */
	retryNow(): void {
		this.#connection.retryNow();
	}

	async close(): Promise<void> {
		this.#closed = true;
		this.#connection.disconnect();
		for (const c of this.#cleanups.splice(0)) c();
		for (const doc of this.#docs.values()) {
			clearTimeout(doc.flushTimer);
			if (doc.countTimer) {
				// Settle "has unsent changes" now: it decides whether the copy loads at next start.
				clearTimeout(doc.countTimer);
				doc.countTimer = undefined;
				this.#countPendingNow(doc);
			}
			doc.unsubscribe?.();
		}
		await this.#durability.flushAll();
		for (const [docId, timer] of this.#persistTimers) {
			clearTimeout(timer);
			await this.#persistNow(docId);
		}
		await Promise.all(this.#persisting.values());
	}

	/**
	 * Writes everything not yet on disk, now: for when the page is hidden or closed, when no
	 * timer can be trusted to fire again. The writes are issued before this returns.
	 */
	flushLocal(): Promise<void> {
		const documents = this.#durability.flushAll();
		for (const [docId, timer] of this.#persistTimers) {
			clearTimeout(timer);
			this.#persistTimers.delete(docId);
			void this.#persistNow(docId);
		}
		return documents;
	}

	/**
	 * Resolves once every change made to the document so far is on this device's disk. Pages
	 * await it before they say something is saved. Rejects with a StorageWriteError when the
	 * device refuses the write; the change is kept in memory and written when it fits.
	 */
	whenDurable(docId: DocumentId): Promise<void> {
		return this.#durability.whenDurable(docId);
	}

	/** Tries writes this device refused again now (the person pressed "Try again"). */
	retryStorage(): void {
		this.storageHealth.retryNow();
	}

	/** How long changes took to reach the disk (the benchmark; the crash-safety tests read the same in the browser). */
	durabilityStats(): DurabilityStats {
		return this.#durability.stats();
	}

	documents(): DocumentId[] {
		return [...this.#docs.keys()];
	}

	access(docId: DocumentId): DocAccess | undefined {
		return this.#docs.get(docId)?.access;
	}

	/**
	 * The local handle, once this device has a copy of the document and it is loaded. A copy
	 * still on disk is not loaded by this call: use load() (listeners hear when it is ready).
	 */
	handle<T>(docId: DocumentId): DocHandle<T> | undefined {
		return this.#docs.get(docId)?.handle as DocHandle<T> | undefined;
	}

	/** Whether this device has a copy on disk that has not been loaded yet. */
	isOnDisk(docId: DocumentId): boolean {
		const doc = this.#docs.get(docId);
		return !!doc && this.#needsLoad(doc);
	}

	/** The document's kind and period as last seen, without loading it. */
	describe(docId: DocumentId): DocMeta | undefined {
		return this.#docs.get(docId)?.record.meta;
	}

	/**
	 * Loads the local copy of a document from storage (once; concurrent calls share the work),
	 * then tells document listeners. Resolves to the handle, or undefined if there is no copy.
	 */
	async load<T>(docId: DocumentId): Promise<DocHandle<T> | undefined> {
		const doc = this.#docs.get(docId);
		if (!doc) return undefined;
		if (this.#needsLoad(doc)) {
			doc.loading ??= this.#loadNow(doc);
			await doc.loading;
		}
		return doc.handle as DocHandle<T> | undefined;
	}

	pendingFor(docId: DocumentId): number {
		return this.#docs.get(docId)?.pendingChanges ?? 0;
	}

	/** The epoch new writes to the document use, as the relay's signed policy says. */
	epochOf(docId: DocumentId): number | undefined {
		return this.#docs.get(docId)?.auth?.epoch;
	}

	/** Whether this session has caught up with the relay for the document. */
	isCaughtUp(docId: DocumentId): boolean {
		return this.#docs.get(docId)?.caughtUp ?? false;
	}

	/** Creates a new encrypted document. Works offline: the relay learns of it on reconnect. */
	async create<T>(initial: T): Promise<DocHandle<T>> {
		const handle = this.repo.create<T>(initial);
		const docId = handle.documentId as unknown as DocumentId;
		const access = newDocAccess(docId, this.deviceKey, newSymmetricKey());
		const doc = DocSync.fresh(access);
		doc.record.hasLocalCopy = true;
		this.#docs.set(docId, doc);
		const genesis = genesisPolicy(access, this.device);
		doc.record.pendingAuth.push(genesis);
		// Until the relay confirms, trust our own genesis locally so edits can be signed.
		this.#rebuildAuth(doc);
		await this.#store.put(access, 'access', docId);
		await this.#attach(doc, handle as DocHandle<unknown>, false);
		await this.#persistNow(docId);
		this.#sendPendingAuth(doc);
		// The relay answers this after registering the document, which marks us caught up.
		this.#requestSync([doc]);
		this.#emitDoc(docId);
		return handle;
	}

	/** Adds a document this device was given access to (e.g. from a share link). */
	async add(access: DocAccess): Promise<void> {
		const existing = this.#docs.get(access.docId);
		if (existing) {
			// Keep every epoch key we have ever held; add any new one.
			existing.access = { ...existing.access, keys: { ...existing.access.keys, ...access.keys }, joinSeed: existing.access.joinSeed ?? access.joinSeed };
			await this.#store.put(existing.access, 'access', access.docId);
			return;
		}
		const doc = DocSync.fresh(access);
		this.#docs.set(access.docId, doc);
		await this.#store.put(access, 'access', access.docId);
		await this.#persistNow(access.docId);
		if (!access.space) this.#linking.scheduleBackup();
		this.#requestSync([doc]);
		this.#emitDoc(access.docId);
	}

	/** Forgets a document on this device: local copy, keys and sync state. */
	async forget(docId: DocumentId): Promise<void> {
		const doc = this.#docs.get(docId);
		if (!doc) return;
		clearTimeout(doc.flushTimer);
		doc.unsubscribe?.();
		this.#durability.untrack(docId);
		this.#docs.delete(docId);
		this.#connection.send({ type: 'unsubscribe', docIds: [docId] });
		await this.#store.remove('access', docId);
		await this.#store.remove('sync', docId);
		await this.#store.removeRange('auth', docId);
		if (doc.handle || doc.record.hasLocalCopy) this.repo.delete(docId as unknown as RepoDocumentId);
		this.#recount();
		this.#emitDoc(docId);
	}

	/** The whole document as Automerge bytes, for a backup; undefined without a local copy. */
	exportCopy(docId: DocumentId): { bytes: Uint8Array; heads: string[] } | undefined {
		const handle = this.#docs.get(docId)?.handle;
		if (!handle) return undefined;
		const doc = handle.doc() as A.Doc<unknown>;
		return { bytes: A.save(doc), heads: A.getHeads(doc) };
	}

	/**
	 * Restores a document from a backup into a document this device has the keys for: merged
	 * into the local copy (nothing is lost on either side), or made the local copy if there
	 * was none. Anything the relay lacks is sent once the document has caught up. Works offline.
	 */
	async importCopy(docId: DocumentId, bytes: Uint8Array): Promise<'merged' | 'restored'> {
		const doc = this.#docs.get(docId);
		if (!doc) throw new Error(msg.noKey);
		let loaded: A.Doc<unknown>;
		try {
			loaded = A.load<unknown>(bytes);
		} catch {
			throw new Error(msg.backupDamaged);
		}
		if (doc.handle) {
			doc.handle.update((d) => A.merge(d as A.Doc<unknown>, loaded));
			await this.#persistNow(docId);
			return 'merged';
		}
		const handle = this.repo.import<unknown>(A.save(loaded), { docId: docId as unknown as RepoDocumentId });
		doc.record.hasLocalCopy = true;
		await this.#attach(doc, handle, false);
		await this.#persistNow(docId);
		this.#emitDoc(docId);
		this.#outgoing.scheduleFlush(doc);
		return 'restored';
	}

	/**
	 * Removes a whole space from this device: its membership log and every document in it,
	 * with their keys. Nothing changes for anyone else; the relay still holds the encrypted
	 * copies, so being invited again (or a recovery kit made earlier) brings it back.
	 */
	async forgetSpace(spaceId: SpaceId): Promise<void> {
		if (!this.#spaces.delete(spaceId)) return;
		this.#watchers.delete(spaceId);
		await this.#store.remove('space', spaceId);
		for (const [docId, doc] of [...this.#docs]) if (doc.access.space?.spaceId === spaceId) await this.forget(docId);
		this.#recount();
		for (const l of this.#spaceListeners) l(spaceId);
	}

	/** Sends an encrypted, unstored message (presence, cursors) to others viewing the document. */
	sendEphemeral(docId: DocumentId, data: Uint8Array): boolean {
		const doc = this.#docs.get(docId);
		if (!doc?.auth) return false;
		const epoch = doc.auth.epoch;
		const key = keyForEpoch(doc.access, epoch);
		if (!key) return false;
		const ad = ephemeralAssociatedData({ docId, epoch, author: this.deviceKey });
		const { nonce, ciphertext } = encrypt(data, key, ad);
		const unsigned = { docId, epoch, author: this.deviceKey, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext) };
		const sig = toBase64Url(sign(ephemeralSigningBytes(unsigned), this.device.signing.secretKey));
		return this.#connection.send({ type: 'ephemeral', ...unsigned, sig });
	}

	/** Resolves when every document has no local change waiting for the relay, and that is on disk. */
	async whenSynced(timeoutMs = 10_000): Promise<void> {
		const idle = () =>
			[...this.#docs.values()].every(
				(d) =>
					d.caughtUp &&
					!d.inFlight &&
					!d.flushQueued &&
					!d.countTimer &&
					d.pendingChanges === 0 &&
					d.unsavedChanges === 0 &&
					d.record.pendingAuth.length === 0
			) &&
			[...this.#spaces.values()].every((sp) => sp.caughtUp && sp.pending.length === 0 && sp.reducing === 0 && !sp.inFlight) &&
			// The encrypted recovery copy counts as something waiting to be sent.
			!this.#linking.backupPending &&
			this.#syncInFlight === 0 &&
			// And what the relay confirmed is recorded on disk, so a restart starts from there.
			this.#persistTimers.size === 0 &&
			this.#persisting.size === 0 &&
			this.#status.connection === 'online';
		if (!(await waitUntil(idle, timeoutMs, 10))) throw new Error('Timed out waiting for sync');
	}

	// ── wiring documents to the repo ───────────────────────────────────────────────────────

	async #findLocal(docId: DocumentId): Promise<DocHandle<unknown> | undefined> {
		try {
			return await this.repo.find<unknown>(docId as unknown as RepoDocumentId, { allowableStates: ['ready'] });
		} catch {
			return undefined;
		}
	}

	#needsLoad(doc: DocSync): boolean {
		return doc.record.hasLocalCopy && !doc.handle;
	}

	async #loadNow(doc: DocSync): Promise<void> {
		const handle = await this.#findLocal(doc.docId);
		if (this.#docs.get(doc.docId) !== doc) return; // forgotten meanwhile
		await this.#attach(doc, handle, true);
		doc.loading = undefined;
		const queued = doc.afterLoad.splice(0);
		if (handle) {
			for (const run of queued) run();
		} else {
			// The copy was gone (storage cleared): what arrived meanwhile assumed it; start over.
			doc.caughtUp = false;
			this.#requestSync([doc]);
		}
		this.#emitDoc(doc.docId);
	}

	/** Runs `work` once the local copy is loaded, keeping arrival order; starts loading it. */
	#whenLoaded(doc: DocSync, work: () => void): void {
		doc.afterLoad.push(work);
		void this.load(doc.docId);
	}

	/** `onDisk`: the handle was loaded from storage, so what it holds is durable already. */
	async #attach(doc: DocSync, handle: DocHandle<unknown> | undefined, onDisk: boolean): Promise<void> {
		if (!handle) {
			// The local copy is missing (storage cleared): fetch everything again.
			doc.record.hasLocalCopy = false;
			doc.record.lastSeq = 0;
			doc.record.knownHeads = [];
			return;
		}
		doc.handle = handle;
		this.#rememberMeta(doc);
		// Any move of the heads (see LocalDurability for why not 'change').
		const onChange = () => this.#outgoing.scheduleFlush(doc);
		handle.on('heads-changed', onChange);
		doc.unsubscribe = () => handle.off('heads-changed', onChange);
		this.#durability.track(doc.docId, handle, onDisk);
		// Other tabs that loaded it from disk have at least what is there now.
		if (onDisk) doc.tabHeads = A.getHeads(handle.doc() as A.Doc<unknown>);
		this.#countPendingNow(doc);
	}

	#rememberMeta(doc: DocSync): void {
		const root = doc.handle?.doc() as { kind?: unknown; period?: unknown } | undefined;
		if (!root) return;
		const meta: DocMeta = {};
		if (typeof root.kind === 'string') meta.kind = root.kind;
		if (typeof root.period === 'string') meta.period = root.period;
		const old = doc.record.meta;
		if (old?.kind === meta.kind && old?.period === meta.period) return;
		doc.record.meta = meta;
		this.#schedulePersist(doc.docId);
	}

	#emitDoc(docId: DocumentId): void {
		for (const l of this.#docListeners) l(docId);
	}

	// ── connection ─────────────────────────────────────────────────────────────────────────

	#onConnectionState(state: ConnectionState): void {
		if (state !== 'online') {
			for (const doc of this.#docs.values()) {
				doc.inFlight = undefined;
				doc.caughtUp = false;
			}
			for (const space of this.#spaces.values()) {
				space.inFlight = undefined;
				space.caughtUp = false;
			}
			this.#requests.clear();
			this.#syncInFlight = 0;
			for (const w of this.#waiters.values()) w.reject(new Error(msg.lostRelay));
			this.#waiters.clear();
			this.#fetched.clear();
		}
		this.#setStatus({ connection: state });
	}

	#onMessage(message: ServerMessage): void {
		switch (message.type) {
			case 'welcome':
				if (message.lineage) this.#checkLineage(message.lineage);
				// Re-announce anything created offline first, then catch up on everything.
				for (const space of this.#spaces.values()) this.#spaceRunner.sendPendingOps(space);
				for (const doc of this.#docs.values()) this.#sendPendingAuth(doc);
				this.#requestSync([...this.#docs.values()], [...this.#spaces.values()]);
				// With nothing to catch up on, the welcome is all a healthy session shows.
				if (this.#docs.size === 0 && this.#spaces.size === 0) this.#connection.sessionHealthy();
				return;
			case 'catchup':
				if (this.#fetched.has(message.rid)) {
					const got = this.#fetched.get(message.rid)!;
					for (const l of message.logs) got.push(...l.entries);
					if (message.done) {
						this.#fetched.delete(message.rid);
						this.#requests.delete(message.rid);
						this.#waiters.get(message.rid)?.resolve(got);
						this.#waiters.delete(message.rid);
					}
					return;
				}
				this.#spaceRunner.onCatchupLogs(message.rid, message.logs, message.done);
				return this.#incoming.onCatchup(message.rid, message.docs, message.unknown, message.done);
			case 'log-ok':
				if (this.#waiters.has(message.rid)) {
					this.#requests.delete(message.rid);
					this.#waiters.get(message.rid)!.resolve({ index: message.index, at: message.at });
					this.#waiters.delete(message.rid);
					return;
				}
				this.#requests.delete(message.rid);
				return this.#spaceRunner.onOpOk(message.rid, message.spaceId, message.index, message.at);
			case 'log':
				if (this.#watchers.has(message.spaceId)) return this.#watchers.get(message.spaceId)!([message.entry]);
				return this.#spaceRunner.onLoggedOps(message.spaceId, [message.entry]);
			case 'entry':
				return this.#incoming.onLiveEntry(message.entry);
			case 'auth': {
				this.#onAuthRecord(message.docId, message.index, message.record);
				// A document we asked for before it reached the relay (the catch-up said unknown)
				// arrives live: join it now, since no later catch-up will prompt us to.
				const doc = this.#docs.get(message.docId);
				if (doc?.caughtUp && doc.record.auth.length > 0) this.#incoming.ensureJoined(doc);
				return;
			}
			case 'auth-ok':
				return this.#onAuthOk(message.rid, message.docId, message.index);
			case 'ack':
				this.#requests.delete(message.rid);
				return this.#outgoing.onAck(message.rid, message.docId, message.seq);
			case 'ephemeral':
				return this.#onEphemeralMessage(message);
			case 'error':
				return this.#onError(message.rid, message.code, message.message);
		}
	}

	/** Sends a request under a new rid; if it went out, remembers it and returns the rid. */
	#request(pending: PendingRequest, message: (rid: number) => ClientMessage): number | undefined {
		const rid = this.#nextRid++;
		if (!this.#connection.send(message(rid))) return undefined;
		this.#requests.set(rid, pending);
		return rid;
	}

	#requestSync(docs: DocSync[], spaces: SpaceSync[] = []): void {
		if ((docs.length === 0 && spaces.length === 0) || this.#connection.state !== 'online') return;
		const rid = this.#nextRid++;
		for (const space of spaces) {
			space.caughtUp = false;
			// A restore's catch-up that was cut off starts gathering the relay's log afresh.
			if (space.rewinding) space.rewinding = [];
		}
		const sent = this.#connection.send({
			type: 'sync',
			rid,
			docs: docs.map((d) => ({ docId: d.docId, since: d.record.lastSeq, authSince: d.rewinding ? 0 : d.record.auth.length })),
			...(spaces.length > 0 ? { logs: spaces.map((sp) => ({ spaceId: sp.spaceId, since: sp.rewinding ? 0 : sp.log.length })) } : {})
		});
		if (sent) {
			this.#requests.set(rid, { kind: 'sync', docIds: docs.map((d) => d.docId), spaceIds: spaces.map((sp) => sp.spaceId) });
			this.#syncInFlight++;
		}
	}

	// ── a relay restored from a backup ─────────────────────────────────────────────────────

	/**
	 * A relay whose storage was restored from a backup (or replaced) announces a new lineage.
	 * It may lack entries, auth records and ops it acknowledged after the backup, and its seqs
	 * may since have been given to other entries, so our positions in its logs mean nothing:
	 * every document and space catches up from the start, and whatever we hold that the relay
	 * lacks is sent back. Nothing is merged twice (Automerge and the replay counters see to it).
	 */
	#checkLineage(lineage: string): void {
		if (this.#lineage === lineage) return;
		const previous = this.#lineage;
		this.#lineage = lineage;
		if (previous === undefined) {
			// First contact (or an app from before lineages): nothing to put back.
			this.#savedLineage = lineage;
			void this.#store.put(lineage, 'lineage');
			return;
		}
		for (const doc of this.#docs.values()) {
			doc.record.lastSeq = 0;
			// Nothing counts as on the relay until its catch-up shows it.
			doc.record.knownHeads = [];
			doc.rewinding = true;
			// A copy still on disk is loaded, so what the relay lacks can be sent from it.
			if (this.#needsLoad(doc)) void this.load(doc.docId);
		}
		for (const space of this.#spaces.values()) space.rewinding = [];
		this.#lineageSettled();
	}

	/**
	 * Remembers the relay's lineage once nothing is still catching up from a restore: if the
	 * app stops before that, the next connection sees the new lineage again and starts over.
	 */
	#lineageSettled(): void {
		const lineage = this.#lineage;
		if (!lineage || this.#savedLineage === lineage) return;
		if ([...this.#docs.values()].some((d) => d.rewinding) || [...this.#spaces.values()].some((s) => s.rewinding)) return;
		this.#savedLineage = lineage;
		void Promise.all([...this.#docs.keys()].map((docId) => this.#persistNow(docId))).then(() => this.#store.put(lineage, 'lineage'));
	}

	/**
	 * After a restore, the relay's auth log (from index 0) against ours: we take its log and
	 * send back, in order, the records we hold that it lacks.
	 */
	#reconcileAuth(doc: DocSync, relayAuth: Array<{ index: number; record: AuthRecord }>): void {
		const restored = afterRestore(doc.record.auth, relayAuth.map((a) => a.record), doc.record.pendingAuth);
		const keep = restored?.keep ?? doc.record.auth.length;
		if (restored) {
			doc.record.auth = doc.record.auth.slice(0, keep);
			doc.confirmedAuthCount = -1;
			doc.record.pendingAuth = restored.pending;
		}
		for (const { index, record } of relayAuth.slice(keep)) this.#onAuthRecord(doc.docId, index, record);
		this.#rebuildAuth(doc);
		this.#sendPendingAuth(doc);
	}

	// ── auth (who may write) ───────────────────────────────────────────────────────────────

	/** The state from relay-confirmed records only, kept incrementally (a full replay per record is quadratic). */
	#confirmedAuth(doc: DocSync): DocSync['auth'] {
		const space = doc.access.space ? this.#spaces.get(doc.access.space.spaceId)?.state : undefined;
		// The space decides only whether each signer in this log may still sign: replay the log
		// (every signature) when one of those answers changed, not on every change to the space.
		const verdicts = space ? signerVerdicts(doc.record.auth, space) : '';
		if (doc.confirmedAuthCount !== doc.record.auth.length || doc.confirmedAuthSpace !== verdicts) {
			// A space document follows only policies whose signer the space still trusts.
			const { state, refused } = followAuth(doc.record.auth, this.#opVerifier.verify, doc.access.root, space);
			if (refused.some((i) => !doc.refusedPolicies.has(i))) this.#problem({ docId: doc.docId, kind: 'tampered', message: msg.policyWithoutAuthority });
			doc.refusedPolicies = new Set(refused);
			doc.confirmedAuth = state;
			doc.confirmedAuthCount = doc.record.auth.length;
			doc.confirmedAuthSpace = verdicts;
		}
		return doc.confirmedAuth;
	}

	#rebuildAuth(doc: DocSync): void {
		let state = this.#confirmedAuth(doc);
		if (doc.refusedPolicies.size > 0 && doc.record.pendingAuth.length > 0) {
			// Our own policy builds on the relay's latest, refused one (see followAuth): once the
			// relay takes it, a trusted signer has accepted what came before, so count it so now.
			const space = this.#spaces.get(doc.access.space!.spaceId)?.state;
			doc.auth = followAuth([...doc.record.auth, ...doc.record.pendingAuth], this.#opVerifier.verify, doc.access.root, space).state;
			return;
		}
		// Our own pending records count locally (we signed them), so offline edits can be signed.
		for (const record of doc.record.pendingAuth) {
			const result = applyAuthRecord(state, record, this.#opVerifier.verify, doc.access.root);
			if (result.ok) state = result.state;
		}
		doc.auth = state;
	}

	#sendPendingAuth(doc: DocSync): void {
		const record = doc.record.pendingAuth[0];
		if (!record || this.#connection.state !== 'online') return;
		if ([...this.#requests.values()].some((r) => r.kind === 'auth' && r.docId === doc.docId)) return;
		this.#request({ kind: 'auth', docId: doc.docId, record }, (rid) => ({ type: 'auth', rid, record }));
	}

	#onAuthOk(rid: number, docId: DocumentId, index: number): void {
		const request = this.#requests.get(rid);
		this.#requests.delete(rid);
		const doc = this.#docs.get(docId);
		if (!doc || !request?.record) return;
		doc.record.pendingAuth = doc.record.pendingAuth.filter((r) => r !== request.record);
		this.#onAuthRecord(docId, index, request.record);
		this.#sendPendingAuth(doc);
		this.#outgoing.scheduleFlush(doc, 0);
		this.#spaceRunner.runAllDuties();
	}

	#onAuthRecord(docId: DocumentId, index: number, record: AuthRecord): void {
		const doc = this.#docs.get(docId);
		if (!doc) return;
		if (index < doc.record.auth.length) return; // already have it
		if (index > doc.record.auth.length) {
			// We missed one: catch up rather than apply out of order. Until then live entries
			// wait for the catch-up, or one from a writer the missing record admits would be
			// refused as foreign and skipped for good.
			doc.caughtUp = false;
			this.#requestSync([doc]);
			return;
		}
		// Judged as the relay judged it: against its latest policy, even one this device refuses
		// (see followAuth), so a record built on that one is kept, in case it is built on later.
		const followed = this.#confirmedAuth(doc);
		const state = doc.refusedPolicies.size > 0 ? followAuth(doc.record.auth, this.#opVerifier.verify, doc.access.root, undefined).state : followed;
		const result = applyAuthRecord(state, record, this.#opVerifier.verify, doc.access.root);
		if (result.ok) {
			// A new epoch from a policy that does not say where the old one closed (signed before
			// policies did): heard live, with everything before it merged, this device knows no
			// honest entry of the old epoch comes after where it stands.
			if (state && result.state.epoch > state.epoch && record.kind === 'policy' && record.closesAt === undefined && doc.caughtUp) {
				doc.record.closedAfter = { ...doc.record.closedAfter, [state.epoch]: doc.record.lastSeq };
			}
			doc.record.auth.push(record);
			const space = doc.access.space ? this.#spaces.get(doc.access.space.spaceId)?.state : undefined;
			// A record the space has nothing against, after nothing refused, is what followAuth
			// would apply too: take it as it comes (a full replay per record is quadratic).
			const plain = !space || (doc.refusedPolicies.size === 0 && (record.kind !== 'policy' || (mayStillSign(space, record.signer) && !identityWithoutAuthority(space, record.signer))));
			if (plain) {
				doc.confirmedAuth = result.state;
				doc.confirmedAuthCount = doc.record.auth.length;
				doc.confirmedAuthSpace = space ? signerVerdicts(doc.record.auth, space) : '';
			} else this.#confirmedAuth(doc); // judged against the space, not only the last policy
		} else {
			doc.record.auth.push(null);
			this.#problem({
				docId,
				kind: 'tampered',
				message: msg.membershipUnsigned
			});
		}
		this.#rebuildAuth(doc);
		this.#schedulePersist(docId);
		this.#emitDoc(docId);
		// We may just have been made a writer: send anything typed while we waited.
		this.#outgoing.scheduleFlush(doc, 0);
	}

	// ── refused requests and ephemeral messages ────────────────────────────────────────────

	#onError(rid: number | undefined, code: string, message: string): void {
		if (rid !== undefined && this.#waiters.has(rid)) {
			this.#requests.delete(rid);
			this.#fetched.delete(rid);
			this.#waiters.get(rid)!.reject(new Error(msg.relayRefusedThis(message)));
			this.#waiters.delete(rid);
			return;
		}
		const request = rid === undefined ? undefined : this.#requests.get(rid);
		if (rid !== undefined) this.#requests.delete(rid);
		const doc = request?.docId ? this.#docs.get(request.docId) : undefined;
		if (request?.kind === 'push' && doc) {
			this.#outgoing.onPushError(doc, code, message);
			return;
		}
		const transient = code === 'storage-failed' || code === 'rate-limited';
		if (request?.kind === 'auth' && doc && transient) {
			// The relay was busy, not unwilling: send the same record again shortly.
			setTimeout(() => this.#sendPendingAuth(doc), 2000);
			return;
		}
		if (request?.kind === 'auth' && doc) {
			// An offline-created genesis that the relay already has (we re-sent it) is fine.
			doc.record.pendingAuth = doc.record.pendingAuth.filter((r) => r !== request.record);
			// 'stale-close': the document moved on while the new epoch was being signed. Nothing is
			// wrong: once caught up, the owed duty signs it again where the document now stands.
			if (code !== 'stale-close' && (code !== 'not-an-admin' || request.record?.kind !== 'policy')) {
				this.#problem({ docId: doc.docId, kind: 'refused', message: msg.joinRefused(message) });
			}
			this.#rebuildAuth(doc);
			this.#requestSync([doc]);
			return;
		}
		if (request?.kind === 'op' && request.spaceId && rid !== undefined) {
			this.#spaceRunner.onOpError(rid, request.spaceId, transient, message);
			return;
		}
		if (request?.kind === 'sync') {
			this.#syncInFlight = Math.max(0, this.#syncInFlight - 1);
			// Documents waiting on this catch-up ignore live changes until it comes, so a refused
			// one (a busy or restarting relay) must be asked for again, not left waiting for ever.
			if (transient) {
				this.#problem({ kind: 'relay', message: msg.relayBusy });
				setTimeout(() => this.#retrySync(request.docIds ?? [], request.spaceIds ?? []), 2000);
				return;
			}
		}
		this.#problem({ kind: 'relay', message: msg.relayProblem(message) });
	}

	#retrySync(docIds: DocumentId[], spaceIds: SpaceId[]): void {
		const docs = docIds.map((id) => this.#docs.get(id)).filter((d): d is DocSync => d !== undefined && !d.caughtUp);
		const spaces = spaceIds.map((id) => this.#spaces.get(id)).filter((sp): sp is SpaceSync => sp !== undefined && !sp.caughtUp);
		this.#requestSync(docs, spaces);
	}

	#onEphemeralMessage(message: Extract<ServerMessage, { type: 'ephemeral' }>): void {
		const doc = this.#docs.get(message.docId);
		if (!doc || !mayWrite(doc.auth, message.epoch, message.author)) return;
		if (!verify(fromBase64Url(message.sig), ephemeralSigningBytes(message), fromBase64Url(message.author))) return;
		const key = keyForEpoch(doc.access, message.epoch);
		if (!key) return;
		const data = decrypt(fromBase64Url(message.ct), fromBase64Url(message.nonce), key, ephemeralAssociatedData(message));
		if (!data) return;
		for (const l of this.#ephemeralListeners) l({ docId: message.docId, author: message.author, data });
	}

	// ── spaces: membership, invitations, circle keys (the work: SpaceRunner) ───────────────

	/** This person's identity on this device, created the first time it is needed. */
	async person(): Promise<PersonSecrets> {
		if (!this.#person) {
			this.#person = createPerson();
			await this.#store.put(storePerson(this.#person), 'person');
		}
		return this.#person;
	}

	personKey(): PersonKey | undefined {
		return this.#person ? personKey(this.#person) : undefined;
	}

	onSpaces(listener: Listener<SpaceId>): () => void {
		this.#spaceListeners.add(listener);
		return () => this.#spaceListeners.delete(listener);
	}

	spaces(): SpaceId[] {
		return [...this.#spaces.keys()];
	}

	spaceState(spaceId: SpaceId): MembershipState | undefined {
		return this.#spaces.get(spaceId)?.state;
	}

	/**
	 * Whether this device can never write to the space again (this person, or this device, was
	 * removed from it). Its copies stay readable here; nothing new from it can be sent.
	 */
	isShutOut(spaceId: SpaceId): boolean {
		const state = this.#spaces.get(spaceId)?.state;
		return !!state && shutOut(state, this.personKey(), this.deviceKey);
	}

	/** The space a document belongs to, if any. */
	spaceOf(docId: DocumentId): { spaceId: SpaceId; circle: string } | undefined {
		return this.#docs.get(docId)?.access.space;
	}

	/** Creates a space owned by this person, with `circleCount` access circles (the first is everyone). */
	createSpace(circleCount = 1): Promise<{ spaceId: SpaceId; circles: string[] }> {
		return this.#spaceRunner.createSpace(circleCount);
	}

	/** Creates a document inside a space, readable by one access circle. */
	createInSpace<T>(spaceId: SpaceId, circle: string, initial: T): Promise<DocHandle<T>> {
		return this.#spaceRunner.createInSpace(spaceId, circle, initial);
	}

	/** Makes a single-use, expiring invitation. The link's secret never reaches the relay. */
	invite(
		spaceId: SpaceId,
		options: { role?: Exclude<Role, 'owner'>; circles: string[]; expiresInMs?: number; info: InvitationInfo }
	): Promise<InvitationLink> {
		return this.#spaceRunner.invite(spaceId, options);
	}

	/**
	 * Reads the space's log to check an invitation before anyone accepts it. Throws an
	 * InvitationError with a plain reason for expired, used, cancelled or altered links.
	 */
	lookUpInvitation(link: InvitationLink, timeoutMs = 10_000) {
		return this.#spaceRunner.lookUpInvitation(link, timeoutMs);
	}

	/** The invitee's consent: asks to join with this device. An owner-side device then admits. */
	acceptInvitation(link: InvitationLink): Promise<void> {
		return this.#spaceRunner.acceptInvitation(link);
	}

	/** The owner side's consent: admits someone who accepted, giving their devices the circle keys. */
	admit(spaceId: SpaceId, inviteId: string): Promise<void> {
		return this.#spaceRunner.admit(spaceId, inviteId);
	}

	decline(spaceId: SpaceId, inviteId: string): Promise<void> {
		return this.#spaceRunner.decline(spaceId, inviteId);
	}

	revokeInvitation(spaceId: SpaceId, inviteId: string): Promise<void> {
		return this.#spaceRunner.revokeInvitation(spaceId, inviteId);
	}

	/** Removes a person; their circles get new keys, so they see nothing written afterwards. */
	removeMember(spaceId: SpaceId, person: PersonKey): Promise<void> {
		return this.#spaceRunner.removeMember(spaceId, person);
	}

	setRole(spaceId: SpaceId, person: PersonKey, role: Exclude<Role, 'owner'>): Promise<void> {
		return this.#spaceRunner.setRole(spaceId, person, role);
	}

	grant(spaceId: SpaceId, person: PersonKey, circle: string): Promise<void> {
		return this.#spaceRunner.grant(spaceId, person, circle);
	}

	revoke(spaceId: SpaceId, person: PersonKey, circle: string): Promise<void> {
		return this.#spaceRunner.revoke(spaceId, person, circle);
	}

	// ── linking devices and recovery kits (the work: DeviceLinking) ────────────────────────

	// The untracked logs they use are requested here: their answers share the request and
	// waiter maps with everything else the dispatcher handles.

	/** Waits (briefly) for a relay connection, for steps that cannot be done offline. */
	async #whenOnline(timeoutMs = 10_000): Promise<void> {
		if (!(await waitUntil(() => this.#connection.state === 'online', timeoutMs))) {
			throw new Error(msg.cannotReachRelay);
		}
	}

	/** Appends an op to a log this engine does not track as a space (pairing, recovery). */
	async #appendRaw(op: SignedOp): Promise<{ index: number; at: number }> {
		await this.#whenOnline();
		const rid = this.#nextRid++;
		return new Promise((resolve, reject) => {
			this.#waiters.set(rid, { resolve: (v) => resolve(v as { index: number; at: number }), reject });
			this.#requests.set(rid, { kind: 'raw' });
			if (!this.#connection.send({ type: 'log-append', rid, op })) {
				this.#waiters.delete(rid);
				reject(new Error(msg.lostConnection));
			}
		});
	}

	/** Reads a whole untracked log and keeps listening to it. */
	async #fetchLog(logId: SpaceId): Promise<LoggedOp[]> {
		await this.#whenOnline();
		const rid = this.#nextRid++;
		return new Promise((resolve, reject) => {
			this.#waiters.set(rid, { resolve: (v) => resolve(v as LoggedOp[]), reject });
			this.#fetched.set(rid, []);
			this.#requests.set(rid, { kind: 'raw' });
			if (!this.#connection.send({ type: 'sync', rid, docs: [], logs: [{ spaceId: logId, since: 0 }] })) {
				this.#waiters.delete(rid);
				reject(new Error(msg.lostConnection));
			}
		});
	}

	/**
	 * First device: shows a link (or QR code) and waits for the new device. `onRequest` is
	 * called with the six-digit code the new device shows, for the person to compare.
	 * `onStopped` says why the link stopped by itself (a second device tried it, or the new
	 * device broke its commitment); nothing can be confirmed after that.
	 */
	offerDeviceLink(
		onRequest: (request: { code: string; sign: string; box: string }) => void,
		onStopped?: (why: string) => void
	): Promise<{ offer: LinkOffer; stop: () => void }> {
		return this.#linking.offerDeviceLink(onRequest, onStopped);
	}

	/** First device, after the person confirmed the codes match: hands everything over. */
	confirmDeviceLink(offer: LinkOffer, request: { sign: string; box: string }): Promise<void> {
		return this.#linking.confirmDeviceLink(offer, request);
	}

	/**
	 * New device: asks to be linked. Resolves with the code to show once the first device has
	 * answered (the code needs both devices' nonces), and `linked` once the person confirms
	 * there; both reject if the first device stops the link.
	 */
	requestDeviceLink(offer: LinkOffer): Promise<{ code: string; linked: Promise<void> }> {
		return this.#linking.requestDeviceLink(offer);
	}

	/**
	 * Makes a recovery kit: a high-entropy key shown once. An encrypted copy of this person's
	 * identity and keys is kept on the relay under it, and refreshed as things change.
	 */
	createRecoveryKit(): Promise<string> {
		return this.#linking.createRecoveryKit();
	}

	hasRecoveryKit(): boolean {
		return this.#linking.hasRecoveryKit();
	}

	/**
	 * Whether this person should make a new recovery kit: in some space they have had a device
	 * removed and no recovery key is registered, so an old kit can no longer bring them back.
	 */
	needsNewRecoveryKit(): boolean {
		const me = this.personKey();
		return !!me && [...this.#spaces.values()].some((s) => needsRecoveryKit(s.state, me));
	}

	/** Restores everything on a new device from a recovery key. */
	recover(recoveryKey: string): Promise<void> {
		return this.#linking.recover(recoveryKey);
	}

	/** Removes one of this person's devices (e.g. a lost phone); its access circles get new keys. */
	removeDevice(device: DeviceKey): Promise<void> {
		return this.#linking.removeDevice(device);
	}

	/** This person's devices, as listed in their spaces. */
	myDevices(): DeviceInfo[] {
		return this.#linking.myDevices();
	}

	// ── status and persistence ─────────────────────────────────────────────────────────────

	/**
	 * Counting pending changes walks the change graph, so it is coalesced: a burst of a
	 * thousand edits recounts once, not a thousand times.
	 */
	#countPending(doc: DocSync): void {
		if (doc.countTimer) return;
		doc.countTimer = setTimeout(() => {
			doc.countTimer = undefined;
			this.#countPendingNow(doc);
		}, 0);
	}

	/**
	 * Counts, for one document, the changes on disk that the relay has not confirmed (waiting
	 * to sync) and the changes not on disk yet (unsaved), so the two figures never disagree
	 * with what is really stored.
	 */
	#countPendingNow(doc: DocSync): void {
		if (!doc.handle) return;
		const current = doc.handle.doc() as A.Doc<unknown>;
		const heads = A.getHeads(current);
		const known = doc.record.knownHeads.filter((h) => holds(current, h));
		const unconfirmed = sameHeads(heads, known) ? [] : A.getChangesMetaSince(current, known);
		const durable = this.#durability.durableHeads(doc.docId)?.filter((h) => holds(current, h));
		let unsaved = 0;
		let waiting = unconfirmed.length;
		if (!durable || !sameHeads(heads, durable)) {
			const notOnDisk = new Set(A.getChangesMetaSince(current, durable ?? []).map((c) => c.hash));
			unsaved = notOnDisk.size;
			waiting = unconfirmed.filter((c) => !notOnDisk.has(c.hash)).length;
		}
		if (doc.record.dirty !== unconfirmed.length > 0) {
			doc.record.dirty = unconfirmed.length > 0;
			this.#schedulePersist(doc.docId);
		}
		if (waiting !== doc.pendingChanges || unsaved !== doc.unsavedChanges) {
			doc.pendingChanges = waiting;
			doc.unsavedChanges = unsaved;
			this.#recount();
		}
	}

	#recount(): void {
		let total = 0;
		let stranded = 0;
		let unsaved = 0;
		const shut = new Set<SpaceId>();
		for (const sp of this.#spaces.values()) if (this.isShutOut(sp.spaceId)) shut.add(sp.spaceId);
		for (const d of this.#docs.values()) {
			const space = d.access.space?.spaceId;
			if (space && shut.has(space)) stranded += d.pendingChanges;
			else total += d.pendingChanges;
			unsaved += d.unsavedChanges;
		}
		// Membership changes waiting for the relay (an invitation, letting someone in) count too.
		for (const sp of this.#spaces.values()) {
			if (shut.has(sp.spaceId)) stranded += sp.pending.length;
			else total += sp.pending.length;
		}
		const s = this.#status;
		if (total !== s.pendingChanges || stranded !== s.strandedChanges || unsaved !== s.unsavedChanges) {
			this.#setStatus({ pendingChanges: total, strandedChanges: stranded, unsavedChanges: unsaved });
		}
	}

	/**
	 * A change not yet on disk: counted at once (the exact count follows within a tick), so
	 * no status ever says "saved" while it is only in memory.
	 */
	#onUnsaved(docId: DocumentId): void {
		const doc = this.#docs.get(docId);
		if (!doc || doc.unsavedChanges > 0) return;
		doc.unsavedChanges = 1;
		this.#recount();
	}

	#onDurable(docId: DocumentId): void {
		const doc = this.#docs.get(docId);
		if (!doc) return;
		this.#countPendingNow(doc);
		this.#shareWithTabs(doc);
	}

	// ── other tabs of the app (see TabChannel) ─────────────────────────────────────────────

	/** Tells other tabs the document's changes they may lack (they are on disk now). */
	#shareWithTabs(doc: DocSync): void {
		if (!this.#tabs || !doc.handle) return;
		const current = doc.handle.doc() as A.Doc<unknown>;
		const heads = A.getHeads(current);
		if (doc.tabHeads && sameHeads(heads, doc.tabHeads)) return;
		const changes = A.saveSince(current, (doc.tabHeads ?? []).filter((h) => holds(current, h)));
		doc.tabHeads = heads;
		if (changes.length > 0) this.#tabs.post({ type: 'changes', docId: doc.docId, changes });
	}

	#onTabMessage(message: TabMessage): void {
		const doc = this.#docs.get(message.docId);
		// A copy still on disk reads the other tab's changes from there when it is loaded.
		if (!doc?.handle) return;
		const current = doc.handle.doc() as A.Doc<unknown>;
		if (message.type === 'known') {
			const present = message.heads.filter((h) => holds(current, h));
			if (present.length === 0) return;
			doc.record.knownHeads = dedupe([...doc.record.knownHeads, ...present]);
			this.#countPending(doc);
			this.#schedulePersist(doc.docId);
			return;
		}
		const inStep = doc.tabHeads !== undefined && sameHeads(A.getHeads(current), doc.tabHeads);
		try {
			doc.handle.update((d) => A.loadIncremental(d as A.Doc<unknown>, message.changes));
		} catch {
			return; // not Automerge: nothing a tab of ours would send
		}
		// What came from the other tab need not go back to it.
		if (inStep) doc.tabHeads = A.getHeads(doc.handle.doc() as A.Doc<unknown>);
	}

	#onStorageHealth(event: StorageHealthEvent): void {
		if (event.type === 'failed') {
			const since = this.#status.storage?.since ?? Date.now();
			this.#setStatus({ storage: { kind: event.error.kind, detail: event.error.message, since } });
			return;
		}
		this.#setStatus({ storage: undefined });
		for (const docId of this.#unpersisted) void this.#persistNow(docId);
	}

	/**
	 * Write-ahead for the start-up shortcut: a document whose record says it has no unsent
	 * changes is not loaded at start, so before the first unsent change reaches the disk, its
	 * record on disk must say otherwise. Issued (synchronously) just before the change's own
	 * write, so IndexedDB stores it first. The record written is the last one stored, marked:
	 * never the one in memory, whose lastSeq may be ahead of the document on disk.
	 */
	#markDirtyAhead(docId: DocumentId): Promise<void> | undefined {
		const doc = this.#docs.get(docId);
		if (!doc?.handle || doc.persisted?.dirty === true) return undefined;
		if (sameHeads(A.getHeads(doc.handle.doc() as A.Doc<unknown>), doc.record.knownHeads)) return undefined;
		const base = doc.persisted ?? (doc.record.lastSeq === 0 ? doc.snapshotRecord() : undefined);
		if (!base) return undefined;
		doc.record.dirty = true;
		const marked = { ...base, hasLocalCopy: true, dirty: true };
		// Remembered as stored only once it is: a refused mark is made again with the next try.
		return this.#store.put(marked, 'sync', docId).then(() => {
			doc.persisted = marked;
		});
	}

	#problem(problem: Omit<SyncProblem, 'at'>): void {
		const problems = [...this.#status.problems, { ...problem, at: Date.now() }].slice(-MAX_PROBLEMS);
		this.#setStatus({ problems });
	}

	#setStatus(patch: Partial<SyncStatus>): void {
		this.#status = { ...this.#status, ...patch };
		for (const l of this.#statusListeners) l(this.#status);
	}

	#schedulePersist(docId: DocumentId): void {
		if (this.#persistTimers.has(docId)) return;
		this.#persistTimers.set(
			docId,
			setTimeout(() => {
				this.#persistTimers.delete(docId);
				void this.#persistNow(docId);
			}, 100)
		);
	}

	/**
	 * Saves sync state only after the document itself is on disk, so lastSeq never runs ahead
	 * of it. "Has unsent changes" is taken as it is when the record is written: a change made
	 * during the document's write has already marked the stored record (see markDirtyAhead).
	 */
	/**
	 * Writes the auth records that changed since they were last stored (new ones, or ones a
	 * restore replaced) and removes any beyond the log's end. Each is its own key, so a save
	 * rewrites none of the others.
	 */
	async #storeAuth(doc: DocSync, auth: ReadonlyArray<AuthRecord | null>): Promise<void> {
		const before = doc.persistedAuth;
		let from = 0;
		while (from < before.length && from < auth.length && before[from] === auth[from]) from++;
		const writes: Array<Promise<void>> = [];
		for (let i = from; i < auth.length; i++) writes.push(this.#store.put({ index: i, record: auth[i] }, 'auth', doc.docId, authKey(i)));
		for (let i = auth.length; i < before.length; i++) writes.push(this.#store.remove('auth', doc.docId, authKey(i)));
		await Promise.all(writes);
		doc.persistedAuth = [...auth];
	}

	async #persistNow(docId: DocumentId): Promise<void> {
		const previous = this.#persisting.get(docId) ?? Promise.resolve();
		const next = previous.then(async () => {
			const doc = this.#docs.get(docId);
			if (!doc) return;
			const record = doc.snapshotRecord();
			if (doc.handle) {
				await this.#durability.saveNow(docId);
				// The write failed (a full disk): the record waits for the document.
				if (this.#durability.hasUnsaved(docId) && this.storageHealth.failing) throw this.storageHealth.failing;
			}
			if (this.#docs.get(docId) !== doc) return;
			// The auth records first, each once; then the record, which says how many there are.
			await this.#storeAuth(doc, record.auth);
			const compact: DocSyncRecord = { ...record, auth: [], authCount: record.auth.length, dirty: doc.record.dirty };
			await this.#store.put(compact, 'sync', docId);
			doc.persisted = compact;
			this.#unpersisted.delete(docId);
		});
		const settled = next.catch((error: unknown) => {
			// A refusal by this device's storage is shown as such (the status) and tried again.
			if (error instanceof StorageWriteError) this.#unpersisted.add(docId);
			else this.#problem({ docId, kind: 'refused', message: msg.cannotSaveProgress((error as Error).message) });
		});
		this.#persisting.set(docId, settled);
		await settled;
		if (this.#persisting.get(docId) === settled) this.#persisting.delete(docId);
	}
}

/** An auth record's key: the index, padded, so keys sort as the log does. */
function authKey(index: number): string {
	return String(index).padStart(10, '0');
}

/**
 * A stored record with its auth log: inline in records written before the log was stored apart,
 * else the `authCount` records stored under `['auth', docId]`. Should any be missing (a damaged
 * store), the log stops before the first gap and the rest comes again from the relay.
 */
async function withStoredAuth(store: LocalStore, record: DocSyncRecord): Promise<DocSyncRecord> {
	if (record.authCount === undefined) return record;
	const stored = await store.list<{ index: number; record: AuthRecord | null }>('auth', record.docId);
	const byIndex = new Map(stored.map((s) => [s.index, s.record]));
	const auth: Array<AuthRecord | null> = [];
	while (auth.length < record.authCount && byIndex.has(auth.length)) auth.push(byIndex.get(auth.length)!);
	return { ...record, auth };
}

export { currentEpoch };
