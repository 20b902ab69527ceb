// The relay's wire protocol: JSON text frames whose binary fields are base64url.
// Discriminated unions with type guards on both sides; the relay trusts nothing it is sent.
import { isBase64Url } from './bytes';
import { isDocumentId, isPublicKey, isSpaceId, type DeviceKey, type DocumentId, type JoinKey, type SpaceId } from './ids';

export const PROTOCOL_VERSION = 1;
/** Largest WebSocket frame the relay accepts. Bigger frames close that one connection (1009). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Largest ciphertext in one entry (base64 inflates it by a third inside the frame). */
export const MAX_CIPHERTEXT_BYTES = 8 * 1024 * 1024;
/** Largest ephemeral (presence, cursor) ciphertext. */
export const MAX_EPHEMERAL_BYTES = 16 * 1024;
export const MAX_DOCS_PER_SYNC = 10_000;
export const MAX_KEYS_PER_POLICY = 10_000;
export const MAX_SPACES_PER_SYNC = 10_000;
/** Largest space-log operation body, in UTF-8 bytes. Membership ops are small; this is a backstop. */
export const MAX_OP_BODY_BYTES = 1024 * 1024;

export type EntryKind = 'change' | 'snapshot';

/**
 * One encrypted, signed unit of a document's log. `seq` is assigned by the relay and is not
 * signed: it only orders delivery. Everything else is covered by the author's signature.
 */
export interface WireEntry {
	docId: DocumentId;
	epoch: number;
	kind: EntryKind;
	/** Snapshot only: the highest seq whose content this snapshot includes. */
	covers?: number;
	author: DeviceKey;
	nonce: string;
	ct: string;
	sig: string;
	seq?: number;
}

/** Sets who may write in one epoch of a document. Signed by an admin of the previous state. */
export interface PolicyRecord {
	kind: 'policy';
	docId: DocumentId;
	epoch: number;
	writers: DeviceKey[];
	admins: DeviceKey[];
	joinKeys: JoinKey[];
	signer: DeviceKey;
	/**
	 * On a policy that opens a new epoch: the previous epoch holds no entry after this seq. The
	 * admin signs its own position in the document; the relay refuses the policy if anything was
	 * stored after it, and every device refuses later entries of the old epoch from anyone who
	 * is not a writer any more (a removed member's change slipped in by a relay).
	 */
	closesAt?: number;
	/**
	 * On a policy of the open epoch that takes writers off it (a removal, sent with the removal
	 * rather than after the new keys): those writers wrote nothing of this epoch after this seq.
	 * The relay refuses their writes from then on; every device keeps their earlier entries and
	 * refuses later ones, however a relay placed them.
	 */
	retiresAt?: number;
	/**
	 * With `closesAt` or `retiresAt`: for each writer the policy takes off, what they wrote in
	 * that epoch, as far as the signer saw (each entry's `entryMark`), sorted by writer. The relay
	 * numbers entries and could number a forged one before the point; with this list a device
	 * reading the document from the start takes from a former writer only what is on it.
	 */
	written?: Array<[DeviceKey, string[]]>;
	sig: string;
}

/**
 * What names an entry in a policy's `written` list: the start of its signature (the encoding
 * of Ed25519's R, over 128 bits). Nobody can make a second entry whose signature starts the
 * same, not even its author, and it needs no hashing (the relay and the app share it).
 */
export function entryMark(entry: Pick<WireEntry, 'sig'>): string {
	return entry.sig.slice(0, ENTRY_MARK_LENGTH);
}

export const ENTRY_MARK_LENGTH = 22;
/** A bound on one policy's `written` list, far above what one epoch of one document holds. */
export const MAX_WRITTEN_MARKS = 100_000;

/** A device admitting itself as a writer with a join capability from a share link. */
export interface JoinRecord {
	kind: 'join';
	docId: DocumentId;
	epoch: number;
	device: DeviceKey;
	joinKey: JoinKey;
	sig: string;
}

export type AuthRecord = PolicyRecord | JoinRecord;

/**
 * One membership operation in a space's log. `body` is a JSON string the relay never parses:
 * clients run the membership reducer. `sig` is the author's Ed25519 signature over
 * opSigningBytes, so the relay can order and store ops but cannot forge or alter one.
 *
 * `admits` and `cap` are clear, signed fields for the relay's flood guard: it takes a log
 * write only from a key the space admits (see spaceWriters.ts). The reducer alone decides
 * membership; these only say who may add to the log at all.
 */
export interface SignedOp {
	spaceId: SpaceId;
	author: DeviceKey;
	body: string;
	sig: string;
	/** Keys this op lets write to the log from now on (a new member's devices and identity, an invitation's key). */
	admits?: string[];
	/** A write capability for an author the space does not admit yet. */
	cap?: WriteCap;
}

