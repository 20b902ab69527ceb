// The relay's flood guard for space logs: who may add to each log, and how much. Anyone can
// sign an op; without this a stranger who knew a space's id could fill its log with junk. It
// is worked out from the log itself (keysAdmittedBy, in the shared protocol), so it needs no
// table of its own and a relay started on old storage derives it the same way. Each log's
// tally is cached; it is read again from storage before anything is refused, since another
// relay node sharing the database may have admitted the key meanwhile.
import { fromBase64Url, keysAdmittedBy, spaceWriteBytes, type LoggedOp, type SignedOp, type SpaceId } from '../src/lib/protocol';
import type { SpaceQuota } from './relayConfig';
import type { RelayStore } from './RelayStore';

export type SpaceRefusal = 'not-admitted' | 'space-ops' | 'space-bytes' | 'author-ops' | 'author-bytes';

interface Tally {
	spaceId: SpaceId;
	length: number;
	bytes: number;
	keys: Set<string>;
	/**
	 * The keys the log's first op admitted (its owner's identity and devices), and authors one
	 * of those vouched for (a device restored from the owner's recovery kit). They are spared
	 * the space-wide quotas, so a full log (members spamming it, perhaps with keys they vouched
	 * for) never stops the owner removing them and changing the keys.
	 */
	founders: Set<string>;
	authors: Map<string, { ops: number; bytes: number }>;
}

type Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** What an op costs against the byte quotas: its body and its relay fields. */
export function opBytes(op: SignedOp): number {
	return Buffer.byteLength(op.body, 'utf8') + (op.admits?.length ?? 0) * 44 + (op.cap ? 130 : 0);
}

export class SpaceWriters {
	readonly #tallies = new Map<SpaceId, Tally>();
	readonly #store: Pick<RelayStore, 'opsSince'>;
	readonly #quota: SpaceQuota;
	readonly #verify: Verify;
	readonly #maxCached: number;

	constructor(store: Pick<RelayStore, 'opsSince'>, quota: SpaceQuota, verify: Verify, maxCached = 10_000) {
		this.#store = store;
		this.#quota = quota;
		this.#verify = verify;
		this.#maxCached = maxCached;
	}

	/** Why this op may not be added to its log, or undefined if it may. Call under the space's lock. */
	async check(op: SignedOp): Promise<SpaceRefusal | undefined> {
		const cached = this.#tallies.get(op.spaceId);
		const tally = cached ?? (await this.#load(op.spaceId));
		const refusal = this.#judge(tally, op);
		// A refusal from a cached tally is checked against storage first: the log may have grown.
		if (!refusal || !cached) return refusal;
		await this.#catchUp(tally);
		return this.#judge(tally, op);
	}

	/** An op this node stored: counted, if the tally is where it was logged. */
	recorded(logged: LoggedOp): void {
		const tally = this.#tallies.get(logged.op.spaceId);
		if (tally && logged.index === tally.length) fold(tally, logged.op);
	}

	#judge(tally: Tally, op: SignedOp): SpaceRefusal | undefined {
		if (tally.length > 0 && !tally.keys.has(op.author) && !this.#capValid(tally, op)) return 'not-admitted';
		const size = opBytes(op);
		const q = this.#quota;
		const founder = tally.length === 0 || tally.founders.has(op.author) || (op.cap !== undefined && tally.founders.has(op.cap.by) && this.#capValid(tally, op));
		if (!founder && tally.length + 1 > q.maxOps) return 'space-ops';
		if (!founder && tally.bytes + size > q.maxBytes) return 'space-bytes';
		const mine = tally.authors.get(op.author) ?? { ops: 0, bytes: 0 };
		if (mine.ops + 1 > q.maxOpsPerAuthor) return 'author-ops';
		if (mine.bytes + size > q.maxBytesPerAuthor) return 'author-bytes';
		return undefined;
	}

	#capValid(tally: Tally, op: SignedOp): boolean {
		if (!op.cap || !tally.keys.has(op.cap.by)) return false;
		try {
			return this.#verify(fromBase64Url(op.cap.sig), spaceWriteBytes(op.spaceId, op.author), fromBase64Url(op.cap.by));
		} catch {
			return false;
		}
	}

	async #load(spaceId: SpaceId): Promise<Tally> {
		const tally: Tally = { spaceId, length: 0, bytes: 0, keys: new Set(), founders: new Set(), authors: new Map() };
		await this.#catchUp(tally);
		if (this.#tallies.size >= this.#maxCached) this.#tallies.delete(this.#tallies.keys().next().value!);
		this.#tallies.set(spaceId, tally);
		return tally;
	}

	async #catchUp(tally: Tally): Promise<void> {
		const ops = await this.#store.opsSince(tally.spaceId, tally.length);
		for (const logged of ops) if (logged.index === tally.length) fold(tally, logged.op);
	}
}

/** Stored ops were checked when they were appended: each one admits its keys. */
function fold(tally: Tally, op: SignedOp): void {
	const size = opBytes(op);
	if (tally.length === 0) for (const key of keysAdmittedBy(op)) tally.founders.add(key);
	else if (op.cap && tally.founders.has(op.cap.by)) tally.founders.add(op.author);
	tally.length++;
	tally.bytes += size;
	const mine = tally.authors.get(op.author) ?? { ops: 0, bytes: 0 };
	mine.ops++;
	mine.bytes += size;
	tally.authors.set(op.author, mine);
	for (const key of keysAdmittedBy(op)) tally.keys.add(key);
}
