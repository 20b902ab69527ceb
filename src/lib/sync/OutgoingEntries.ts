// What this device sends for documents: local changes gathered into batches, encrypted and
// signed as entries, pushed one at a time (the next waits for the relay's ack), and now and
// then a snapshot so that catching up stays cheap.
import * as A from '@automerge/automerge';
import { encrypt, randomBytes, sign } from '$lib/crypto';
import { MAX_CIPHERTEXT_BYTES, entryAssociatedData, entrySigningBytes, mayWrite, toBase64Url, type DocumentId } from '$lib/protocol';
import { keyForEpoch } from '$lib/keys/access';
import { personKey } from '$lib/keys/identity';
import { shutOut } from '$lib/keys/membership';
import { words } from '$lib/words';
import type { DocSync } from '$lib/sync/DocSync';
import type { EngineCore } from '$lib/sync/EngineCore';
import { dedupe, holds, sameHeads } from '$lib/sync/heads';
import { encodePayload } from '$lib/sync/payload';

const msg = words.messages.sync.syncEngine;

export class OutgoingEntries {
	readonly #core: EngineCore;
	/** How long local edits are gathered into one entry. */
	readonly #batchMs: number;
	/** Push a snapshot after this many entries. */
	readonly #compactEvery: number;

	constructor(core: EngineCore, batchMs: number, compactEvery: number) {
		this.#core = core;
		this.#batchMs = batchMs;
		this.#compactEvery = compactEvery;
	}