/** `by`, a key the space admits, signed spaceWriteBytes(spaceId, author) with `sig`. */
export interface WriteCap {
	by: string;
	sig: string;
}

/** Most keys one op may admit (a member card holds at most 64 devices, plus the identity). */
export const MAX_ADMITS_PER_OP = 65;

/**
 * An op as the relay logged it. `index` is its position in the space's log (from 0), assigned
 * by the relay. `at` is the relay's receive time in ms: clients judge invitation expiry by it
 * rather than by the op's own claims, since an invitee could backdate its clock.
 */
export interface LoggedOp {
	index: number;
	op: SignedOp;
	at: number;
}

export interface SyncRequestLog {
	spaceId: SpaceId;
	/** Number of ops the client already holds (the index of the first one it wants). */
	since: number;
}

export interface SyncRequestDoc {
	docId: DocumentId;
	/** Highest entry seq the client already holds (0 for none). */
	since: number;
	/** Number of auth records the client already holds. */
	authSince: number;
}

// Client → relay
export type ClientMessage =
	| { type: 'hello'; protocol: number }
	| { type: 'auth'; rid: number; record: AuthRecord }
	| { type: 'push'; rid: number; entry: WireEntry }
	/** `logs`, when present, also catches up on and subscribes to those spaces' logs. */
	| { type: 'sync'; rid: number; docs: SyncRequestDoc[]; logs?: SyncRequestLog[] }
	| { type: 'unsubscribe'; docIds: DocumentId[] }
	| { type: 'log-append'; rid: number; op: SignedOp }
	| { type: 'ephemeral'; docId: DocumentId; epoch: number; author: DeviceKey; nonce: string; ct: string; sig: string };

export interface CatchupDoc {
	docId: DocumentId;
	/** Highest seq the relay holds for this document (0 if none). */
	head: number;
	/** Auth records after the client's authSince, in relay order, with their index. */
	auth: Array<{ index: number; record: AuthRecord }>;
	/** The newest snapshot (if the client is behind it) then every later entry, in seq order. */
	entries: WireEntry[];
	/**
	 * Seqs of older snapshots left out of `entries`: everything in them is in what the client
	 * has or is sent. With these, every seq up to `head` is accounted for, so a client can
	 * tell a complete catch-up from one with a hole in it. Absent when there are none.
	 */
	skipped?: number[];
	/**
	 * Never sent by a relay: set when the client reads the frame (`setAsideMalformedEntries`),
	 * the seqs of entries in it that do not parse. They are refused like any bad entry.
	 */
	malformed?: number[];
}

export interface CatchupLog {
	spaceId: SpaceId;
	/** Ops from the client's `since`, in index order. A long log spans several catch-up frames. */
	entries: LoggedOp[];
}

export type ErrorCode =
	| 'malformed'
	| 'too-large'
	| 'unsupported-version'
	| 'bad-signature'
	| 'not-a-writer'
	| 'not-an-admin'
	| 'unknown-document'
	| 'already-exists'
	| 'epoch-closed'
	| 'stale-snapshot'
	/** A policy closing an epoch at a seq the document has passed: catch up and sign again. */
	| 'stale-close'
	| 'storage-failed'
	/** The connection sent too much too fast: the same request may be retried a little later. */
	| 'rate-limited'
	/** A relay limit (document size, subscriptions) was reached: retrying will not help. */
	| 'quota-exceeded';

// Relay → client
export type ServerMessage =
	/**
	 * `lineage` names the copy of its storage the relay serves. It changes only when that
	 * storage is restored from a backup (or replaced): then the relay may lack entries, auth
	 * records and ops it once acknowledged, and devices send back what it is missing.
	 */
	| { type: 'welcome'; protocol: number; maxCiphertextBytes: number; lineage?: string }
	| { type: 'ack'; rid: number; docId: DocumentId; seq: number }
	| { type: 'auth-ok'; rid: number; docId: DocumentId; index: number }
	| { type: 'catchup'; rid: number; docs: CatchupDoc[]; unknown: DocumentId[]; logs: CatchupLog[]; done: boolean }
	| { type: 'entry'; entry: WireEntry & { seq: number } }
	| { type: 'auth'; docId: DocumentId; index: number; record: AuthRecord }
	| { type: 'log-ok'; rid: number; spaceId: SpaceId; index: number; at: number }
	| { type: 'log'; spaceId: SpaceId; entry: LoggedOp }
	| { type: 'ephemeral'; docId: DocumentId; epoch: number; author: DeviceKey; nonce: string; ct: string; sig: string }
	| { type: 'error'; rid?: number; code: ErrorCode; message: string };

