// What the relay delivers for documents, live or in a catch-up: every entry is checked
// (writer, signature, epoch key, replay counter) before anything is merged, in seq order. A
// catch-up must account for every seq up to the relay's head (`seqCoverage`); a hole is asked
// for again a few times before it is reported. Entries for a copy still on disk wait, in
// order, until it is loaded.
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId as RepoDocumentId } from '@automerge/automerge-repo';
import { decrypt, verify } from '$lib/crypto';
import { entryAssociatedData, entryMark, entrySigningBytes, fromBase64Url, mayHaveWritten, mayWrite, writtenBy, type AuthRecord, type CatchupDoc, type DocumentId, type WireEntry } from '$lib/protocol';
import { joinRecord, keyForEpoch } from '$lib/keys/access';
import { circleDevices } from '$lib/keys/membership';
import { words } from '$lib/words';
import type { DocSync } from '$lib/sync/DocSync';
import type { EngineCore } from '$lib/sync/EngineCore';
import { SeenCounters } from '$lib/sync/SeenCounters';
import { dedupe, holds, sameHeads } from '$lib/sync/heads';
import { decodePayload, isChangeHeader, isSnapshotHeader } from '$lib/sync/payload';
import { coverageAfter, reachesHead, type Coverage } from '$lib/sync/seqCoverage';

const msg = words.messages.sync.syncEngine;

/** Catch-ups with a hole in them that are asked again before the hole is accepted and reported. */
const MAX_HOLE_RETRIES = 3;
const HOLE_RETRY_MS = 1000;

export class IncomingEntries {
	readonly #core: EngineCore;

	constructor(core: EngineCore) {
		this.#core = core;
	}