	/**
	 * Throttles pushes: the first change after a quiet spell goes out at once (in a microtask,
	 * so changes made in the same tick travel together); later ones are gathered until the
	 * batch window since the last push has passed, or until the push in flight is confirmed.
	 */
	scheduleFlush(doc: DocSync, delay?: number): void {
		this.#core.countPending(doc);
		if (doc.flushTimer || doc.flushQueued) return;
		const wait = delay ?? Math.max(0, doc.lastPushAt + this.#batchMs - Date.now());
		if (wait === 0 && !doc.inFlight) {
			doc.flushQueued = true;
			queueMicrotask(() => {
				doc.flushQueued = false;
				this.#flush(doc);
			});
			return;
		}
		doc.flushTimer = setTimeout(() => {
			doc.flushTimer = undefined;
			this.#flush(doc);
		}, wait);
	}

	#flush(doc: DocSync): void {
		if (this.#core.closed() || !doc.handle || doc.inFlight || doc.blocked) return;
		if (!this.#core.online() || !doc.caughtUp || doc.record.pendingAuth.length > 0) return;
		if (!doc.auth || !mayWrite(doc.auth, doc.auth.epoch, this.#core.deviceKey)) return;
		if (this.#shutOut(doc)) return;
		const current = doc.handle.doc() as A.Doc<unknown>;
		const heads = A.getHeads(current);
		if (sameHeads(heads, doc.record.knownHeads)) {
			this.#maybeCompact(doc);
			return;
		}
		const known = doc.record.knownHeads.filter((h) => holds(current, h));
		const body = A.saveSince(current, known);
		if (body.length === 0) {
			doc.record.knownHeads = heads;
			this.#core.countPending(doc);
			return;
		}
		doc.counter ??= randomCounterStart();
		const counter = doc.counter++;
		this.#push(doc, 'change', encodePayload({ c: counter, h: heads }, body), heads, counter);
	}

	/**
	 * Once this device knows it was removed from the document's space, it sends nothing more
	 * there, even before the relay's writer list catches up: the change stays on the device
	 * (counted as stranded, never as sending) rather than slipping in after the removal.
	 */
	#shutOut(doc: DocSync): boolean {
		const space = doc.access.space && this.#core.spaces.get(doc.access.space.spaceId);
		if (!space) return false;
		const person = this.#core.currentPerson();
		return shutOut(space.state, person ? personKey(person) : undefined, this.#core.deviceKey);
	}

	/**
	 * Compacts when the entries since the last snapshot outweigh half the snapshot itself (so
	 * uploads stay within a small factor of the edits, even for large documents), after at
	 * least 16 entries, or after `compactEvery` entries whatever their size. Catch-up then
	 * costs one snapshot and a short tail instead of every change ever made.
	 */
	#maybeCompact(doc: DocSync): void {
		if (!doc.handle || doc.inFlight) return;
		const { sinceSnapshot, bytesSinceSnapshot = 0, snapshotBytes = 0 } = doc.record;
		const worthIt = sinceSnapshot >= Math.min(16, this.#compactEvery) && bytesSinceSnapshot * 2 >= snapshotBytes;
		if (!worthIt && sinceSnapshot < this.#compactEvery) return;
		const current = doc.handle.doc() as A.Doc<unknown>;
		const heads = A.getHeads(current);
		const body = A.save(current);
		this.#push(doc, 'snapshot', encodePayload({ seen: doc.seen.toJSON(), h: heads }, body), heads, undefined, doc.record.lastSeq);
	}

	#push(doc: DocSync, kind: 'change' | 'snapshot', plaintext: Uint8Array, heads: string[], counter?: number, covers?: number): void {
		const epoch = doc.auth!.epoch;
		const key = keyForEpoch(doc.access, epoch);
		if (!key) {
			// Usually the new key is on its way (a rotation just happened); sending resumes when it
			// arrives. If this device was removed it never will, and its changes stay local.
			return;
		}
		const base = { docId: doc.docId, epoch, kind, ...(kind === 'snapshot' ? { covers } : {}), author: this.#core.deviceKey };
		const { nonce, ciphertext } = encrypt(plaintext, key, entryAssociatedData(base));
		if (ciphertext.length > MAX_CIPHERTEXT_BYTES) {
			doc.blocked = msg.tooLarge;
			this.#core.problem({ docId: doc.docId, kind: 'refused', message: msg.keptSafely(doc.blocked) });
			return;
		}
		const unsigned = { ...base, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext) };
		const sig = toBase64Url(sign(entrySigningBytes(unsigned), this.#core.device.signing.secretKey));
		const rid = this.#core.request({ kind: 'push', docId: doc.docId }, (rid) => ({ type: 'push', rid, entry: { ...unsigned, sig } }));
		if (rid === undefined) return;
		doc.inFlight = { rid, kind, heads, counter, sentAt: Date.now(), bytes: unsigned.ct.length };
		doc.lastPushAt = doc.inFlight.sentAt;
	}

	onAck(rid: number, docId: DocumentId, seq: number): void {
		const doc = this.#core.docs.get(docId);
		if (!doc || doc.inFlight?.rid !== rid) return;
		const sent = doc.inFlight;
		doc.inFlight = undefined;
		if (sent.kind === 'change') {
			doc.seen.add(this.#core.deviceKey, sent.counter!);
			doc.record.knownHeads = dedupe([...doc.record.knownHeads, ...sent.heads]);
			// Other tabs holding the same changes need not send them too.
			this.#core.tellTabs({ type: 'known', docId, heads: sent.heads });
			const current = A.getHeads(doc.handle!.doc() as A.Doc<unknown>);
			if (sameHeads(current, sent.heads)) doc.record.knownHeads = current;
			doc.record.sinceSnapshot++;
			doc.record.bytesSinceSnapshot = (doc.record.bytesSinceSnapshot ?? 0) + sent.bytes;
		} else {
			doc.record.sinceSnapshot = 0;
			doc.record.bytesSinceSnapshot = 0;
			doc.record.snapshotBytes = sent.bytes;
		}
		if (seq === doc.record.lastSeq + 1) doc.record.lastSeq = seq;
		else if (seq > doc.record.lastSeq) {
			// Entries we have not seen came before ours: fetch them (ours will be skipped as seen).
			doc.caughtUp = false;
			this.#core.requestSync([doc]);
		}
		this.#core.countPending(doc);
		this.#core.schedulePersist(docId);
		this.#core.setStatus({ lastSyncedAt: Date.now() });
		this.#flush(doc);
	}

	/** The relay refused a push: drop it, wait, or catch up, depending on why. */
	onPushError(doc: DocSync, code: string, message: string): void {
		const wasSnapshot = doc.inFlight?.kind === 'snapshot';
		doc.inFlight = undefined;
		const busy = code === 'storage-failed' || code === 'rate-limited';
		if (code === 'stale-snapshot' || wasSnapshot) {
			// A refused snapshot is simply dropped, but changes made while it was on its way
			// waited behind it and nothing else may come along to send them: send them now
			// (after a pause if the relay was busy).
			doc.record.sinceSnapshot = 0;
			if (busy) setTimeout(() => this.scheduleFlush(doc, 0), 2000);
			else this.scheduleFlush(doc, 0);
			return;
		}
		if (busy) {
			this.#core.problem({ docId: doc.docId, kind: 'relay', message: msg.relayCouldNotStore });
			setTimeout(() => this.scheduleFlush(doc, 0), 2000);
			return;
		}
		if (code === 'epoch-closed' || code === 'not-a-writer' || code === 'unknown-document') {
			// Our view of who may write is behind; catch up, which may admit us again.
			doc.caughtUp = false;
			this.#core.requestSync([doc]);
			if (code === 'not-a-writer') {
				this.#core.problem({ docId: doc.docId, kind: 'refused', message: msg.noLongerAllowed });
			}
			return;
		}
		this.#core.problem({ docId: doc.docId, kind: 'refused', message: msg.relayRefusedChange(message) });
	}
}

/**
 * Each session numbers its entries for a document from a random point, so two tabs of one
 * device never collide and the replay window stays one short interval per session.
 */
function randomCounterStart(): number {
	const r = randomBytes(6);
	return (r[0] * 2 ** 40 + r[1] * 2 ** 32 + ((r[2] << 24) >>> 0) + (r[3] << 16) + (r[4] << 8) + r[5]) * 16;
}