// ── guards ──────────────────────────────────────────────────────────────────────────────

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
	return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isKeyList(v: unknown): v is DeviceKey[] {
	return Array.isArray(v) && v.length <= MAX_KEYS_PER_POLICY && v.every(isPublicKey);
}

function isWrittenList(v: unknown): v is Array<[DeviceKey, string[]]> {
	if (!Array.isArray(v) || v.length > MAX_KEYS_PER_POLICY) return false;
	let marks = 0;
	let last = '';
	for (const item of v) {
		if (!Array.isArray(item) || item.length !== 2 || !isPublicKey(item[0]) || !Array.isArray(item[1])) return false;
		// One order, so the signed bytes have one form: writers ascending, each writer once.
		if (item[0] <= last) return false;
		last = item[0];
		marks += item[1].length;
		if (marks > MAX_WRITTEN_MARKS) return false;
		if (!item[1].every((m: unknown) => typeof m === 'string' && m.length === ENTRY_MARK_LENGTH && /^[A-Za-z0-9_-]+$/.test(m))) return false;
	}
	return true;
}

export function isWireEntry(v: unknown): v is WireEntry {
	if (!isObject(v)) return false;
	if (!isDocumentId(v.docId) || !isCount(v.epoch) || !isPublicKey(v.author)) return false;
	if (v.kind !== 'change' && v.kind !== 'snapshot') return false;
	if (v.kind === 'snapshot' ? !isCount(v.covers) : v.covers !== undefined) return false;
	if (v.seq !== undefined && !isCount(v.seq)) return false;
	return isBase64Url(v.nonce, 24) && isBase64Url(v.sig, 64) && isBase64Url(v.ct);
}

export function isPolicyRecord(v: unknown): v is PolicyRecord {
	return (
		isObject(v) &&
		v.kind === 'policy' &&
		isDocumentId(v.docId) &&
		isCount(v.epoch) &&
		isKeyList(v.writers) &&
		isKeyList(v.admins) &&
		isKeyList(v.joinKeys) &&
		isPublicKey(v.signer) &&
		(v.closesAt === undefined || isCount(v.closesAt)) &&
		(v.retiresAt === undefined || isCount(v.retiresAt)) &&
		(v.written === undefined || isWrittenList(v.written)) &&
		isBase64Url(v.sig, 64)
	);
}

export function isJoinRecord(v: unknown): v is JoinRecord {
	return (
		isObject(v) &&
		v.kind === 'join' &&
		isDocumentId(v.docId) &&
		isCount(v.epoch) &&
		isPublicKey(v.device) &&
		isPublicKey(v.joinKey) &&
		isBase64Url(v.sig, 64)
	);
}

export function isAuthRecord(v: unknown): v is AuthRecord {
	return isPolicyRecord(v) || isJoinRecord(v);
}

// A lone surrogate would not survive UTF-8 (signing, storage) unchanged, so the body a client
// signed could differ from the body others read back.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Shape only: the body's size and the signature are the relay's checks, with their own errors. */
export function isSignedOp(v: unknown): v is SignedOp {
	return (
		isObject(v) &&
		isSpaceId(v.spaceId) &&
		isPublicKey(v.author) &&
		typeof v.body === 'string' &&
		!LONE_SURROGATE.test(v.body) &&
		isBase64Url(v.sig, 64) &&
		// One spelling each: absent, never empty, so the signed bytes have one form.
		(v.admits === undefined || (Array.isArray(v.admits) && v.admits.length > 0 && v.admits.length <= MAX_ADMITS_PER_OP && v.admits.every(isPublicKey))) &&
		(v.cap === undefined || (isObject(v.cap) && isPublicKey(v.cap.by) && isBase64Url(v.cap.sig, 64)))
	);
}

export function isLoggedOp(v: unknown): v is LoggedOp {
	return isObject(v) && isCount(v.index) && isCount(v.at) && isSignedOp(v.op);
}

function isSyncLog(v: unknown): v is SyncRequestLog {
	return isObject(v) && isSpaceId(v.spaceId) && isCount(v.since);
}

function isCatchupLog(v: unknown): v is CatchupLog {
	return (
		isObject(v) &&
		isSpaceId(v.spaceId) &&
		Array.isArray(v.entries) &&
		v.entries.every((e) => isLoggedOp(e) && e.op.spaceId === v.spaceId)
	);
}

function isSyncDoc(v: unknown): v is SyncRequestDoc {
	return isObject(v) && isDocumentId(v.docId) && isCount(v.since) && isCount(v.authSince);
}