	onCatchup(rid: number, docs: CatchupDoc[], unknown: DocumentId[], done: boolean): void {
		const request = this.#core.pendingRequest(rid);
		const heads = request?.kind === 'sync' ? (request.heads ??= new Map()) : new Map<DocumentId, number>();
		for (const part of docs) {
			const doc = this.#core.docs.get(part.docId);
			if (!doc) continue;
			heads.set(part.docId, part.head);
			if (doc.rewinding && part.auth.length > 0 && part.auth[0].index === 0) this.#core.reconcileAuth(doc, part.auth);
			else for (const { index, record } of part.auth) this.#core.onAuthRecord(part.docId, index, record);
			const apply = () => {
				// Kept as seqs, not folded into lastSeq: entries before them may still be to come.
				if (part.skipped) doc.heldSeqs = [...(doc.heldSeqs ?? []), ...part.skipped];
				// Entries that did not even parse are refused on their merits, so they count as seen.
				const malformed = (part.malformed ?? []).filter((seq) => seq > doc.record.lastSeq);
				if (malformed.length > 0) {
					this.#core.problem({ docId: doc.docId, kind: 'tampered', message: msg.tampered });
					doc.heldSeqs = [...(doc.heldSeqs ?? []), ...malformed];
				}
				this.#applyEntries(doc, part.entries, true);
			};
			if (this.#core.needsLoad(doc) && (part.entries.length > 0 || doc.loading)) {
				// New changes for a copy still on disk: load it first, then merge in order.
				this.#core.whenLoaded(doc, apply);
				continue;
			}
			apply();
		}
		for (const docId of unknown) {
			const doc = this.#core.docs.get(docId);
			if (!doc) continue;
			if (doc.record.auth.length > 0 && doc.record.pendingAuth.length === 0) {
				// The relay lost this document (e.g. a reset server). Our signed records let us
				// put it back, then our full copy is pushed again.
				doc.record.pendingAuth = doc.record.auth.filter((r): r is AuthRecord => r !== null);
				doc.record.auth = [];
				doc.record.lastSeq = 0;
				doc.record.knownHeads = [];
				this.#core.rebuildAuth(doc);
				this.#core.sendPendingAuth(doc);
			}
		}
		if (!done) return;
		this.#core.endSync(rid);
		queueMicrotask(() => this.#core.runAllDuties());
		// Every document this catch-up named is finished now, including those whose last part
		// came in an earlier frame of a catch-up too big for one.
		const finished = new Map<DocumentId, number | undefined>([...heads, ...unknown.map((id) => [id, undefined] as const)]);
		for (const [docId, head] of finished) {
			const doc = this.#core.docs.get(docId);
			if (!doc) continue;
			if (doc.loading) this.#core.whenLoaded(doc, () => this.#finishCatchup(doc, head));
			else this.#finishCatchup(doc, head);
		}
		this.#core.setStatus({ lastSyncedAt: Date.now() });
	}

	/** A document's catch-up is complete: move to the relay's head unless something was skipped. */
	#finishCatchup(doc: DocSync, head: number | undefined): void {
		if (head !== undefined && !doc.waitingForKey && head > doc.record.lastSeq) {
			if (!doc.holePending && !reachesHead({ covered: doc.record.lastSeq, held: doc.heldSeqs }, head)) this.#stopAtHole(doc);
			// Entries we refused (tampered, foreign) still count as seen, so a bad entry cannot
			// stall sync for ever; only a hole in what the relay sent holds us back.
			if (!doc.holePending) doc.record.lastSeq = head;
		}
		doc.heldSeqs = undefined;
		if (doc.holePending) {
			doc.holePending = false;
			doc.holeRetries++;
			// Ask again shortly from where we stand; live entries wait for that catch-up.
			doc.caughtUp = false;
			setTimeout(() => this.#core.retrySync([doc.docId], []), HOLE_RETRY_MS * doc.holeRetries);
			this.#core.schedulePersist(doc.docId);
			return;
		}
		if (head !== undefined && !doc.waitingForKey) doc.holeRetries = 0;
		this.#caughtUp(doc);
	}

	/**
	 * The relay's catch-up skipped some seqs. Stop there and ask again (a storage race on the
	 * relay clears itself); after a few tries, report it and move on rather than stall for good.
	 * Returns whether to stop.
	 */
	#stopAtHole(doc: DocSync): boolean {
		if (doc.holeRetries < MAX_HOLE_RETRIES) {
			doc.holePending = true;
			return true;
		}
		if (doc.holeRetries === MAX_HOLE_RETRIES) {
			doc.holeRetries++;
			this.#core.problem({ docId: doc.docId, kind: 'relay', message: msg.relayMissing });
		}
		return false;
	}

