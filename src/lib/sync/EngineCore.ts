// What the engine lends its collaborators (SpaceRunner, DeviceLinking, IncomingEntries,
// OutgoingEntries). The engine stays the coordinator: it owns the connection, the request
// map and the message dispatch, the documents and spaces it tracks, and status and
// persistence. Collaborators reach all of it through this one interface, never through the
// engine's privates, so what each of them may touch is written down in one place.
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import type { AuthRecord, ClientMessage, DeviceKey, DocumentId, LoggedOp, SignedOp, SpaceId } from '$lib/protocol';
import type { DeviceSecrets } from '$lib/keys/device';
import type { DocAccess } from '$lib/keys/access';
import type { PersonSecrets } from '$lib/keys/identity';
import type { CachedVerifier } from '$lib/sync/CachedVerifier';
import type { DocSync } from '$lib/sync/DocSync';
import type { LocalStore } from '$lib/sync/LocalStore';
import type { SpaceSync } from '$lib/sync/SpaceSync';
import type { SyncProblem, SyncStatus } from '$lib/sync/SyncEngine';
import type { TabMessage } from '$lib/sync/TabChannel';

/** A request sent to the relay and not yet answered, by rid. */
export interface PendingRequest {
	docId?: DocumentId;
	spaceId?: SpaceId;
	kind: 'push' | 'auth' | 'sync' | 'op' | 'raw';
	record?: AuthRecord;
	docIds?: DocumentId[];
	spaceIds?: SpaceId[];
	/** A catch-up's documents so far, with the relay's head for each (parts span frames). */
	heads?: Map<DocumentId, number>;
}

export interface EngineCore {
	readonly repo: Repo;
	readonly device: DeviceSecrets;
	readonly deviceKey: DeviceKey;
	readonly store: LocalStore;
	readonly docs: Map<DocumentId, DocSync>;
	readonly spaces: Map<SpaceId, SpaceSync>;
	readonly opVerifier: CachedVerifier;

	// Who this person is on this device.
	/** This person's identity, created (and saved) the first time it is needed. */
	person(): Promise<PersonSecrets>;
	/** The identity if there is one yet, without creating it. */
	currentPerson(): PersonSecrets | undefined;
	setPerson(person: PersonSecrets): void;

	// The relay.
	online(): boolean;
	/** The engine was closed: nothing more is sent. */
	closed(): boolean;
	/** Sends a request under a new rid; if it went out, remembers it and returns the rid. */
	request(pending: PendingRequest, message: (rid: number) => ClientMessage): number | undefined;
	pendingRequest(rid: number): PendingRequest | undefined;
	/** A catch-up has been answered in full: it no longer counts as in flight. */
	endSync(rid: number): void;
	requestSync(docs: DocSync[], spaces?: SpaceSync[]): void;
	retrySync(docIds: DocumentId[], spaceIds: SpaceId[]): void;
	/** Appends an op to a log the engine does not track as a space (pairing, recovery). */
	appendRaw(op: SignedOp): Promise<{ index: number; at: number }>;
	/** Reads a whole untracked log; what arrives later goes to its watcher, if any. */
	fetchLog(logId: SpaceId): Promise<LoggedOp[]>;
	watchLog(logId: SpaceId, handler: (entries: LoggedOp[]) => void): void;
	unwatchLog(logId: SpaceId): void;

	// Documents.
	add(access: DocAccess): Promise<void>;
	/** `onDisk`: the handle's state was loaded from storage (durable already). */
	attach(doc: DocSync, handle: DocHandle<unknown> | undefined, onDisk: boolean): Promise<void>;
	needsLoad(doc: DocSync): boolean;
	/** Runs `work` once the local copy is loaded, keeping arrival order; starts loading it. */
	whenLoaded(doc: DocSync, work: () => void): void;
	rebuildAuth(doc: DocSync): void;
	sendPendingAuth(doc: DocSync): void;
	onAuthRecord(docId: DocumentId, index: number, record: AuthRecord): void;
	reconcileAuth(doc: DocSync, relayAuth: Array<{ index: number; record: AuthRecord }>): void;
	scheduleFlush(doc: DocSync, delay?: number): void;
	countPending(doc: DocSync): void;
	schedulePersist(docId: DocumentId): void;
	persistNow(docId: DocumentId): Promise<void>;

	// Telling others.
	emitDoc(docId: DocumentId): void;
	emitSpace(spaceId: SpaceId): void;
	/** Tells other tabs of the app on this device (see TabChannel). */
	tellTabs(message: TabMessage): void;
	recount(): void;
	problem(problem: Omit<SyncProblem, 'at'>): void;
	setStatus(patch: Partial<SyncStatus>): void;

	// Work that belongs to another collaborator.
	lineageSettled(): void;
	runAllDuties(): void;
	scheduleBackup(): void;
	/** The person's recovery key as this device knows it (DeviceLinking): its secret only right after a recovery. */
	recoveryKey(): { publicKey?: string; signing?: { publicKey: Uint8Array; secretKey: Uint8Array } };
}