function isEphemeral(v: Record<string, unknown>): boolean {
	return (
		isDocumentId(v.docId) &&
		isCount(v.epoch) &&
		isPublicKey(v.author) &&
		isBase64Url(v.nonce, 24) &&
		isBase64Url(v.ct) &&
		isBase64Url(v.sig, 64)
	);
}

export function isClientMessage(v: unknown): v is ClientMessage {
	if (!isObject(v)) return false;
	switch (v.type) {
		case 'hello':
			return isCount(v.protocol);
		case 'auth':
			return isCount(v.rid) && isAuthRecord(v.record);
		case 'push':
			return isCount(v.rid) && isWireEntry(v.entry) && v.entry.seq === undefined;
		case 'sync':
			return (
				isCount(v.rid) &&
				Array.isArray(v.docs) &&
				v.docs.length <= MAX_DOCS_PER_SYNC &&
				v.docs.every(isSyncDoc) &&
				(v.logs === undefined || (Array.isArray(v.logs) && v.logs.length <= MAX_SPACES_PER_SYNC && v.logs.every(isSyncLog)))
			);
		case 'unsubscribe':
			return Array.isArray(v.docIds) && v.docIds.length <= MAX_DOCS_PER_SYNC && v.docIds.every(isDocumentId);
		case 'ephemeral':
			return isEphemeral(v);
		case 'log-append':
			return isCount(v.rid) && isSignedOp(v.op);
		default:
			return false;
	}
}

/**
 * Takes the entries that do not parse out of a catch-up frame, as the relay sent it, keeping
 * their seqs in `malformed` (one without a seq is simply left out: a hole, asked for again,
 * then reported). Otherwise one damaged or hostile row in the relay's storage failed the whole
 * frame, every document and log in it, each time it was asked for again: sync stalled for good.
 * Everything else in the frame is still checked by `isServerMessage`.
 */
export function setAsideMalformedEntries(v: unknown): unknown {
	if (!isObject(v) || v.type !== 'catchup' || !Array.isArray(v.docs)) return v;
	const docs = v.docs.map((d: unknown) => {
		if (!isObject(d) || !Array.isArray(d.entries) || d.entries.every(isWireEntry)) return d;
		const bad = d.entries.filter((e: unknown) => !isWireEntry(e));
		const malformed = bad.flatMap((e: unknown) => (isObject(e) && isCount(e.seq) ? [e.seq] : []));
		return { ...d, entries: d.entries.filter(isWireEntry), malformed };
	});
	return { ...v, docs };
}

export function isServerMessage(v: unknown): v is ServerMessage {
	if (!isObject(v)) return false;
	switch (v.type) {
		case 'welcome':
			return isCount(v.protocol) && isCount(v.maxCiphertextBytes) && (v.lineage === undefined || (typeof v.lineage === 'string' && v.lineage.length <= 64));
		case 'ack':
			return isCount(v.rid) && isDocumentId(v.docId) && isCount(v.seq);
		case 'auth-ok':
			return isCount(v.rid) && isDocumentId(v.docId) && isCount(v.index);
		case 'catchup':
			return (
				isCount(v.rid) &&
				typeof v.done === 'boolean' &&
				Array.isArray(v.unknown) &&
				v.unknown.every(isDocumentId) &&
				Array.isArray(v.logs) &&
				v.logs.every(isCatchupLog) &&
				Array.isArray(v.docs) &&
				v.docs.every(
					(d) =>
						isObject(d) &&
						isDocumentId(d.docId) &&
						isCount(d.head) &&
						Array.isArray(d.auth) &&
						d.auth.every((a) => isObject(a) && isCount(a.index) && isAuthRecord(a.record)) &&
						Array.isArray(d.entries) &&
						d.entries.every(isWireEntry) &&
						(d.skipped === undefined || (Array.isArray(d.skipped) && d.skipped.every(isCount))) &&
						(d.malformed === undefined || (Array.isArray(d.malformed) && d.malformed.every(isCount)))
				)
			);
		case 'entry':
			return isWireEntry(v.entry) && isCount(v.entry.seq);
		case 'auth':
			return isDocumentId(v.docId) && isCount(v.index) && isAuthRecord(v.record);
		case 'log-ok':
			return isCount(v.rid) && isSpaceId(v.spaceId) && isCount(v.index) && isCount(v.at);
		case 'log':
			return isSpaceId(v.spaceId) && isLoggedOp(v.entry) && v.entry.op.spaceId === v.spaceId;
		case 'ephemeral':
			return isEphemeral(v);
		case 'error':
			return typeof v.code === 'string' && typeof v.message === 'string' && (v.rid === undefined || isCount(v.rid));
		default:
			return false;
	}
}