	#caughtUp(doc: DocSync): void {
		doc.caughtUp = true;
		if (doc.rewinding) {
			doc.rewinding = false;
			this.#core.lineageSettled();
		}
		if (doc.record.auth.length > 0) this.ensureJoined(doc);
		this.#core.schedulePersist(doc.docId);
		this.#core.scheduleFlush(doc, 0);
	}

	ensureJoined(doc: DocSync): void {
		if (!doc.auth || mayWrite(doc.auth, doc.auth.epoch, this.#core.deviceKey)) return;
		if (doc.record.pendingAuth.some((r) => r.kind === 'join')) return;
		const record = joinRecord(doc.access, this.#core.device, doc.auth.epoch);
		if (!record) return;
		doc.record.pendingAuth.push(record);
		this.#core.sendPendingAuth(doc);
	}

	onLiveEntry(entry: WireEntry & { seq: number }): void {
		const doc = this.#core.docs.get(entry.docId);
		if (!doc) return;
		if (this.#core.needsLoad(doc)) {
			this.#core.whenLoaded(doc, () => this.onLiveEntry(entry));
			return;
		}
		if (!doc.caughtUp) return; // the catch-up in progress will include it
		if (doc.waitingForKey) return; // fetched again once the key arrives
		if (entry.seq <= doc.record.lastSeq) return;
		if (entry.seq !== doc.record.lastSeq + 1) {
			// A gap: something was missed. Ask for everything after what we have.
			doc.caughtUp = false;
			this.#core.requestSync([doc]);
			return;
		}
		this.#applyEntries(doc, [entry], false);
		this.#core.setStatus({ lastSyncedAt: Date.now() });
	}

	/** Verifies, decrypts and merges a run of entries in seq order. */
	#applyEntries(doc: DocSync, entries: WireEntry[], fromCatchup: boolean): void {
		// A catch-up must account for every seq; once a hole is found the rest of it waits.
		if (fromCatchup && doc.holePending) return;
		const chunks: Uint8Array[] = [];
		let snapshot: Uint8Array | undefined;
		const headsToKnow: string[] = [];
		let coverage: Coverage | undefined = fromCatchup ? { covered: doc.record.lastSeq, held: doc.heldSeqs } : undefined;
		// A document read from its start has seen every entry of the epoch it is in.
		doc.record.written ??= { epoch: doc.auth?.epoch ?? 0, complete: doc.record.lastSeq === 0, by: {} };
		for (const entry of entries) {
			const seq = entry.seq ?? 0;
			if (seq <= doc.record.lastSeq && !(entry.kind === 'snapshot' && fromCatchup)) continue;
			let next = coverage && coverageAfter(coverage, { seq, kind: entry.kind, covers: entry.covers });
			if (coverage && !next) {
				if (this.#stopAtHole(doc)) break;
				next = { covered: seq };
			}
			const opened = this.#open(doc, entry);
			if (opened === 'no-key-yet') {
				// Stop here without moving past it: once the key arrives we fetch from this point.
				doc.waitingForKey = true;
				break;
			}
			coverage = next;
			if (opened) {
				this.#remember(doc, entry);
				if (entry.kind === 'snapshot') {
					doc.record.sinceSnapshot = 0;
					doc.record.bytesSinceSnapshot = 0;
					doc.record.snapshotBytes = entry.ct.length;
					const covers = entry.covers ?? 0;
					if (covers > doc.record.lastSeq) {
						snapshot = opened.body;
						chunks.length = 0;
						doc.seen.merge(SeenCounters.fromJSON(opened.seen));
						headsToKnow.push(...opened.heads);
						// The relay sends a snapshot first, then the entries after what it covers,
						// including those between its cover and its own seq: those are not in it,
						// so only what it covers counts as had, or they would be skipped as old.
						doc.record.lastSeq = covers;
						continue;
					}
				} else {
					chunks.push(opened.body);
					doc.seen.add(entry.author, opened.counter!);
					doc.record.sinceSnapshot++;
					doc.record.bytesSinceSnapshot = (doc.record.bytesSinceSnapshot ?? 0) + entry.ct.length;
				}
				headsToKnow.push(...opened.heads);
			}
			if (seq > doc.record.lastSeq) doc.record.lastSeq = seq;
		}
		if (coverage) {
			// Seqs the relay named as left out, or a snapshot's own seq, count as had once reached.
			if (coverage.covered > doc.record.lastSeq) doc.record.lastSeq = coverage.covered;
			doc.heldSeqs = coverage.held;
		}
		if (snapshot || chunks.length > 0) this.#merge(doc, snapshot, chunks, headsToKnow);
		this.#core.schedulePersist(doc.docId);
	}

	/**
	 * Whether a missing epoch key is merely late (its lockbox is on the way, or the space log
	 * is still catching up) rather than withheld because this device lost access.
	 */
	#keyExpected(doc: DocSync, epoch: number): boolean {
		const ref = doc.access.space;
		if (!ref) return false;
		const state = this.#core.spaces.get(ref.spaceId)?.state;
		if (!state) return false;
		const entitled = circleDevices(state, ref.circle).includes(this.#core.deviceKey);
		return entitled && epoch >= (state.circles.get(ref.circle)?.epoch ?? 0);
	}

	/**
	 * An entry, of any kind, in an epoch the verified auth log has closed, by a key that is not a
	 * writer now, stored after the point the epoch closed: a removed member's change that a relay
	 * let in (an honest relay refuses them, and refuses to close an epoch behind what it stored).
	 * The point is the one the closing policy signed, or, for older policies, where this device
	 * stood when it heard one live. Every device decides the same for every honest entry.
	 */
	#afterItsEpochClosed(doc: DocSync, entry: WireEntry): boolean {
		const auth = doc.auth;
		if (!auth || entry.epoch >= auth.epoch || entry.seq === undefined) return false;
		if (auth.epochs.get(auth.epoch)?.writers.has(entry.author)) return false;
		const closedAfter = auth.epochs.get(entry.epoch)?.closedAfter ?? doc.record.closedAfter?.[entry.epoch];
		return closedAfter !== undefined && entry.seq > closedAfter;
	}

	/**
	 * Notes an entry taken into the document under its author, for the open epoch only. Entries
	 * come in relay order and an epoch's first entry comes after the policy that opened it, so
	 * starting afresh at a newer epoch's first entry misses nothing of it.
	 */
	#remember(doc: DocSync, entry: WireEntry): void {
		const written = (doc.record.written ??= { epoch: entry.epoch, complete: false, by: {} });
		if (entry.epoch < written.epoch) return;
		if (entry.epoch > written.epoch) doc.record.written = { epoch: entry.epoch, complete: true, by: {} };
		const marks = (doc.record.written!.by[entry.author] ??= []);
		const mark = entryMark(entry);
		if (!marks.includes(mark)) marks.push(mark);
	}

	/** Returns the entry's plaintext parts, or undefined (and reports why) if it must not be merged. */
	#open(
		doc: DocSync,
		entry: WireEntry
	): { body: Uint8Array; heads: string[]; counter?: number; seen?: Record<string, [number, number][]> } | 'no-key-yet' | undefined {
		const where = { docId: doc.docId };
		// A former writer of the epoch whose entries the policy that took them off listed: theirs
		// are those, wherever the relay numbered them (it numbers, and could number a forged one
		// before the point for a device reading from the start).
		const listed = doc.auth?.epochs.get(doc.auth.epoch)?.writers.has(entry.author) ? undefined : writtenBy(doc.auth, entry.epoch, entry.author);
		if (listed) {
			if (!listed.has(entryMark(entry))) {
				this.#core.problem({ ...where, kind: 'foreign', message: msg.noLongerAccess });
				return undefined;
			}
		} else {
			// A writer retired from the epoch (a removal) keeps what it wrote before, and nothing after.
			if (!mayHaveWritten(doc.auth, entry.epoch, entry.author, entry.seq)) {
				this.#core.problem({ ...where, kind: 'foreign', message: msg.foreign });
				return undefined;
			}
			if (this.#afterItsEpochClosed(doc, entry)) {
				this.#core.problem({ ...where, kind: 'foreign', message: msg.noLongerAccess });
				return undefined;
			}
		}
		const { sig, seq: _seq, ...unsigned } = entry;
		if (!verify(fromBase64Url(sig), entrySigningBytes(unsigned), fromBase64Url(entry.author))) {
			this.#core.problem({ ...where, kind: 'tampered', message: msg.tampered });
			return undefined;
		}
		const key = keyForEpoch(doc.access, entry.epoch);
		if (!key) {
			if (this.#keyExpected(doc, entry.epoch)) return 'no-key-yet';
			this.#core.problem({ ...where, kind: 'unreadable', message: msg.unreadable });
			return undefined;
		}
		const plain = decrypt(fromBase64Url(entry.ct), fromBase64Url(entry.nonce), key, entryAssociatedData(entry));
		const payload = plain && decodePayload(plain);
		if (!payload) {
			this.#core.problem({ ...where, kind: 'tampered', message: msg.alteredLocked });
			return undefined;
		}
		if (entry.kind === 'change') {
			// A restored relay sends back what we merged before its backup was taken: expected.
			if (doc.rewinding && isChangeHeader(payload.header) && doc.seen.has(entry.author, payload.header.c)) return undefined;
			// The relay only accepts writes in the newest epoch, so in seq order epochs never go
			// back. An older-epoch change after a newer one is a removed writer slipped in late.
			if (entry.epoch < (doc.record.maxEpoch ?? 0)) {
				this.#core.problem({ ...where, kind: 'foreign', message: msg.noLongerAccess });
				return undefined;
			}
			doc.record.maxEpoch = entry.epoch;
			if (!isChangeHeader(payload.header)) {
				this.#core.problem({ ...where, kind: 'tampered', message: msg.badForm });
				return undefined;
			}
			if (doc.seen.has(entry.author, payload.header.c)) {
				// Our own entry echoed back after a reconnect is expected, not an attack.
				if (entry.author === this.#core.deviceKey) return undefined;
				this.#core.problem({ ...where, kind: 'replayed', message: msg.replayed });
				return undefined;
			}
			return { body: payload.body, heads: payload.header.h, counter: payload.header.c };
		}
		if (!isSnapshotHeader(payload.header)) {
			this.#core.problem({ ...where, kind: 'tampered', message: msg.badSavedCopy });
			return undefined;
		}
		return { body: payload.body, heads: payload.header.h, seen: payload.header.seen };
	}

	#merge(doc: DocSync, snapshot: Uint8Array | undefined, chunks: Uint8Array[], heads: string[]): void {
		const apply = (d: A.Doc<unknown>) => {
			let next = d;
			try {
				if (snapshot) next = A.loadIncremental(next, snapshot);
				// One call for the whole run of entries: far cheaper than one per entry.
				if (chunks.length > 0) next = A.loadIncremental(next, concat(chunks));
			} catch {
				// Authenticated but not valid Automerge: only a faulty writer could send this.
				this.#core.problem({ docId: doc.docId, kind: 'tampered', message: msg.unreadableChange });
				return d;
			}
			return next;
		};
		const dirtyBefore = doc.handle ? !sameHeads(A.getHeads(doc.handle.doc() as A.Doc<unknown>), doc.record.knownHeads) : false;
		if (!doc.handle) {
			// First copy: hand every verified chunk to the repo in one go, so the document is
			// built (and materialised) once rather than once here and again on import.
			const all = concat(snapshot ? [snapshot, ...chunks] : chunks);
			let handle: DocHandle<unknown>;
			try {
				handle = this.#core.repo.import<unknown>(all, { docId: doc.docId as unknown as RepoDocumentId });
			} catch {
				// Authenticated but not valid Automerge: only a faulty writer could send this.
				this.#core.problem({ docId: doc.docId, kind: 'tampered', message: msg.unreadableChange });
				return;
			}
			// Nothing in it could be applied yet (what it builds on has not arrived, e.g. a relay
			// that lost it): the repo holds it, and the next entries are imported into it too.
			if (!handle.isReady()) return;
			doc.record.hasLocalCopy = true;
			// Everything in a first copy came from the relay. Knowing that before attaching
			// spares attach's pending count a walk over the whole history (a tenth of a
			// catch-up's time when measured).
			doc.record.knownHeads = A.getHeads(handle.doc() as A.Doc<unknown>);
			void this.#core.attach(doc, handle, false);
			this.#core.emitDoc(doc.docId);
		} else {
			doc.handle.update(apply);
		}
		const current = A.getHeads(doc.handle!.doc() as A.Doc<unknown>);
		if (!dirtyBefore) {
			// Nothing local was waiting, so everything we now hold came from the relay.
			doc.record.knownHeads = current;
		} else {
			const d = doc.handle!.doc() as A.Doc<unknown>;
			const present = heads.filter((h) => holds(d, h));
			doc.record.knownHeads = dedupe([...doc.record.knownHeads, ...present]);
		}
		this.#core.countPending(doc);
	}
}

function concat(chunks: Uint8Array[]): Uint8Array {
	if (chunks.length === 1) return chunks[0];
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
	let o = 0;
	for (const c of chunks) {
		out.set(c, o);
		o += c.length;
	}
	return out;
}
